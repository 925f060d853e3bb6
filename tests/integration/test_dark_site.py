"""The crisis dark site served by the real bot: dormant until a statement is published over
signed HTTP, then the statements in each language, the history, the FAQ, the feeds — and
nothing internal (titles, incident numbers, people, channels) on any of it."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.cli import main
from tests.integration.dark_site_helpers import (
    ATOM,
    TITLE,
    check_atom,
    declare,
    publish,
    site_world,
)


@pytest.fixture
def world(tmp_path, clock, db_url):
    w = site_world(tmp_path, clock=clock, db_url=db_url)
    yield w
    w.close()


def get(world, path: str, **kwargs) -> httpx.Response:
    return httpx.get(world.server.url + path, timeout=60, **kwargs)


def internal_words(world) -> list[str]:
    return ["INC-", TITLE, "Warehouse 7", "USPOKE", "UCOMMS", "ULEGAL", "crisis-comms",
            "website", "inc-1"]


def test_the_site_is_dormant_and_calm_until_a_statement_is_published(world):
    declare(world)  # an incident alone publishes nothing
    page = get(world, "/news/")
    assert page.status_code == 200
    assert "No active notices" in page.text
    assert "help.acme.example" in page.text  # the contact channels stay on the page
    assert '<meta name="robots" content="noindex">' in page.text
    assert "<script" not in page.text
    assert page.headers["cache-control"] == "public, max-age=60"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert all(word not in page.text for word in internal_words(world))
    feed = check_atom(get(world, "/news/feed.atom").content)
    assert feed.findall(f"{ATOM}entry") == []
    assert get(world, "/news/feed.json").json()["items"] == []


def test_published_statements_show_in_both_languages_with_history_and_feeds(world, clock):
    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    publish(world, number, "customers", "holding", "zh")
    first = world.incident(number).statement(1).text
    chinese = world.incident(number).statement(2).text
    clock.advance(minutes=40)
    world.cmd(f"INC-{number} fact Refunds for damaged parcels start today", user="UCOMMS")
    world.cmd(f"INC-{number} fact confirm 2")
    publish(world, number, "customers", "update", "en")
    update = world.incident(number).statement(3).text

    page = get(world, "/news/en/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="en">' in html
    assert 'lang="zh-Hans"' in html and 'lang="en"' in html
    for text in (first, chinese, update):
        assert _escaped(text) in html
    # current: the update replaces the English holding statement, which stays in the history
    current = html.split("History of updates")[0]
    assert _escaped(update) in current and _escaped(first) not in current
    history = html.split("History of updates")[1].split("</ul>")[0]
    assert history.count("<li") == 3 and "Replaced by a later update" in history
    assert "Next update expected by" in html  # S: every 60 min from the last statement
    assert "Beijing time" in html
    assert all(word not in html for word in internal_words(world))

    root = check_atom(get(world, "/news/feed.atom").content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    assert entries[0].findtext(f"{ATOM}content") == update  # newest first
    feed = get(world, "/news/feed.json")
    assert feed.headers["content-type"].startswith("application/feed+json")
    document = feed.json()
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["content_text"] for item in document["items"]] == [update, chinese, first] or \
        [item["content_text"] for item in document["items"]] == [update, first, chinese]
    assert {item["language"] for item in document["items"]} == {"en", "zh-Hans"}
    raw = get(world, "/news/feed.atom").text + feed.text
    assert all(word not in raw for word in internal_words(world))


def test_reader_language_and_zone_are_chosen_on_the_server(world):
    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    chinese = get(world, "/news/", headers={"accept-language": "zh-TW,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-Hans">' in chinese.text and "台北时间" in chinese.text
    assert chinese.headers["vary"] == "Accept-Language"
    london = get(world, "/news/en/?tz=Europe/London")
    assert "London time" in london.text
    assert 'href="../zh/?tz=Europe/London"' in london.text  # the switch keeps the zone
    bogus = get(world, "/news/en/?tz=../../etc/passwd&lang=<x>")
    assert bogus.status_code == 200 and "Beijing time" in bogus.text


def test_a_confidential_incident_appears_only_through_its_published_statements(world):
    number = declare(world, "Customer addresses exposed on order page",
                     extra="sev:S type:data_security")
    assert world.incident(number).confidential
    publish(world, number, "customers", "holding", "en")
    publish(world, number, "media", "qa", "en")
    page = get(world, "/news/").text
    assert _escaped(world.incident(number).statement(1).text) in page
    assert "Frequently asked questions" in page and "What happened?" in page
    feeds = get(world, "/news/feed.atom").text + get(world, "/news/feed.json").text
    for leaked in ("Customer addresses exposed", "order page", "INC-", "Media Q&amp;A kit",
                   "For the spokesperson"):
        assert leaked not in page and leaked not in feeds


def test_cache_validators_answer_304_and_hostile_requests_never_fail(world):
    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    first = get(world, "/news/en/")
    again = get(world, "/news/en/", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    for path, headers in (
        ("/news/?tz=" + "A" * 5000, {}),
        ("/news/?tz=%00&lang=%ff", {}),
        ("/news/", {"accept-language": "x" * 10000}),
        ("/news/", {"accept-language": "zh-Hant;q=abc, ;;;, *;q=-1"}),
        ("/news/feed.atom?x=<script>", {"if-none-match": "\"" * 300}),
        ("/news/zh/?tz=Asia/Shanghai%22%3E%3Cscript%3E", {}),
        ("/news/nothing-here", {}),
        ("/news", {}),
    ):
        response = get(world, path, headers=headers)
        assert response.status_code < 500, (path, response.status_code)
        assert "<script>" not in response.text


def test_the_site_answers_only_for_its_host_when_one_is_set(tmp_path, clock):
    w = site_world(tmp_path, clock=clock, dark_site={"host": "news.acme.example"})
    try:
        assert get(w, "/news/").status_code == 404
        served = get(w, "/news/", headers={"host": "news.acme.example"})
        assert served.status_code == 200 and "No active notices" in served.text
        assert get(w, "/healthz").status_code == 200
    finally:
        w.close()


def test_site_export_writes_static_files_for_a_cdn(world, tmp_path, monkeypatch, capsys):
    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    publish(world, number, "customers", "holding", "zh")
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", world.bot.core.settings.database_url)
    monkeypatch.setenv("CRISISBOT_CONFIG", str(world.bot.core.settings.config_path))
    out = tmp_path / "export"
    assert main(["site", "export", str(out), "--base-url", "https://news.acme.example/"]) == 0
    assert "2 files" not in capsys.readouterr().out
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == ["en/index.html", "feed.atom", "feed.json", "index.html", "zh/index.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert _escaped(world.incident(number).statement(2).text) in index
    assert "<form" not in index  # no zone picker without a server
    root = check_atom((out / "feed.atom").read_bytes())
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "https://news.acme.example/feed.atom"
    assert json.loads((out / "feed.json").read_text(encoding="utf-8"))["feed_url"] == \
        "https://news.acme.example/feed.json"
    assert main(["site", "export", str(out / "index.html")]) == 2  # a file, not a directory
    assert "not a directory" in capsys.readouterr().err


def _escaped(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def test_a_corrected_statement_stays_visible_marked_as_corrected(world, clock):
    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    original = world.incident(number).statement(1).text
    clock.advance(minutes=20)
    refused = world.cmd(f"INC-{number} statement correct 1", user="USPOKE")
    assert "Say what was wrong" in refused["text"]
    drafted = world.cmd(f"INC-{number} statement correct 1 the helpline number was wrong",
                        user="USPOKE")
    assert "corrects statement #1" in drafted["text"]
    correction = world.incident(number).statement(2)
    assert (correction.corrects, correction.audience, correction.text) == (1, "customers", original)
    again = world.cmd(f"INC-{number} statement correct 1 twice", user="USPOKE")
    assert "already being drafted" in again["text"]
    world.cmd(f"INC-{number} statement submit 2", user="USPOKE")
    world.cmd(f"INC-{number} statement approve 2", user="UCOMMS")
    world.cmd(f"INC-{number} statement approve 2", user="ULEGAL")
    same = world.cmd(f"INC-{number} statement publish 2 website", user="UCOMMS")
    assert "still the same" in same["text"]  # a correction must change something
    fixed = original.replace("400-800-1234", "400-800-4321")
    assert fixed != original
    world.cmd(f"INC-{number} statement edit 2 {fixed}", user="USPOKE")
    world.cmd(f"INC-{number} statement submit 2", user="USPOKE")
    world.cmd(f"INC-{number} statement approve 2", user="UCOMMS")
    world.cmd(f"INC-{number} statement approve 2", user="ULEGAL")
    world.cmd(f"INC-{number} statement publish 2 website", user="UCOMMS")
    assert world.incident(number).statement(1).corrected_by == 2

    html = get(world, "/news/en/").text
    current, history = html.split("History of updates")
    assert _escaped(fixed) in current and _escaped(original) not in current
    assert "the helpline number was wrong" in current and "Read the original" in current
    assert _escaped(original) in history  # the withdrawn text is kept, word for word
    assert "Withdrawn and corrected" in history and "Read the correction" in history
    root = check_atom(get(world, "/news/feed.atom").content)
    entries = {e.findtext(f"{ATOM}content"): e for e in root.findall(f"{ATOM}entry")}
    withdrawn = entries[original]
    assert withdrawn.findtext(f"{ATOM}title").startswith("Withdrawn and corrected: ")
    assert withdrawn.findtext(f"{ATOM}updated") > withdrawn.findtext(f"{ATOM}published")
    assert entries[fixed].findtext(f"{ATOM}title").startswith("Correction: ")
    items = {i["content_text"]: i for i in get(world, "/news/feed.json").json()["items"]}
    assert items[original]["date_modified"] > items[original]["date_published"]
    assert "the helpline number was wrong" in items[fixed]["summary"]
    again = world.cmd(f"INC-{number} statement correct 1 once more", user="USPOKE")
    assert "already corrected by #2" in again["text"]


def test_a_resolved_notice_stays_for_keep_days_then_the_site_is_dormant_again(world, clock):
    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    assert "Next update expected by" in get(world, "/news/en/").text
    world.cmd(f"INC-{number} resolve parcels re-sent", user="ULEAD")
    resolved = get(world, "/news/en/").text
    assert '<span class="state resolved">Resolved</span>' in resolved
    assert "Next update" not in resolved  # the cadence stops with the incident
    clock.advance(days=29)
    assert "No active notices" not in get(world, "/news/en/").text
    clock.advance(days=2)
    assert "No active notices" in get(world, "/news/en/").text
