"""Any `/crisis` text, sent signed over real HTTP, gets a clear answer and never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.integration.slack_world import make_world

WORDS = st.sampled_from([
    "declare", "status", "sev", "SS", "S", "A", "role", "commander", "<@ULEAD>", "<!channel>",
    "stage", "next", "task", "done", "add", "assign", "fact", "confirm", "retract", "note",
    "impact", "orders=12k", "revenue=¥3.5m", "statement", "timeline", "resolve", "help",
    "INC-1", "INC-999", "type:brand_reputation", "sev:SS", "99999999999999999999", "-1", "",
])
TEXT = st.one_of(
    st.lists(WORDS, max_size=6).map(" ".join),
    st.text(max_size=300),
    st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=8).map(" ".join),
)


@pytest.fixture(scope="module")
def world(tmp_path_factory, pg_server, pg_template):
    from tests.conftest import FakeClock, fresh_pg_database

    w = make_world(tmp_path_factory.mktemp("fuzz"), clock=FakeClock(),
                   database_url=fresh_pg_database(pg_server, pg_template))
    w.declare()
    yield w
    w.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_command_text_gets_a_clear_answer(world, text):
    emulator = world.emulator
    for channel in (world.channel(), world.general):
        posts, views = len(emulator.response_url_posts()), len(emulator.views())
        response = world.driver.command(text, user="UANNA", channel=channel)
        assert response.status_code == 200, response.text
        if response.content:                       # answered in the acknowledgement itself
            answer = response.json()
            assert answer["text"].strip()
            continue
        # Otherwise a reply through the response URL, or (`declare` alone) the modal.
        assert emulator.wait_for(lambda: len(emulator.response_url_posts()) > posts
                                 or len(emulator.views()) > views), text
        if len(emulator.views()) > views:
            continue
        answer = emulator.response_url_posts()[-1]["payload"]
        assert answer["text"].strip()
        assert "Something went wrong on our side" not in answer["text"], (text, answer["text"])


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=40))
JSON = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=20)
ALERT_KEYS = st.sampled_from(["monitor", "fingerprint", "status", "title", "severity", "labels",
                              "alerts", "value", "threshold", "observed_at", "startsAt",
                              "endsAt", "crisis_type", "version", "groupKey", "url"])
ALERTISH = st.dictionaries(ALERT_KEYS, JSON, max_size=10)
BODY = st.one_of(
    ALERTISH.map(lambda d: json.dumps(d).encode()),
    st.fixed_dictionaries({"version": st.just("4"), "status": st.sampled_from(["firing", "x"]),
                           "alerts": st.lists(ALERTISH, max_size=3)}).map(lambda d: json.dumps(d).encode()),
    JSON.map(lambda d: json.dumps(d).encode()),
    st.binary(max_size=200),
)


@pytest.fixture(scope="module")
def monitored(tmp_path_factory, pg_server, pg_template):
    from tests.conftest import FakeClock, fresh_pg_database
    from tests.integration.monitor_helpers import SECRET

    w = make_world(tmp_path_factory.mktemp("fuzz-monitors"), clock=FakeClock(),
                   database_url=fresh_pg_database(pg_server, pg_template), monitor_secret=SECRET)
    yield w
    w.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["alertmanager", "grafana", "generic"]), body=BODY)
def test_any_webhook_body_gets_a_clear_answer(monitored, kind, body):
    from tests.integration.monitor_helpers import post

    response = post(monitored.server.url, kind, None, raw=body)
    assert response.status_code in (202, 400, 422), (response.status_code, body, response.text)
    answer = response.json()
    if response.status_code == 202:
        entries = answer if isinstance(answer, list) else [answer]
        assert all(e["action"] in {"opened", "linked", "deduplicated", "snoozed", "resolved",
                                   "ignored"} for e in entries)
    else:
        assert answer["error"].strip()
