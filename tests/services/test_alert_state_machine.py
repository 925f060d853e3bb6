"""The alert state machine on both databases (SQLite and PostgreSQL): repeats by ``starts_at``
whatever the incident's status, re-fires by a new one, stale resolves, order in a batch, long
monitor names, source grouping."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.db.monitor_models import AlertRow
from bot.adapters.monitors.config import parse_monitors
from bot.adapters.monitors.routing import Router
from bot.domain.alerts import Alert, AlertStatus
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.services.alerts import AlertService
from tests.conftest import T0

STARTED = T0 - timedelta(minutes=5)


@pytest.fixture
def alerts(service, catalog) -> AlertService:
    return AlertService(incidents=service, router=Router(parse_monitors({}), crisis_types=catalog.playbooks))


def am(status: str = "firing", *, fp: str = "fp-1", starts_at=STARTED, monitor: str = "CheckoutDown",
       group: str = 'alertmanager:{}:{alertname="CheckoutDown"}') -> Alert:
    return Alert(monitor=monitor, fingerprint=fp, status=AlertStatus(status), title="Checkout down",
                 observed_at=starts_at, starts_at=starts_at, group=group, labels={"instance": fp})


def actions(results) -> list[str]:
    return [r.action.value for r in results]


def fired(service, number: int = 1) -> int:
    return [e.name for e in service.timeline(number)].count("alert.fired")


def test_repeats_by_starts_at_never_reopen_nor_open_after_a_person_resolved(alerts, service, clock, engine):
    assert actions(alerts.ingest_batch([am(), am(fp="fp-2")])) == ["opened", "linked"]
    service.resolve(1, summary="rolled back", actor=Actor("UEXEC", roles=frozenset({Role.EXEC})))
    for _ in range(3):
        clock.advance(hours=1)
        assert actions(alerts.ingest_batch([am(), am(fp="fp-2")])) == ["deduplicated"] * 2
    assert len(service.list()) == 1 and fired(service) == 2
    with Session(engine) as session:
        counts = sorted(session.scalars(select(AlertRow.count)))
    assert counts == [4, 4]
    # A new startsAt is a re-fire: past the 2 h re-fire window it opens a new incident.
    assert actions(alerts.ingest_batch([am(starts_at=T0 + timedelta(hours=3))])) == ["opened"]
    assert fired(service) == 2 and fired(service, 2) == 1 and len(service.list()) == 2


def test_a_re_fire_within_the_window_rejoins_the_resolved_incident(alerts, service, clock):
    alerts.ingest_batch([am()])
    service.resolve(1, summary="rolled back", actor=Actor("UEXEC", roles=frozenset({Role.EXEC})))
    clock.advance(minutes=40)
    assert actions(alerts.ingest_batch([am()])) == ["deduplicated"]
    assert actions(alerts.ingest_batch([am(starts_at=T0 + timedelta(minutes=35))])) == ["linked"]
    assert fired(service) == 2 and len(service.list()) == 1


def test_a_resolve_of_an_older_firing_is_ignored(alerts, service):
    alerts.ingest_batch([am()])
    later = STARTED + timedelta(hours=1)
    assert actions(alerts.ingest_batch([am(status="resolved"), am(starts_at=later)])) == ["resolved", "linked"]
    stale = am(status="resolved", starts_at=STARTED)
    assert actions(alerts.ingest_batch([stale])) == ["ignored"]
    assert set(service.get(1).firing) == {"fp-1"}


@pytest.mark.parametrize(("first", "second", "expected", "final"), [
    ("resolved", "firing", ["resolved", "linked"], "firing"),
    ("firing", "resolved", ["deduplicated", "resolved"], "resolved"),
])
def test_order_is_kept_per_fingerprint_inside_a_batch(alerts, service, engine, first, second, expected, final):
    alerts.ingest_batch([am()])
    restarted = STARTED + timedelta(minutes=30)
    batch = [am(first, starts_at=STARTED),
             am(second, starts_at=restarted if second == "firing" else STARTED)]
    assert actions(alerts.ingest_batch(batch)) == expected
    with Session(engine) as session:
        assert session.scalars(select(AlertRow.status)).one() == final


def test_monitor_names_of_255_characters_are_stored(alerts, service):
    name = "N" * 255
    assert actions(alerts.ingest_batch([am(monitor=name)])) == ["opened"]
    assert next(iter(service.get(1).firing.values())).monitor == name


def test_the_source_group_decides_the_incident_unless_a_route_sets_group_by(service, catalog):
    default = AlertService(incidents=service, router=Router(parse_monitors({}), crisis_types=catalog.playbooks))
    assert actions(default.ingest_batch([am(fp="a", group="g1"), am(fp="b", group="g2")])) == ["opened", "opened"]
    routed = AlertService(incidents=service, router=Router(parse_monitors(
        {"routes": [{"match": {"monitor": "Search*"}, "group_by": ["monitor"]}]}),
        crisis_types=catalog.playbooks))
    assert actions(routed.ingest_batch([am(fp="c", group="g3", monitor="SearchDown"),
                                        am(fp="d", group="g4", monitor="SearchDown")])) == ["opened", "linked"]


def test_a_repeat_more_severe_than_its_active_incident_raises_it_once(alerts, service):
    first = replace(am(), severity=Severity.S)
    assert actions(alerts.ingest_batch([first])) == ["opened"]
    assert actions(alerts.ingest_batch([first, first])) == ["deduplicated"] * 2
    louder = replace(am(), severity=Severity.SS)
    assert actions(alerts.ingest_batch([louder])) == ["deduplicated"]
    assert service.get(1).severity is Severity.SS
    assert actions(alerts.ingest_batch([louder, louder])) == ["deduplicated"] * 2
    assert [e.name for e in service.timeline(1)].count("incident.severity_changed") == 1


def _opening(monitor: str) -> list[Alert]:
    return [_one(monitor, "fp-1"), _one(monitor, "fp-2"), _one(monitor, "fp-3", starts_at=None)]


def _mixed(monitor: str) -> list[Alert]:
    """Repeats, value changes, a re-fire by a new startsAt with older repeats after it, a
    resolve between firings, generic alerts (no startsAt) and a new fingerprint, with one
    fingerprint's runs interleaved with another's."""
    later = STARTED + timedelta(minutes=30)
    return [_one(monitor, "fp-1", value=1.0), _one(monitor, "fp-1"), _one(monitor, "fp-2", value=7.0),
            _one(monitor, "fp-3", starts_at=None, value=2.0), _one(monitor, "fp-1", value=5.0),
            _one(monitor, "fp-3", starts_at=None), _one(monitor, "fp-3", starts_at=None, value=3.0),
            _one(monitor, "fp-1", starts_at=later), _one(monitor, "fp-1", starts_at=later, value=9.0),
            _one(monitor, "fp-1"), _one(monitor, "fp-2", status="resolved"),
            _one(monitor, "fp-2", value=8.0), _one(monitor, "fp-4"), _one(monitor, "fp-3", starts_at=None)]


def _one(monitor: str, fp: str, *, starts_at=STARTED, status: str = "firing",
         value: float | None = None) -> Alert:
    group = f'alertmanager:{{}}:{{alertname="{monitor}"}}'
    return replace(am(status, fp=fp, starts_at=starts_at, monitor=monitor, group=group),
                   value=value, observed_at=starts_at or STARTED + timedelta(minutes=1))


def test_a_batch_ends_exactly_where_the_same_alerts_one_by_one_end(alerts, service, engine):
    # Repeats in a batch are counted together (count + n); the outcome must be what the same
    # alerts sent one per request give: same actions, counts, last values and timelines.
    def rows(monitor: str) -> list[tuple]:
        with Session(engine) as session:
            return [tuple(r) for r in session.execute(
                select(AlertRow.fingerprint, AlertRow.status, AlertRow.count, AlertRow.last_value,
                       AlertRow.starts_at).where(AlertRow.monitor == monitor)
                .order_by(AlertRow.fingerprint))]

    assert actions(alerts.ingest_batch(_opening("Batched"))) == ["opened", "linked", "linked"]
    batched = actions(alerts.ingest_batch(_mixed("Batched")))
    assert actions(alerts.ingest_batch(_opening("Single"))) == ["opened", "linked", "linked"]
    single = [action for alert in _mixed("Single") for action in actions(alerts.ingest_batch([alert]))]
    assert batched == single
    assert rows("Batched") == rows("Single")
    assert rows("Batched")[2][2:4] == (5, 3.0)  # fp-3: opened, then 4 repeats; last value 3.0
    names = [[e.name for e in service.timeline(n)] for n in (1, 2)]
    assert names[0] == names[1]
