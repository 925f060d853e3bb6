"""Webhook parsers on real-world payload shapes: Alertmanager v4, Grafana unified alerting, and
crisisbot's generic payload; every malformed shape is refused with the field named."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.monitors.webhooks import (
    PayloadError,
    parse_alertmanager,
    parse_generic,
    parse_grafana,
)
from bot.domain.alerts import AlertStatus
from bot.domain.severity import Severity
from tests.conftest import T0

FIXTURES = Path(__file__).parent.parent / "fixtures" / "monitors"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# ------------------------------------------------------------------ Alertmanager


def test_alertmanager_firing_payload_gives_one_alert_per_entry():
    alerts = parse_alertmanager(load("alertmanager_firing.json"), now=T0)
    assert [a.fingerprint for a in alerts] == ["5f2c1d0a9b8e7f61", "a3e41b27c90d55f0"]
    first = alerts[0]
    assert first.monitor == "CheckoutHigh5xxRate"
    assert first.status is AlertStatus.FIRING
    assert first.title == "Checkout 5xx rate above 5% for 5 minutes"
    assert (first.value, first.threshold) == (7.3, 5.0)
    assert first.crisis_type == "service_logistics"
    assert first.labels["instance"] == "checkout-7c9f8d6b5-x2k4q:8080"
    assert first.url.startswith("http://prometheus.acme.example:9090/graph")
    assert first.observed_at == datetime(2026, 11, 20, 8, 57, 12, 493000, tzinfo=UTC)


def test_alertmanager_nanosecond_timestamps_are_read():
    alerts = parse_alertmanager(load("alertmanager_firing.json"), now=T0)
    assert alerts[1].observed_at == datetime(2026, 11, 20, 8, 57, 42, 112345, tzinfo=UTC)


def test_alertmanager_severity_labels_map_through_the_severity_table():
    alerts = parse_alertmanager(load("alertmanager_firing.json"), now=T0)
    assert alerts[0].labels["severity"] == "critical"
    assert alerts[0].severity is Severity.S  # default table: critical -> S
    custom = parse_alertmanager(load("alertmanager_firing.json"), now=T0,
                                severities={"critical": "SS"})
    assert custom[0].severity is Severity.SS
    info = parse_alertmanager(load("alertmanager_firing.json"), now=T0,
                              severities={"critical": "ignore"})
    assert info[0].severity is None and info[0].severity_ignored


def test_alertmanager_resolved_payload_is_observed_at_its_end_time():
    (alert,) = parse_alertmanager(load("alertmanager_resolved.json"), now=T0)
    assert alert.status is AlertStatus.RESOLVED
    assert alert.fingerprint == "5f2c1d0a9b8e7f61"
    assert alert.observed_at == datetime(2026, 11, 20, 9, 41, 12, 493000, tzinfo=UTC)


def test_alertmanager_alert_without_fingerprint_gets_a_stable_one_from_its_labels():
    payload = load("alertmanager_firing.json")
    for alert in payload["alerts"]:
        del alert["fingerprint"]
    once = parse_alertmanager(payload, now=T0)
    again = parse_alertmanager(copy.deepcopy(payload), now=T0)
    assert once[0].fingerprint == again[0].fingerprint
    assert once[0].fingerprint != once[1].fingerprint


# ------------------------------------------------------------------ Grafana


def test_grafana_firing_payload_reads_values_and_panel_links():
    negative, conversion = parse_grafana(load("grafana_firing.json"), now=T0)
    assert negative.monitor == "Negative mentions spike"
    assert negative.severity is Severity.S
    assert negative.crisis_type == "brand_reputation"
    assert negative.value == 1723.0  # B, not the condition C
    assert negative.url == "https://grafana.acme.example/d/brand01?orgId=1&viewPanel=4"
    assert negative.observed_at == datetime(2026, 11, 20, 0, 55, tzinfo=UTC)
    assert conversion.value == 0.0213
    assert conversion.url.startswith("https://grafana.acme.example/alerting/grafana/0b1f9e")
    assert conversion.severity is None and conversion.crisis_type is None


def test_grafana_resolved_payload():
    (alert,) = parse_grafana(load("grafana_resolved.json"), now=T0)
    assert alert.status is AlertStatus.RESOLVED
    assert alert.fingerprint == "c7a2d0e6f4b91a33"
    assert alert.value == 210.0


# ------------------------------------------------------------------ generic


GENERIC = {
    "monitor": "social-listening", "fingerprint": "neg-mentions", "status": "firing",
    "title": "Negative mentions +340%", "severity": "S", "crisis_type": "brand_reputation",
    "value": 1723, "threshold": 400, "labels": {"channel": "weibo"},
    "url": "https://listening.example/q/1", "observed_at": "2026-11-20T08:55:00Z",
}


def test_generic_payload_keeps_every_field():
    (alert,) = parse_generic(GENERIC, now=T0)
    assert (alert.monitor, alert.fingerprint, alert.title) == (
        "social-listening", "neg-mentions", "Negative mentions +340%")
    assert alert.severity is Severity.S and alert.crisis_type == "brand_reputation"
    assert (alert.value, alert.threshold) == (1723.0, 400.0)
    assert alert.labels == {"channel": "weibo"}
    assert alert.observed_at == datetime(2026, 11, 20, 8, 55, tzinfo=UTC)


def test_generic_payload_without_observed_at_is_observed_now():
    body = {k: v for k, v in GENERIC.items() if k != "observed_at"}
    assert parse_generic(body, now=T0)[0].observed_at == T0


def test_generic_list_payload_gives_several_alerts():
    second = GENERIC | {"fingerprint": "complaints", "status": "resolved"}
    alerts = parse_generic([GENERIC, second], now=T0)
    assert [a.status for a in alerts] == [AlertStatus.FIRING, AlertStatus.RESOLVED]


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({k: v for k, v in GENERIC.items() if k != "monitor"}, "monitor is missing"),
        ({k: v for k, v in GENERIC.items() if k != "fingerprint"}, "fingerprint is missing"),
        ({k: v for k, v in GENERIC.items() if k != "title"}, "title is missing"),
        ({k: v for k, v in GENERIC.items() if k != "status"}, "status is missing"),
        (GENERIC | {"status": "exploded"}, "status must be firing or resolved"),
        (GENERIC | {"severity": "apocalyptic"}, "severity must be SS, S or A"),
        (GENERIC | {"value": "lots"}, "value must be a number"),
        (GENERIC | {"labels": ["a"]}, "labels must be an object"),
        (GENERIC | {"observed_at": "yesterday"}, "observed_at is not an ISO-8601 time"),
        (GENERIC | {"monitor": 7}, "monitor must be a string"),
        (GENERIC | {"url": "https://x.example/" + "a" * 2000}, "url is longer than 2000"),
        (GENERIC | {"fingerprint": "f" * 201}, "fingerprint must be 1 to 200 characters"),
        ([GENERIC, "x"], "[1] must be a JSON object"),
        ([], "the payload list is empty"),
        ("just text", "payload must be a JSON object"),
    ],
)
def test_generic_refusals_name_the_problem(payload, named):
    with pytest.raises(PayloadError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_generic(payload, now=T0)


@pytest.mark.parametrize("parse", [parse_alertmanager, parse_grafana])
@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        (lambda p: p.pop("alerts"), "alerts is missing"),
        (lambda p: p.update(alerts=[]), "alerts must be a non-empty list"),
        (lambda p: p["alerts"][0].pop("labels"), r"alerts\[0\].labels is missing"),
        (lambda p: p["alerts"][0]["labels"].pop("alertname"), r"alerts\[0\].labels.alertname is missing"),
        (lambda p: p["alerts"][1].update(status="pending"), r"alerts\[1\].status must be firing or resolved"),
        (lambda p: p["alerts"][0].update(startsAt="soon"), r"alerts\[0\].startsAt is not an ISO-8601 time"),
        (lambda p: p["alerts"].__setitem__(0, 3), r"alerts\[0\] must be a JSON object"),
    ],
)
def test_alertmanager_and_grafana_refusals_name_the_field(parse, mutate, named):
    payload = load("alertmanager_firing.json" if parse is parse_alertmanager else "grafana_firing.json")
    mutate(payload)
    with pytest.raises(PayloadError, match=named):
        parse(payload, now=T0)


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(PayloadError, match="payload must be a JSON object"):
        parse_alertmanager(["alerts"], now=T0)
