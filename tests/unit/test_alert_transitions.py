"""The per-fingerprint state table, the severity label table, Grafana's HMAC, custom mapping
compilation and the card's signal lines (pure functions, no I/O)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.monitors.config import GrafanaHmac, parse_monitors
from bot.adapters.monitors.custom import MappingError, parse_mapping
from bot.adapters.monitors.grafana_auth import grafana_signature, grafana_signed
from bot.adapters.monitors.payload import PayloadError
from bot.adapters.slack.messages.monitors import (
    MAX_SIGNAL_LINE,
    distinguishing_labels,
    signal_line,
)
from bot.domain import events as ev
from bot.domain.alerts import (
    DEFAULT_SEVERITY_LABELS,
    IGNORE,
    Alert,
    AlertStatus,
    Transition,
    severity_from_label,
    transition,
)
from bot.domain.errors import InvalidInput
from bot.domain.severity import Severity

T = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def alert(status: str = "firing", starts_at: datetime | None = T) -> Alert:
    return Alert(monitor="m", fingerprint="f", status=AlertStatus(status), title="t",
                 observed_at=T, starts_at=starts_at)


@pytest.mark.parametrize(("stored", "stored_at", "incoming", "active", "expected"), [
    (None, None, alert(), True, Transition.FIRE),
    ("firing", T, alert(), True, Transition.REPEAT),
    ("firing", T, alert(), False, Transition.REPEAT),            # a person resolved: still a repeat
    ("firing", T, alert(starts_at=T + timedelta(hours=1)), False, Transition.FIRE),  # new startsAt
    ("resolved", T, alert(), False, Transition.FIRE),             # firing after resolved
    ("snoozed", T, alert(), True, Transition.FIRE),               # the slow path stores it snoozed
    ("firing", None, alert(starts_at=None), True, Transition.REPEAT),    # generic, active
    ("firing", None, alert(starts_at=None), False, Transition.FIRE),     # generic, resolved
    ("firing", T, alert("resolved"), True, Transition.RESOLVE),
    ("firing", T + timedelta(hours=1), alert("resolved"), True, Transition.STALE),
    ("resolved", T, alert("resolved"), False, Transition.NOTHING),
    (None, None, alert("resolved"), False, Transition.NOTHING),
    ("snoozed", T, alert("resolved"), False, Transition.RESOLVE),
])
def test_state_table(stored, stored_at, incoming, active, expected):
    assert transition(stored_status=stored, stored_starts_at=stored_at, incoming=incoming,
                      incident_active=active) is expected


def test_severity_labels_defaults_and_site_overrides():
    assert severity_from_label("critical", DEFAULT_SEVERITY_LABELS) is Severity.S
    assert severity_from_label("PAGE", DEFAULT_SEVERITY_LABELS) is Severity.SS
    assert severity_from_label("warning", DEFAULT_SEVERITY_LABELS) is Severity.A
    assert severity_from_label("info", DEFAULT_SEVERITY_LABELS) == IGNORE
    assert severity_from_label("SS", DEFAULT_SEVERITY_LABELS) is Severity.SS
    assert severity_from_label("unheard-of", DEFAULT_SEVERITY_LABELS) is None
    table = parse_monitors({"severity_labels": {"critical": "SS", "p3": "ignore"}}).severity_labels
    assert severity_from_label("critical", table) is Severity.SS
    assert severity_from_label("p3", table) == IGNORE
    assert severity_from_label("warning", table) is Severity.A  # defaults kept
    with pytest.raises(InvalidInput, match="severity_labels.sev1"):
        parse_monitors({"severity_labels": {"sev1": "XXL"}})


def test_grafana_hmac_bare_hex_and_timestamped():
    body = b'{"alerts": []}'
    headers = {"x-grafana-alerting-signature": grafana_signature("s3cret", body)}
    assert grafana_signed("s3cret", body, headers, config=GrafanaHmac(), now=T)
    assert headers["x-grafana-alerting-signature"] == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert not grafana_signed("other", body, headers, config=GrafanaHmac(), now=T)
    assert not grafana_signed("s3cret", body, {}, config=GrafanaHmac(), now=T)
    custom = GrafanaHmac(header="X-Sig", timestamp_header="X-Ts", max_skew=timedelta(minutes=5))
    stamp = str(int(T.timestamp()))
    signed = {"x-sig": grafana_signature("s3cret", body, timestamp=stamp), "x-ts": stamp}
    assert grafana_signed("s3cret", body, signed, config=custom, now=T)
    assert not grafana_signed("s3cret", body, signed, config=custom, now=T + timedelta(minutes=6))
    assert not grafana_signed("s3cret", body, {**signed, "x-ts": "9" * 40}, config=custom, now=T)
    assert not grafana_signed("s3cret", body, {"x-sig": signed["x-sig"]}, config=custom, now=T)


def test_custom_mapping_pointers_constants_and_expressions():
    mapping = parse_mapping("radar", {
        "list": "/hits", "monitor": "'radar'", "fingerprint": "/id", "title": "item.text | upper",
        "status": "/state", "value": "/n", "labels": "{'k': item.id}", "severity": "'critical'",
    }, where="monitors.custom.radar")
    alerts = mapping.parse({"hits": [{"id": "a/1", "text": "spike", "state": "alerting", "n": "12"},
                                     {"id": "b", "text": "calm", "state": "ok"}]}, now=T)
    assert [(a.monitor, a.fingerprint, a.title, a.status.value) for a in alerts] == [
        ("radar", "a/1", "SPIKE", "firing"), ("radar", "b", "CALM", "resolved")]
    assert alerts[0].value == 12.0 and alerts[0].labels == {"k": "a/1"} and alerts[0].severity is Severity.S
    with pytest.raises(PayloadError, match="status gave 'maybe'"):
        mapping.parse({"hits": [{"id": "x", "text": "t", "state": "maybe"}]}, now=T)
    with pytest.raises(PayloadError, match="value gave 'lots', not a number"):
        mapping.parse({"hits": [{"id": "x", "text": "t", "n": "lots"}]}, now=T)


def test_custom_mapping_expressions_run_in_the_sandbox():
    mapping = parse_mapping("evil", {"monitor": "'m'", "fingerprint": "''.__class__.__mro__",
                                     "title": "'x'"}, where="monitors.custom.evil")
    with pytest.raises(PayloadError, match="fingerprint"):
        mapping.parse({}, now=T)
    with pytest.raises(MappingError, match="monitors.custom.bad.title: not a valid expression"):
        parse_mapping("bad", {"monitor": "'m'", "fingerprint": "/id", "title": "item.("},
                      where="monitors.custom.bad")
    with pytest.raises(MappingError, match="fingerprint: is required"):
        parse_mapping("bad", {"monitor": "'m'", "title": "'t'"}, where="monitors.custom.bad")


def fired(fp: str, labels: dict[str, str], **extra) -> ev.AlertFired:
    return ev.AlertFired(incident=1, actor="system:monitor", at=T, monitor="CheckoutDown",
                         fingerprint=fp, title="Checkout down", observed_at=T, first_seen=T,
                         labels=labels, **extra)


def test_signal_lines_show_what_tells_instances_apart_and_fit_the_budget():
    a = fired("a", {"alertname": "CheckoutDown", "env": "prod", "instance": "web-1", "pod": "p1"})
    b = fired("b", {"alertname": "CheckoutDown", "env": "prod", "instance": "web-2", "pod": "p1"})
    shown = distinguishing_labels([a, b])
    assert shown == {"a": ["instance"], "b": ["instance"]}
    assert distinguishing_labels([a]) == {"a": ["instance", "pod"]}
    long_links = {"runbook": "https://runbooks.example/" + "r" * 200,
                  "source": "https://prom.example/graph?" + "g" * 300,
                  "silence": "https://am.example/silence?" + "s" * 300}
    line = signal_line(fired("c", {"instance": "web-3"}, links=long_links, value=7.5, truncated=2),
                       ["instance"], now=T)
    assert len(line) <= MAX_SIGNAL_LINE
    assert "instance=web-3" in line and "value 7.5" in line and "|runbook>" in line
    assert "+2 alerts Alertmanager did not send" in line
    assert line.count("<https://") == line.count("|")  # no link is cut in the middle
