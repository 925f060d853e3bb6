"""Drills stay harmless with everything that reaches beyond Slack (issue 18 with issues 19–21):
with a duty rota, paging, publish targets (the dark site, a signed CMS webhook, a Slack status
channel) and the dark site all configured, a drill pages nobody, invites nobody from the rota,
publishes nowhere, never shows on the dark site (page, feeds, static export), never becomes a
knowledge-base case, and gets no listening digests, KOL callouts or KOL-pool briefing task —
while a real incident in the same world does each of these."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.outbound.store import OutboundRow, PageRow
from bot.bootstrap import build_knowledge
from bot.cli import main
from tests.integration.dark_site_helpers import ATOM, check_atom
from tests.integration.dark_site_helpers import CONFIG as SITE_CONFIG
from tests.integration.listening_helpers import raw_post, send_posts
from tests.integration.monitor_helpers import SECRET
from tests.integration.slack_world import make_world
from tests.integration.vendor_standins import CMS_SECRET, WECOM_KEY, SmtpServer, start_standins

FACILITATOR = "UANNA"
#: On duty for comms by the rota (the roster names UCOMMS): a declaration invites and pages them.
ON_DUTY = "UDUTY"
DRILL_FACT = "Serum batch 42 was pulled from the shelves at 10:00"
REAL_FACT = "Parcels in one warehouse were damaged by water"
KOL = "美妆博主Lily"


@pytest.fixture
def vendors():
    stand = start_standins()
    smtp = SmtpServer()
    yield stand, smtp
    smtp.stop()
    stand.stop()


def config(stand, smtp) -> dict:
    wecom = f"{stand.url}/cgi-bin/webhook/send?key=env:TEST_WECOM_KEY"
    return {
        **SITE_CONFIG,
        "drills": {"channel": "crisis-drills", "facilitators": [FACILITATOR]},
        "oncall": {"time_zone": "UTC", "roles": {"comms": [{"members": [ON_DUTY], "period": "daily"}]}},
        "paging": {
            "timeouts": {"SS": "5m", "S": "15m"}, "repeats": 1,
            "public_url": "https://crisis.acme.example",
            "channels": {
                "wecom": {"type": "wecom", "url": wecom},
                "mail": {"type": "smtp", "host": "127.0.0.1", "port": smtp.port,
                         "from": "crisisbot@acme.example"},
            },
            "people": {
                ON_DUTY: [{"channel": "wecom"}],
                "UCOMMS": [{"channel": "wecom"}],
                "ULEGAL": [{"channel": "mail", "to": "legal@acme.example"}],
                "USPOKE": [{"channel": "mail", "to": "spoke@acme.example"}],
                "UEXEC": [{"channel": "mail", "to": "exec@acme.example"}],
            },
        },
        "publish": {
            "targets": {
                "site": {"type": "site"},
                "cms": {"type": "webhook", "url": f"{stand.url}/cms/hook",
                        "secret": "env:TEST_CMS_SECRET"},
                "status": {"type": "slack", "channel": "crisis-status"},
            },
            "audiences": {"customers": ["site", "cms", "status"]},
        },
        "listening": {"keywords": {"brand": [{"term": "Acme", "aliases": ["艾克美"]}]},
                      "evaluate_every": 0, "kol_followers": 500_000, "digest_every": "1h",
                      "kol_pool": [{"name": "Dr. Wen (dermatologist)", "platform": "weibo",
                                    "handle": "drwen_skin", "contact": "wen@agency.example",
                                    "quota": 2}]},
    }


@pytest.fixture
def world(tmp_path, clock, vendors, monkeypatch, db_url):
    monkeypatch.setenv("TEST_WECOM_KEY", WECOM_KEY)
    monkeypatch.setenv("TEST_CMS_SECRET", CMS_SECRET)
    w = make_world(tmp_path, clock=clock, database_url=db_url, monitor_secret=SECRET,
                   extra_config=config(*vendors))
    w.emulator.add_user(ON_DUTY, name="duty")
    for name in ("crisis-comms", "crisis-drills", "crisis-status"):
        w.emulator.add_channel(name, members=["UBOT"])
    yield w
    w.close()


# ------------------------------------------------------------------ helpers


def start_drill(world, scenario: str, team: str = "<@ULEAD>") -> int:
    reply = world.cmd(f"drill start {scenario} team {team}", user=FACILITATOR, channel=world.general)
    assert "started" in reply["text"], reply
    number = max(r.number for r in world.bot.core.incidents.list())
    assert world.bot.drills.is_drill(number)
    return number


def in_room(world, number: int):
    channel = world.bot.gateway.store.place(number).channel_id
    return lambda text, user="ULEAD": world.cmd(text, user=user, channel=channel)


def step(world) -> None:
    """One paging pass (due pages, due vendor and publish deliveries) and the Slack outbox."""
    world.bot.paging.step()
    world.bot.gateway.drain()


def rows(world, model, number: int) -> list:
    with Session(world.bot.core.engine) as session:
        return list(session.scalars(select(model).where(model.incident == number)).all())


def events(world, number: int, prefix: str) -> list:
    return [e for e in world.bot.core.incidents.timeline(number) if e.name.startswith(prefix)]


def members(world, number: int) -> set[str]:
    name = world.bot.gateway.store.place(number).channel_name
    return set(world.emulator.channel_by_name(name)["members"])


def site(world, path: str = "/news/en/") -> httpx.Response:
    response = httpx.get(world.server.url + path, timeout=60)
    assert response.status_code == 200
    return response


def escaped(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def publish_statement(world, number: int, fact: str) -> str:
    """In the incident's own room: comms and legal take their roles, a fact is confirmed, and a
    customer holding statement is drafted, approved and published; returns its text."""
    cmd = in_room(world, number)
    for role, user in (("comms", "UCOMMS"), ("legal", "ULEGAL")):
        text = cmd(f"role {role} <@{user}>")["text"]
        assert ":white_check_mark:" in text or "already" in text, text
    cmd(f"fact {fact}", user="UCOMMS")
    cmd(f"fact confirm {len(world.incident(number).facts)}")
    assert "Drafted" in cmd("statement customers holding en")["text"]
    statement_id = len(world.incident(number).statements)
    cmd(f"statement submit {statement_id}")
    cmd(f"statement approve {statement_id}", user="UCOMMS")
    cmd(f"statement approve {statement_id}", user="ULEGAL")
    reply = cmd(f"statement publish {statement_id}", user="UCOMMS")
    statement = world.incident(number).statement(statement_id)
    assert statement.state.value == "published", reply
    assert fact in statement.text
    return statement.text


def declare_real(world, title: str, extra: str) -> int:
    world.cmd(f"declare {title} {extra}", channel=world.general)
    number = max(r.number for r in world.bot.core.incidents.list())
    assert not world.bot.drills.is_drill(number)
    return number


# ------------------------------------------------------------------ paging and the rota


def test_a_drill_at_a_paging_severity_pages_nobody_and_invites_nobody_from_the_rota(world, vendors, clock):
    stand, smtp = vendors
    drill = start_drill(world, "checkout-outage-sales-day")  # SS: a real one pages at once
    assert world.incident(drill).severity.value == "SS"
    step(world)
    in_room(world, drill)("sev S")
    in_room(world, drill)("sev SS")  # raised again inside the drill
    for _ in range(3):  # past every page timeout: nothing to repeat or escalate either
        clock.advance(minutes=16)
        step(world)
    assert events(world, drill, "page.") == []
    assert rows(world, PageRow, drill) == [] and rows(world, OutboundRow, drill) == []
    assert stand.got("wecom") == [] and smtp.messages == []
    # Only the team and the facilitator are in the drill room: not the on-duty comms lead.
    assert members(world, drill) == {"ULEAD", FACILITATOR, "UBOT"}
    assert not [m for m in world.messages(drill) if "Paging" in m.get("text", "")]

    # The same world pages and invites for a real SS incident: the configuration is live.
    real = declare_real(world, "Checkout leaking card numbers", "sev:SS type:service_logistics")
    step(world)
    paged = {(e.role, e.user) for e in events(world, real, "page.sent")}
    assert ("comms", ON_DUTY) in paged
    assert ON_DUTY in members(world, real)
    assert len(stand.got("wecom")) >= 1 and smtp.messages
    assert rows(world, PageRow, drill) == [] and rows(world, OutboundRow, drill) == []


# ------------------------------------------------------------------ publish targets and the dark site


def test_a_drill_publication_reaches_no_target_and_the_dark_site_stays_dormant(
        world, vendors, tmp_path, monkeypatch):
    stand, _ = vendors
    drill = start_drill(world, "courier-strike-festival")
    drill_text = publish_statement(world, drill, DRILL_FACT)
    step(world)
    step(world)
    assert rows(world, OutboundRow, drill) == []
    assert events(world, drill, "statement.delivered") == []
    assert stand.got("cms") == []
    assert world.emulator.messages("crisis-status") == []
    assert any("Drill publication" in t for t in world.texts(drill))
    # The dark site, its feeds and its static export stay dormant.
    for path in ("/news/", "/news/en/"):
        assert "No active notices" in site(world, path).text
    assert DRILL_FACT not in site(world, "/news/zh/").text
    assert check_atom(site(world, "/news/feed.atom").content).findall(f"{ATOM}entry") == []
    assert site(world, "/news/feed.json").json()["items"] == []
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", world.bot.core.settings.database_url)
    monkeypatch.setenv("CRISISBOT_CONFIG", str(world.bot.core.settings.config_path))
    dormant = tmp_path / "dormant"
    assert main(["site", "export", str(dormant)]) == 0
    assert "No active notices" in (dormant / "index.html").read_text(encoding="utf-8")
    assert check_atom((dormant / "feed.atom").read_bytes()).findall(f"{ATOM}entry") == []

    # A real incident's publication in the same world goes out and goes live.
    real = declare_real(world, "Warehouse 7 sprinkler flood ruined parcels",
                        "sev:S type:service_logistics")
    real_text = publish_statement(world, real, REAL_FACT)
    assert DRILL_FACT not in real_text
    step(world)
    assert [d["statement"]["text"] for d in stand.got("cms")] == [real_text]
    assert [m["text"] for m in world.emulator.messages("crisis-status") if REAL_FACT in m["text"]]
    assert not [m for m in world.emulator.messages("crisis-status") if DRILL_FACT in m["text"]]
    page = site(world).text
    assert escaped(real_text) in page and DRILL_FACT not in page
    entries = check_atom(site(world, "/news/feed.atom").content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}content") for e in entries] == [real_text]
    assert [i["content_text"] for i in site(world, "/news/feed.json").json()["items"]] == [real_text]
    live = tmp_path / "live"
    assert main(["site", "export", str(live)]) == 0
    exported = "".join(p.read_text(encoding="utf-8") for p in live.rglob("*") if p.is_file())
    assert escaped(real_text) in exported and DRILL_FACT not in exported
    assert drill_text not in exported


# ------------------------------------------------------------------ the knowledge base


def similar_message(world, number: int) -> dict | None:
    return next((m for m in world.messages(number)
                 if m.get("text", "").startswith("Similar past crises")), None)


def test_an_ended_drill_is_never_a_case_nor_a_similar_past_crisis(world, monkeypatch, capsys):
    knowledge = build_knowledge(world.bot.core)
    # A real past crisis of the same type, resolved: the knowledge base's one case.
    past = declare_real(world, "Parcels lost in the strike week", "sev:S type:service_logistics")
    world.cmd(f"INC-{past} note lesson: book a backup courier before the festival")
    world.cmd(f"INC-{past} resolve contained")
    assert [c.id for c in knowledge.store.all()] == [f"INC-{past}"]

    drill = start_drill(world, "courier-strike-festival")
    in_room(world, drill)("note lesson: rehearse the courier switch")
    ended = in_room(world, drill)("drill end", user=FACILITATOR)
    assert "expectations met" in ended["text"]
    assert not world.incident(drill).is_active
    in_room(world, drill)("note a late note after the drill ended")
    assert [c.id for c in knowledge.store.all()] == [f"INC-{past}"]
    # Rebuilding the knowledge base from the resolved incidents leaves the drill out too.
    monkeypatch.setenv("CRISISBOT_DATABASE_URL", world.bot.core.settings.database_url)
    monkeypatch.setenv("CRISISBOT_CONFIG", str(world.bot.core.settings.config_path))
    assert main(["kb", "rebuild"]) == 0
    assert "rebuilt 1 case(s)" in capsys.readouterr().out
    assert [c.id for c in build_knowledge(world.bot.core).store.all()] == [f"INC-{past}"]

    later = declare_real(world, "Courier strike delays festival parcels", "sev:S type:service_logistics")
    message = similar_message(world, later)
    assert message is not None, world.texts(later)
    shown = str(message)
    assert f"INC-{past}" in shown
    assert f"INC-{drill}" not in shown and "DRILL" not in shown and "rehearse" not in shown
    answer = in_room(world, later)("lessons courier strike")
    assert f"INC-{drill}" not in str(answer) and "rehearse" not in str(answer)


# ------------------------------------------------------------------ listening


def test_listening_digests_callouts_and_the_kol_brief_skip_a_drill(world, clock):
    drill = start_drill(world, "fake-rumour-video")  # brand reputation: the KOL pool applies
    real = declare_real(world, "Rumour video about Acme spreading", "sev:A type:brand_reputation")
    now = clock.now
    posts = [raw_post("艾克美的面霜是假货？视频都传疯了", at=now - timedelta(minutes=20),
                      author=KOL, followers=2_400_000),
             raw_post("Is the Acme video real? Looks fake to me", at=now - timedelta(minutes=10))]
    answer = send_posts(world.server.url, {"posts": posts})
    assert answer.status_code == 202 and answer.json()["rejected"] == []
    report = world.bot.listening.incidents.tick()
    world.bot.gateway.drain()
    assert report.digests == [real]
    assert report.callouts == {real: [KOL]}
    assert report.briefs == [real]
    texts = "\n".join(world.texts(drill))
    assert "What people are saying" not in texts and "KOL post" not in texts
    assert not [t for t in world.incident(drill).tasks if "KOL pool" in t.text.en]
    assert [t for t in world.incident(real).tasks if "KOL pool" in t.text.en]
    clock.advance(hours=1)
    later = world.bot.listening.incidents.tick()
    assert later.digests == [real] and drill not in later.callouts
