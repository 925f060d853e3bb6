"""The post-mortem's signal curves come from the samples of the monitors that fired into the
incident, from three days before declaration to three days after resolution."""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.db.alerts import SqlSampleStore
from bot.adapters.db.signals import SqlIncidentSignals
from bot.domain.roles import Actor
from tests.conftest import T0


def test_samples_of_the_opening_monitor_around_the_incident_only(service, engine, clock):
    store = SqlSampleStore(engine)
    hours = [T0 + timedelta(hours=h) for h in range(-100, 100, 10)]
    store.store_samples("social-mentions", [("negative", at, 5.0) for at in hours])
    store.store_samples("unrelated", [("negative", at, 1.0) for at in hours])
    number = service.declare(title="Mentions spike", crisis_type="brand_reputation",
                             actor=Actor.system("monitor"), source="monitor:social-mentions").incident.number
    quiet = service.declare(title="Typed by hand", crisis_type="brand_reputation",
                            actor=Actor("ULEAD")).incident.number

    signals = SqlIncidentSignals(engine)
    samples = signals.samples(number)
    assert {s.monitor for s in samples} == {"social-mentions"}
    assert [s.at for s in samples] == [at for at in hours if abs(at - T0) <= timedelta(days=3)]
    assert signals.samples(quiet) == ()
    assert signals.samples(999) == ()
