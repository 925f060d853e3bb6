"""Two `crisisbot serve` replicas on one PostgreSQL behind one address: no duplicate
incidents, channels, messages or timeline entries, whichever replica a request reaches."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bot.adapters.slack.ids import Action, encode_ref
from bot.bootstrap import build_core
from bot.settings import Settings
from tests.resilience.proxy import RoundRobinProxy
from tests.resilience.test_crash_restart import wait_for_card


def test_two_replicas_behind_one_address_never_duplicate_anything(site, pg_url):
    replicas = [site.serve(pg_url), site.serve(pg_url)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{r.port}" for r in replicas])
    driver = site.driver(proxy.url)

    def run(text: str, channel: str) -> str:
        reply = driver.replied(lambda: driver.command(text, user="ULEAD", channel=channel))
        assert reply.status_code == 200, reply.text
        return site.emulator.response_url_posts()[-1]["payload"]["text"]

    try:
        assert "INC-1 declared" in run("declare Fake recall notice spreading sev:S "
                                       "type:brand_reputation", site.general)
        channel = wait_for_card(site, "inc-1-fake-recall-notice-spreading")

        # 10 notes sent four at a time land on both replicas.
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda i: driver.replied(lambda: driver.command(
                f"note replica note {i}", user="ULEAD", channel=channel)), range(10)))

        # A double click: the same button twice, one click per replica.
        core = build_core(Settings(database_url=pg_url), migrate=False)
        try:
            task = core.incidents.get(1).blocking_tasks()[0]
        finally:
            core.close()
        for _ in range(2):
            driver.replied(lambda: driver.click(
                action_id=Action.TASK_DONE, value=encode_ref(1, task.no), user="ULEAD",
                channel=channel))

        # Slack retries an event; the retry reaches the other replica.
        ts = site.emulator.add_message(channel, user="UCS", text="Screenshot of the fake notice")
        event = {"type": "reaction_added", "user": "ULEAD", "reaction": "pushpin",
                 "item": {"type": "message", "channel": channel, "ts": ts}, "event_ts": ts}
        assert driver.event(event, event_id="EvRetry").status_code == 200
        assert driver.event(event, event_id="EvRetry", retry_num=1).status_code == 200

        def captured_notices() -> list[dict]:
            return [e for e in site.emulator.ephemerals(channel=channel, user="ULEAD")
                    if e["text"].startswith(":pushpin:")]

        def all_delivered() -> bool:
            texts = [m.get("text", "") for m in site.emulator.messages(channel)]
            pinned = captured_notices()
            # Notes a replica finds queued together share one channel message: count lines.
            return sum(t.count("replica note") for t in texts) >= 10 and len(pinned) >= 1

        assert site.emulator.wait_for(all_delivered, timeout=60)
        assert min(proxy.hits.values()) >= 6       # both replicas really served traffic
    finally:
        driver.close()
        proxy.close()
        for replica in replicas:
            replica.stop()

    core = build_core(Settings(database_url=pg_url), migrate=False)
    try:
        assert [s.number for s in core.incidents.list()] == [1]
        names = Counter(e.name for e in core.incidents.timeline(1))
    finally:
        core.close()
    assert names["note.added"] == 10
    assert names["task.completed"] == 1
    assert names["message.captured"] == 1
    texts = [m.get("text", "") for m in site.emulator.messages(channel)]
    for i in range(10):
        assert sum(bool(re.search(rf"replica note {i}\b", t)) for t in texts) == 1, i
    assert len([r for r in site.emulator.requests("conversations.create") if r["ok"]]) == 1
    assert sum(1 for m in site.emulator.messages(channel) if m.get("pinned")) == 1
    assert len(captured_notices()) == 1
