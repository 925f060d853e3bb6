"""Raw posts over HTTP (``POST /monitors/posts``) against the real bot: authenticated like
the monitor webhooks; classified and stored; bad records named one by one while the good
ones are kept; the post series feed the pandas rules, which open an incident."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.db.listening import SqlPostStore
from tests.conftest import T0
from tests.integration.listening_helpers import (
    listening_config,
    negative_burst,
    raw_post,
    send_posts,
)
from tests.integration.monitor_helpers import SECRET
from tests.integration.slack_world import make_world


@pytest.fixture
def world(tmp_path, clock):
    w = make_world(tmp_path, clock=clock, monitor_secret=SECRET, extra_config=listening_config())
    yield w
    w.close()


def stored(world):
    return {p.key: p for p in SqlPostStore(world.bot.core.engine).posts(since=T0 - timedelta(days=30))}


def test_posts_without_the_secret_are_refused_and_nothing_is_stored(world):
    body = [raw_post("Acme is great", at=T0)]
    assert send_posts(world.server.url, body, secret=None).status_code == 401
    assert send_posts(world.server.url, body, secret="wrong-secret-wrong-secret").status_code == 401
    assert stored(world) == {}


def test_a_signed_batch_is_classified_and_stored_with_language_detected(world):
    body = {"posts": [
        raw_post("用了艾克美的面霜第二天就烂脸了，太可怕了", at=T0, id="a1"),
        raw_post("艾克美這次處理得很好，退款很快", at=T0, id="a2", lang="zh-Hant"),
        raw_post("Switched to Globex after the Acme mess and loving it.", at=T0, id="a3",
                 platform="x", url="https://x.example/status/a3"),
        raw_post("The new Acme Anvil hammer review is up", at=T0, id="a4"),
    ]}
    response = send_posts(world.server.url, body, sign=True)
    assert response.status_code == 202, response.text
    assert response.json()["stored"] == 4 and response.json()["rejected"] == []
    posts = stored(world)
    burn, praise, globex, anvil = (posts["weibo:a1"], posts["weibo:a2"], posts["x:a3"], posts["weibo:a4"])
    assert burn.lang == "zh" and burn.sentiment == "negative"
    assert burn.classes == {"brand", "industry"}  # 艾克美 and 面霜, found by the segmenter
    assert praise.classes == {"brand"} and praise.sentiment == "positive"  # Traditional script
    assert globex.lang == "en" and globex.classes == {"brand", "competitor"}
    assert globex.entities == ("brand:Acme", "competitor:Globex")
    assert globex.url == "https://x.example/status/a3"
    assert anvil.classes == frozenset()  # the exclusion: Acme Anvil is not our shop


def test_bad_records_are_named_one_by_one_and_the_good_ones_are_kept(world):
    body = [
        raw_post("Acme delivered early, thanks", at=T0, id="ok1"),
        {"id": "bad1", "platform": "weibo", "text": "no time", "author": "a"},
        raw_post("Acme again", at=T0, id="bad2") | {"posted_at": "yesterday"},
        raw_post("Acme again", at=T0, id="bad3", followers=-5),
        raw_post("Acme again", at=T0, id="bad4", lang="fr"),
        "not an object",
        raw_post("艾克美发货很快", at=T0, id="ok2"),
    ]
    response = send_posts(world.server.url, body)
    assert response.status_code == 202
    answer = response.json()
    assert answer["stored"] == 2
    errors = {r["index"]: r["error"] for r in answer["rejected"]}
    assert errors == {
        1: "posts[1].posted_at is missing",
        2: "posts[2].posted_at: 'yesterday' is not an ISO-8601 time",
        3: "posts[3].followers must be a whole number ≥ 0",
        4: "posts[4].lang must be zh (zh-Hans, zh-Hant, zh-TW, zh-HK) or en, not 'fr'; "
           "leave it out to detect it",
        5: "posts[5]: must be an object with id, platform, text, posted_at, author",
    }
    assert [r["id"] for r in answer["rejected"]] == ["bad1", "bad2", "bad3", "bad4", None]
    assert set(stored(world)) == {"weibo:ok1", "weibo:ok2"}


def test_a_batch_with_no_valid_post_or_no_json_stores_nothing(world):
    response = send_posts(world.server.url, [{"id": 1}])
    assert response.status_code == 400
    assert response.json()["rejected"][0]["error"] == "posts[0].platform is missing"
    response = send_posts(world.server.url, None, raw=b"{not json")
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
    response = send_posts(world.server.url, {"items": []})
    assert response.status_code == 400
    assert response.json()["error"] == 'the body must be a list of posts or {"posts": [...]}'
    assert stored(world) == {}


def test_a_post_sent_again_updates_its_engagement_only(world):
    send_posts(world.server.url, [raw_post("Acme cream burned me", at=T0, id="r1", likes=1)])
    send_posts(world.server.url, [raw_post("edited text", at=T0, id="r1", likes=900)])
    (again,) = stored(world).values()
    assert again.likes == 900 and again.text == "Acme cream burned me"


def test_negative_brand_posts_surging_open_an_incident_through_the_rule(world):
    """posts → series → rule (negative brand +300 % against 24 h earlier) → incident."""
    baseline = [raw_post("Acme cream burned my face", at=T0 - timedelta(hours=24, minutes=30 + i))
                for i in range(4)]
    response = send_posts(world.server.url, baseline)
    assert response.status_code == 202
    assert all(a["action"] != "opened" for a in response.json()["alerts"])
    assert world.bot.core.incidents.list() == []
    response = send_posts(world.server.url, negative_burst(T0, 20))
    assert response.status_code == 202
    assert response.json()["alerts"] == [{"incident": "INC-1", "action": "opened"}]
    world.bot.gateway.drain()
    incident = world.incident(1)
    assert incident.source == "monitor:listening-negative-brand"
    assert incident.crisis_type == "brand_reputation"
    (fired,) = incident.firing.values()
    assert fired.value == 400.0 and fired.threshold == 300  # 4 → 20 negative brand posts an hour
    assert any("Negative brand mentions surging" in t for t in world.texts(1))
    # A later batch while it still fires is a repeat, not a second incident.
    response = send_posts(world.server.url, negative_burst(T0, 3, minutes=5))
    assert response.json()["alerts"][0]["incident"] == "INC-1"
    assert len(world.bot.core.incidents.list()) == 1
