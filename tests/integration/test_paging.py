"""Paging outside Slack: pages to each vendor stand-in, repeats, escalation, acknowledgement in
Slack and by the signed link, all on an injected clock."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.integration.slack_world import make_world
from tests.integration.vendor_standins import (
    DING_TOKEN,
    FEISHU_HOOK,
    FEISHU_SECRET,
    SMS_TOKEN,
    WECOM_KEY,
    SmtpServer,
    start_standins,
)


@pytest.fixture
def vendors():
    stand = start_standins()
    smtp = SmtpServer()
    yield stand, smtp
    smtp.stop()
    stand.stop()


def config(stand, smtp) -> dict:
    return {
        "oncall": {"time_zone": "UTC", "roles": {
            "comms": [{"members": ["UCOMMS"], "period": "daily"},
                      {"name": "secondary", "members": ["UANNA"]}],
            "legal": [{"members": ["ULEGAL"]}],
        }},
        "paging": {
            "timeouts": {"SS": "5m", "S": "15m"}, "repeats": 1,
            "public_url": "https://crisis.acme.example",
            "channels": {
                "wecom": {"type": "wecom",
                          "url": f"{stand.url}/cgi-bin/webhook/send?key=env:TEST_WECOM_KEY"},
                "ding": {"type": "dingtalk", "secret": "env:TEST_DING_SECRET",
                         "url": f"{stand.url}/robot/send?access_token={DING_TOKEN}"},
                "feishu": {"type": "feishu", "secret": FEISHU_SECRET,
                           "url": f"{stand.url}/open-apis/bot/v2/hook/{FEISHU_HOOK}"},
                "sms": {"type": "http", "url": f"{stand.url}/sms/send",
                        "headers": {"Authorization": "Bearer env:TEST_SMS_TOKEN"},
                        "body": '{"to": {{ to|tojson }}, "text": {{ text|tojson }}}'},
                "mail": {"type": "smtp", "host": "127.0.0.1", "port": smtp.port,
                         "from": "crisisbot@acme.example"},
            },
            "people": {
                "UCOMMS": [{"channel": "wecom"}, {"channel": "ding", "to": "13800000000"}],
                "ULEGAL": [{"channel": "feishu"}, {"channel": "sms", "to": "+8613900000000"}],
                "UANNA": [{"channel": "mail", "to": "anna@acme.example"}],
                "UEXEC": [{"channel": "mail", "to": "exec@acme.example"}],
                "USPOKE": [{"channel": "ding"}],
            },
        },
    }


@pytest.fixture
def world(tmp_path, clock, vendors, monkeypatch, db_url):
    from tests.integration.vendor_standins import DING_SECRET

    monkeypatch.setenv("TEST_WECOM_KEY", WECOM_KEY)
    monkeypatch.setenv("TEST_DING_SECRET", DING_SECRET)
    monkeypatch.setenv("TEST_SMS_TOKEN", SMS_TOKEN)
    w = make_world(tmp_path, clock=clock, extra_config=config(*vendors), database_url=db_url)
    yield w
    w.close()


def pages(world, number: int = 1) -> list:
    return [e for e in world.bot.core.incidents.timeline(number) if e.name.startswith("page.")]


def step(world) -> None:
    world.bot.paging.step()
    world.bot.gateway.drain()


def test_declaring_ss_pages_each_assembled_role_through_every_vendor(world, vendors):
    stand, smtp = vendors
    world.declare("Checkout leaking card numbers", extra="sev:SS type:service_logistics")
    step(world)
    sent = {(e.role, e.user) for e in pages(world) if e.name == "page.sent"}
    # The declarer leads and is not paged; the others are, the comms lead from the rota.
    assert sent == {("comms", "UCOMMS"), ("legal", "ULEGAL"), ("spokesperson", "USPOKE"),
                    ("exec", "UEXEC")}
    wecom = stand.got("wecom")
    assert len(wecom) == 1 and wecom[0]["msgtype"] == "markdown"
    assert "INC-1" in wecom[0]["markdown"]["content"] and "传播负责人" in wecom[0]["markdown"]["content"]
    ding = stand.got("dingtalk")
    assert len(ding) == 2 and {tuple(d["at"]["atMobiles"]) for d in ding} == {("13800000000",), ()}
    feishu = stand.got("feishu")
    assert len(feishu) == 1 and "Checkout leaking card numbers" in feishu[0]["content"]["text"]
    sms = stand.got("sms")
    assert sms[0]["to"] == "+8613900000000" and "/pages/ack?" in sms[0]["text"]
    assert [m["to"] for m in smtp.messages] == [["exec@acme.example"]]
    assert not stand.refused
    prompts = [m for m in world.messages() if "Acknowledge" in json.dumps(m.get("blocks", []))]
    assert len(prompts) == 4


def test_unacknowledged_pages_repeat_then_escalate_then_reach_the_exec(world, vendors, clock):
    _, smtp = vendors
    world.declare("Checkout leaking card numbers", extra="sev:SS type:service_logistics")
    step(world)
    clock.advance(minutes=4, seconds=59)
    step(world)
    assert len([e for e in pages(world) if e.name == "page.sent"]) == 4  # not yet
    clock.advance(seconds=1)
    step(world)
    repeats = [e for e in pages(world) if e.name == "page.sent" and e.reason == "repeat"]
    assert {e.role for e in repeats} == {"comms", "legal", "spokesperson", "exec"}
    clock.advance(minutes=5)
    step(world)
    escalated = {e.role: e for e in pages(world) if e.name == "page.escalated"}
    assert escalated["comms"].from_user == "UCOMMS" and escalated["comms"].to_user == "UANNA"
    assert escalated["spokesperson"].to_user == "UEXEC"  # no second layer: the exec
    assert "anna@acme.example" in [m["to"][0] for m in smtp.messages]
    clock.advance(minutes=10)
    step(world)
    clock.advance(minutes=5)
    step(world)
    escalated = [e for e in pages(world) if e.name == "page.escalated" and e.role == "comms"]
    assert [e.to_user for e in escalated] == ["UANNA", "UEXEC"]
    clock.advance(minutes=10)
    step(world)
    clock.advance(minutes=5)
    step(world)
    last = [e for e in pages(world) if e.name == "page.escalated" and e.role == "comms"][-1]
    assert last.to_user == ""  # nobody left
    count = len(pages(world))
    clock.advance(hours=1)
    step(world)
    assert len(pages(world)) == count  # it stops


def test_acknowledge_in_slack_stops_the_paging_of_that_person(world, clock):
    world.declare("Checkout leaking card numbers", extra="sev:SS type:service_logistics")
    step(world)
    reply = world.click("page_ack", value="1", user="UCOMMS")
    assert "Acknowledged (comms)" in reply["text"]
    again = world.click("page_ack", value="1", user="UCOMMS")
    assert "Nothing of yours is waiting" in again["text"]
    stranger = world.click("page_ack", value="1", user="UANNA")
    assert "Nothing of yours is waiting" in stranger["text"]
    clock.advance(minutes=6)
    step(world)
    acks = [e for e in pages(world) if e.name == "page.acknowledged"]
    assert [(a.role, a.user, a.via) for a in acks] == [("comms", "UCOMMS", "slack")]
    repeats = {e.role for e in pages(world) if e.name == "page.sent" and e.reason == "repeat"}
    assert "comms" not in repeats and "legal" in repeats


def test_the_signed_link_acknowledges_after_a_confirming_post(world, clock):
    world.declare("Checkout leaking card numbers", extra="sev:SS type:service_logistics")
    step(world)
    url = world.bot.paging.links.url(1, "ULEGAL")
    path = url.removeprefix("https://crisis.acme.example")
    with httpx.Client(base_url=world.server.url) as http:
        shown = http.get(path)
        assert shown.status_code == 200 and "<form" in shown.text
        assert not [e for e in pages(world) if e.name == "page.acknowledged"]  # GET changes nothing
        fields = dict(re.findall(r'name="(\w)" value="([^"]*)"', shown.text))
        clock.advance(minutes=2)
        done = http.post("/pages/ack", data=fields)
        assert done.status_code == 200 and "Acknowledged" in done.text
        forged = http.post("/pages/ack", data={**fields, "u": "UCOMMS"})
        assert forged.status_code == 403
        assert http.get(path.replace("ULEGAL", "UCOMMS")).status_code == 403
    ack = [e for e in pages(world) if e.name == "page.acknowledged"]
    assert [(a.role, a.via, a.seconds) for a in ack] == [("legal", "link", 120.0)]


def test_a_confidential_incident_pages_without_its_details(world, vendors):
    stand, _ = vendors
    world.declare("Payment page shows other customers addresses",
                  extra="sev:SS type:data_security confidential:yes")
    step(world)
    texts = json.dumps(stand.got("wecom") + stand.got("dingtalk") + stand.got("feishu")
                       + stand.got("sms"), ensure_ascii=False)
    assert "INC-1" in texts and "addresses" not in texts and "保密事件" in texts


def test_raising_to_s_pages_and_a_vendor_outage_is_retried(world, vendors, clock):
    stand, _ = vendors
    world.declare("Parcels late", extra="sev:A type:service_logistics")
    step(world)
    assert pages(world) == []  # A pages nobody
    stand.fail_next["wecom"] = 1
    world.cmd("sev S", user="ULEAD")
    step(world)
    assert {e.role for e in pages(world) if e.name == "page.sent"} == {"comms", "legal", "spokesperson"}
    assert stand.got("wecom") == []  # 503: retried later
    clock.advance(seconds=31)
    step(world)
    assert len(stand.got("wecom")) == 1
    assert all(e.reason == "raised" for e in pages(world) if e.name == "page.sent")


def test_the_post_mortem_shows_time_to_acknowledge_per_role(world, clock):
    world.declare("Checkout leaking card numbers", extra="sev:SS type:service_logistics")
    step(world)
    clock.advance(minutes=3)
    world.click("page_ack", value="1", user="UCOMMS")
    world.cmd("resolve contained")
    stored = world.bot.handler.postmortems.generate(1, by="test")
    md = stored.rendered.markdown
    assert "Paging: time to acknowledge" in stored.rendered.html
    assert '"paging"' in stored.rendered.json
    assert "Paging: time to acknowledge" in md
    row = next(line for line in md.splitlines() if line.startswith("| comms"))
    assert "UCOMMS (slack)" in row and "3m" in row
    assert "not acknowledged" in next(line for line in md.splitlines() if line.startswith("| legal"))
