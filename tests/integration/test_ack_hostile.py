"""Hostile acknowledgement links and *Acknowledge* clicks against the real bot: odd digits,
huge numbers, non-ASCII signatures and forged button values are refused, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.slack_world import make_world
from tests.integration.test_paging import config, pages, step, vendors  # noqa: F401
from tests.integration.vendor_standins import DING_SECRET, SMS_TOKEN, WECOM_KEY


@pytest.fixture
def world(tmp_path, clock, vendors, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TEST_WECOM_KEY", WECOM_KEY)
    monkeypatch.setenv("TEST_DING_SECRET", DING_SECRET)
    monkeypatch.setenv("TEST_SMS_TOKEN", SMS_TOKEN)
    w = make_world(tmp_path, clock=clock, extra_config=config(*vendors))
    yield w
    w.close()


@pytest.mark.parametrize("query", [
    {"i": "²", "u": "ULEGAL", "s": "0" * 40},
    {"i": "١", "u": "ULEGAL", "s": "0" * 40},
    {"i": "9" * 5000, "u": "ULEGAL", "s": "0" * 40},
    {"i": "1", "u": "ULEGAL", "s": "é" * 40},
    {"i": "1", "u": "ULEGAL\x00", "s": "0" * 40},
])
def test_hostile_link_parameters_are_refused_not_a_500(world, query):
    world.declare("Checkout leaking card numbers", extra="sev:SS type:service_logistics")
    step(world)
    with httpx.Client(base_url=world.server.url) as http:
        assert http.get("/pages/ack", params=query).status_code == 403
        assert http.post("/pages/ack", data=query).status_code in (403, 413)
    assert not [e for e in pages(world) if e.name == "page.acknowledged"]


def test_a_link_signed_for_a_huge_incident_number_is_refused_not_a_500(world):
    world.declare("Checkout leaking card numbers", extra="sev:SS type:service_logistics")
    step(world)
    number = 10**30
    sig = world.bot.paging.links.signature(number, "ULEGAL")
    with httpx.Client(base_url=world.server.url) as http:
        answer = http.post("/pages/ack", data={"i": str(number), "u": "ULEGAL", "s": sig})
    assert answer.status_code in (403, 409), answer.text


@pytest.mark.parametrize("value", ["abc", "", "-1", "²", "9" * 5000, "99999999999999999999", "2"])
def test_forged_acknowledge_button_values_acknowledge_nothing(world, value):
    world.declare("Checkout leaking card numbers", extra="sev:SS type:service_logistics")
    step(world)
    world.click("page_ack", value=value, user="UCOMMS")
    assert not [e for e in pages(world) if e.name == "page.acknowledged"]
