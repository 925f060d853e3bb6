"""Dynamic thresholds: alerts of a post rule tied to their outcome (kept, dismissed, snoozed),
``crisisbot report --alerts`` (a real CLI process) shows the rule's precision and lead time
and suggests a threshold; ``--apply`` writes it into the site config only after a "y"."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import yaml

from bot.adapters.db.alerts import SqlSampleStore
from bot.adapters.monitors.config import parse_monitors
from bot.adapters.monitors.routing import Router
from bot.adapters.monitors.webhooks import parse_generic
from bot.domain.alert_outcomes import AlertFacts, outcome, review_rule
from bot.domain.roles import Actor, Role
from bot.services.alerts import AlertService
from tests.conftest import T0

MONITOR = "listening-negative-brand"
LEAD = Actor("UEXEC", roles=frozenset({Role.EXEC}))


@pytest.fixture
def history(engine, service, catalog, clock):
    """Three kept alerts (450 %, 520 %, 900 %), two dismissed (310 %, 340 %), one snoozed (305 %)."""
    alerts = AlertService(incidents=service, router=Router(parse_monitors({}), crisis_types=catalog.playbooks))
    samples = SqlSampleStore(engine)

    def fire(value: float, fingerprint: str):
        (alert,) = parse_generic({"monitor": MONITOR, "fingerprint": fingerprint, "status": "firing",
                                  "title": "Negative brand mentions surging", "value": value,
                                  "threshold": 300, "crisis_type": "brand_reputation",
                                  "labels": {"metric": "negative_brand"}}, now=clock())
        return alerts.ingest(alert)

    for i, value in enumerate((450, 520, 900)):
        number = fire(value, f"kept-{i}").incident
        samples.store_samples(MONITOR, [("negative_brand", clock() + timedelta(hours=h), v)
                                        for h, v in ((0, 40), (2, 200), (5, 60))])
        clock.advance(hours=4)
        service.resolve(number, actor=LEAD, summary="handled")
        clock.advance(hours=3)
    for i, value in enumerate((310, 340)):
        number = fire(value, f"dismissed-{i}").incident
        clock.advance(minutes=20)
        service.resolve(number, actor=LEAD, summary="false alarm: a bot network replaying old posts")
        clock.advance(hours=3)
    alerts.snooze(MONITOR, duration=timedelta(hours=1), actor=LEAD)
    assert fire(305, "snoozed-0").action.value == "snoozed"
    return alerts


def test_outcomes_are_told_apart():
    base = {"monitor": MONITOR, "fingerprint": "f", "first_seen": T0, "value": 400.0, "threshold": 300.0}
    assert outcome(AlertFacts(status="snoozed", **base), now=T0) == "snoozed"
    assert outcome(AlertFacts(status="firing", declared_at=T0, resolved_at=T0 + timedelta(hours=5),
                              resolution="误报：机器人刷量", **base), now=T0) == "dismissed"
    assert outcome(AlertFacts(status="resolved", declared_at=T0, resolved_at=T0 + timedelta(minutes=10),
                              **base), now=T0) == "dismissed"
    assert outcome(AlertFacts(status="firing", declared_at=T0, **base),
                   now=T0 + timedelta(minutes=5)) == "pending"
    assert outcome(AlertFacts(status="firing", declared_at=T0, **base), now=T0 + timedelta(hours=3)) == "kept"


def test_no_suggestion_when_false_alerts_fire_as_high_as_kept_ones():
    alerts = [AlertFacts(monitor=MONITOR, fingerprint=str(i), status="firing", first_seen=T0,
                         value=v, threshold=300.0, declared_at=T0,
                         resolved_at=T0 + timedelta(hours=3 if kept else 0, minutes=5))
              for i, (v, kept) in enumerate(((400, True), (800, False)))]
    review = review_rule(MONITOR, alerts, now=T0 + timedelta(days=1))
    assert review.suggested is None and review.precision == 0.5
    assert "cannot tell them apart" in review.reason


def cli(args: list[str], *, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, input=stdin, text=True,
                          capture_output=True, env=env, timeout=300)


def test_report_alerts_shows_precision_lead_time_and_applies_a_confirmed_threshold(
        history, db_url, tmp_path):
    config = tmp_path / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({"listening": {
        "keywords": {"brand": ["Acme"]},
        "rules": [{"name": MONITOR, "metric": "negative_brand",
                   "rule": {"kind": "change", "window": "24h", "pct": 300}}]}}), encoding="utf-8")
    env = {**os.environ, "CRISISBOT_DATABASE_URL": db_url, "CRISISBOT_CONFIG": str(config)}
    shown = cli(["report", "--alerts"], env=env)
    assert shown.returncode == 0, shown.stderr
    (row,) = [line for line in shown.stdout.splitlines() if line.startswith(f"| {MONITOR} |")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "6 (3 / 2 / 1 / 0)"
    assert cells[2] == "50%"
    assert cells[3] == "2 h 00 min"  # the signal peaked two hours after each kept alert
    assert cells[4] == "pct 300" and cells[5] == "pct 450"
    assert cells[6] == "keeps all 3 kept alert(s), would have cut 3 of 3 false one(s)"
    # Refused at the prompt: nothing written.
    refused = cli(["report", "--alerts", "--apply"], env=env, stdin="n\n")
    assert refused.returncode == 0 and "nothing written" in refused.stderr
    assert yaml.safe_load(config.read_text())["listening"]["rules"][0]["rule"]["pct"] == 300
    confirmed = cli(["report", "--alerts", "--apply"], env=env, stdin="y\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "written: listening-negative-brand: pct 300 → 450" in confirmed.stderr
    assert yaml.safe_load(config.read_text())["listening"]["rules"][0]["rule"]["pct"] == 450
    assert (tmp_path / "crisisbot.yaml.bak").is_file()


def test_drill_alerts_never_count_in_the_threshold_review(engine, history, clock):
    from sqlalchemy.orm import Session

    from bot.adapters.db.drills import DrillRunRow
    from bot.adapters.db.monitor_models import AlertRow
    from bot.adapters.monitors.alert_review import collect

    before = collect(engine, {})
    assert len(before[MONITOR]) == 6
    with Session(engine) as session, session.begin():
        first = min(a.incident for a in session.query(AlertRow) if a.incident is not None)
        session.add(DrillRunRow(scenario="fake-rumour-video", incident=first, team=[],
                                started_by="UFACIL", status="ended", started_at=clock(),
                                duration_s=2700, represents_s=21600, paused_total_s=0.0))
        session.add(AlertRow(monitor="crisisbot-drill-9-social-mentions", fingerprint="drill:9:1",
                             group_key="crisisbot:drill:9", status="resolved", title="drill",
                             first_seen=clock(), last_seen=clock(), labels={"drill": "9"}))
    after = collect(engine, {})
    assert len(after[MONITOR]) == 5  # the alert that opened the drill's incident is left out
    assert not any(name.startswith("crisisbot-drill-") for name in after)
