"""P4: the post-mortem of an incident with 10,000 timeline events (targets, SPEC P4: Markdown
≤ 1 s, HTML with charts ≤ 2 s).

    python bench/postmortem.py [--events 10000] [--samples 2000] [--runs 3]

The incident is stored in a throw-away SQLite database: domain events recorded through the
Incident aggregate (roles, tasks, facts, notes, captured messages, impact, statements,
stages, resolution) plus records of the monitor, statement-review and reminder features
(alert.fired, statement.drafted/submitted/approved, reminder.sent), and monitor signal
samples. Each run times, from the stored timeline: load + metrics + Markdown, and
load + metrics + charts + HTML. Importing pandas and matplotlib (once per process: the bot
is long-running) is timed and printed separately.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot.adapters.db import make_engine, upgrade  # noqa: E402
from bot.adapters.db.models import TimelineRow  # noqa: E402
from bot.adapters.db.postmortems import SqlPostmortemArchive  # noqa: E402
from bot.adapters.db.uow import session_factory, uow_factory  # noqa: E402
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog  # noqa: E402
from bot.domain.roles import Actor, Role  # noqa: E402
from bot.domain.severity import Severity  # noqa: E402
from bot.services import IncidentService  # noqa: E402
from bot.services.postmortems import PostmortemInput, SignalSample  # noqa: E402

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
LEAD = Actor("ULEAD", roles=frozenset({Role.COMMANDER}))


def build_incident(url: str, *, events: int) -> int:
    """Store one incident whose timeline has ``events`` records; returns its number."""
    engine = make_engine(url)
    upgrade(engine)
    catalog = load_catalog(bundled_playbooks_dir())
    now = [T0]
    service = IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=lambda: now[0])
    number = service.declare(title="Influencer video claims our moisturiser burns skin",
                             crisis_type="brand_reputation", severity=Severity.S, actor=LEAD,
                             roles={Role.COMMANDER: "ULEAD"}, source="monitor:weibo").incident.number
    raw: list[dict] = []
    with uow_factory(engine)() as uow:
        incident = uow.incidents.get(number)
        at = T0
        step = timedelta(seconds=20)
        incident.assign_role(Role.COMMS, "UCOMMS", actor=LEAD, at=at)
        incident.assign_role(Role.SPOKESPERSON, "USPOKE", actor=LEAD, at=at)
        incident.assign_role(Role.LEGAL, "ULEGAL", actor=LEAD, at=at)
        statement = 0
        i = 0
        while len(incident.pending) + len(raw) < events - 2:
            i += 1
            at += step
            kind = i % 10
            if kind in (0, 1):
                incident.add_note(f"observation {i}: mentions still climbing in the east region",
                                  actor=LEAD, at=at)
            elif kind == 2:
                incident.add_task(f"follow up on lead {i}", actor=LEAD, at=at,
                                  due_at=at + timedelta(minutes=30))
            elif kind == 3 and incident.open_tasks():
                incident.complete_task(incident.open_tasks()[0].no, actor=LEAD, at=at)
            elif kind == 4:
                incident.add_fact(f"fact {i}: batch 2411-B shipped to store {i % 97}", actor=LEAD, at=at)
            elif kind == 5 and incident.facts and i % 20 == 5:
                incident.confirm_fact(len(incident.facts), actor=LEAD, at=at)
            elif kind == 6:
                incident.capture_message(author="UCS", text=f"customer report {i}",
                                         permalink=f"https://x.slack.com/p{i}", posted_at=at,
                                         actor=LEAD, at=at)
            elif kind == 7 and i % 40 == 7:
                statement += 1
                for offset, name, extra in (
                    (0, "statement.drafted", {"audience": "customers", "kind": "update", "lang": "en",
                                              "text": "…", "template": "update.en.j2"}),
                    (60, "statement.submitted", {}), (600, "statement.approved", {"role": "comms"}),
                    (900, "statement.approved", {"role": "legal"}),
                ):
                    raw.append({"incident": number, "name": name, "actor": "UCOMMS",
                                "occurred_at": at + timedelta(seconds=offset),
                                "payload": {"statement_id": statement, "version": 1, **extra}})
                incident.record_statement_published(
                    statement_id=statement, audience=("customers", "media", "partners")[statement % 3],
                    kind="update", lang="en", channel="C0NEWS", actor=LEAD, at=at + timedelta(seconds=960))
            elif kind == 8:
                raw.append({"incident": number, "name": "alert.fired", "actor": "system:monitor",
                            "occurred_at": at, "payload": {
                                "monitor": "weibo", "fingerprint": f"fp{i % 50}", "title": "Negative spike",
                                "severity": "S", "value": 400 + i % 100, "threshold": 200, "url": None,
                                "observed_at": at.isoformat(), "first_seen": at.isoformat(), "labels": {}}})
            elif kind == 9:
                raw.append({"incident": number, "name": "reminder.sent", "actor": "system:scheduler",
                            "occurred_at": at, "payload": {"kind": "due_soon", "clock": "stakeholder_update",
                                                           "due_at": at.isoformat(), "mentions": ["UCOMMS"]}})
            else:
                incident.record_impact({"orders": str(1000 + i)}, actor=LEAD, at=at)
        incident.resolve(actor=LEAD, at=at + step, summary="video corrected")
        uow.incidents.save(incident)
        uow.timeline.append(tuple(incident.pending))
        uow.session.execute(insert(TimelineRow), raw)
        uow.commit()
    engine.dispose()
    return number


def samples(count: int) -> tuple[SignalSample, ...]:
    out = []
    for i in range(count // 4):
        at = T0 - timedelta(hours=6) + timedelta(minutes=5 * i)
        peak = max(0.0, 500 - abs(i - 80) * 4.0)
        out += [SignalSample("weibo", "mentions", at, 20 + peak),
                SignalSample("weibo", "negative", at, 5 + peak * 0.6),
                SignalSample("weibo", "neutral", at, 10 + peak * 0.3),
                SignalSample("weibo", "positive", at, 5 + peak * 0.1)]
    return tuple(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crisisbot-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        number = build_incident(url, events=args.events)
        engine = make_engine(url)
        archive = SqlPostmortemArchive(session_factory(engine))
        signal = samples(args.samples)
        started = time.perf_counter()
        from bot.adapters.rendering.postmortem.markdown import render_markdown
        from bot.adapters.rendering.postmortem.report import build_report
        imported_pandas = time.perf_counter() - started
        started = time.perf_counter()
        from bot.adapters.rendering.postmortem.html_report import render_html
        imported_matplotlib = time.perf_counter() - started
        catalog = load_catalog(bundled_playbooks_dir())
        md_times, html_times = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            source = PostmortemInput(number, tuple(archive.records(number)), signal)
            report = build_report(source, policy=catalog.policy,
                                  playbook=catalog.playbook("brand_reputation"))
            markdown = render_markdown(report)
            md_times.append(time.perf_counter() - started)

            started = time.perf_counter()
            source = PostmortemInput(number, tuple(archive.records(number)), signal)
            report = build_report(source, policy=catalog.policy,
                                  playbook=catalog.playbook("brand_reputation"))
            html = render_html(report)
            html_times.append(time.perf_counter() - started)
        engine.dispose()
    print(f"P4 post-mortem of an incident with {len(source.records):,} timeline events "
          f"and {len(signal):,} signal samples ({args.runs} runs)")
    print(f"  imports, once per process: pandas {imported_pandas:.2f} s, "
          f"matplotlib {imported_matplotlib:.2f} s")
    print(f"  Markdown: median {statistics.median(md_times):.2f} s, worst {max(md_times):.2f} s"
          f"  → target ≤ 1 s  ({len(markdown):,} chars)")
    print(f"  HTML:     median {statistics.median(html_times):.2f} s, worst {max(html_times):.2f} s"
          f"  → target ≤ 2 s  ({len(html):,} chars, {html.count('<svg')} charts)")
    ok = max(md_times) <= 1 and max(html_times) <= 2
    print("  within targets" if ok else "  OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
