"""Any request to the dark site gets an answer below 500 and echoes nothing unescaped:
generated query strings, language and zone values, Accept-Language, Host and If-None-Match
headers, in-process against the real routes and a real (SQLite) database."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.adapters.db import make_engine, upgrade
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.adapters.site.config import parse_dark_site
from bot.adapters.site.routes import DarkSite
from tests.conftest import FakeClock

_text = hs.text(hs.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
_header = hs.text(hs.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=400)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "site.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    site = DarkSite(engine=engine, policy=load_catalog(bundled_playbooks_dir()).policy,
                    config=parse_dark_site({"path": "/news/", "host": "news.example"}),
                    clock=FakeClock())
    with TestClient(Starlette(routes=site.routes()), base_url="http://news.example") as c:
        yield c
    engine.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=hs.sampled_from(["/news/", "/news/en/", "/news/zh/", "/news/feed.atom",
                             "/news/feed.json", "/news/x", "/news"]),
       tz=_text, lang=_text, extra=_text, accept=_header, etag=_header)
def test_no_input_makes_the_site_fail_or_echo_markup(client, page, tz, lang, extra, accept, etag):
    response = client.get(page, params={"tz": tz, "lang": lang, extra: extra},
                          headers={"accept-language": accept, "if-none-match": etag},
                          follow_redirects=False)
    assert response.status_code < 500
    assert "<script" not in response.text.lower()
    if tz and "<" in tz and response.status_code == 200:
        assert tz not in response.text
