"""How fast due reminders are sent: claim, re-check, mark sent, timeline event and outbox
message, one transaction each — by one ticker or by two competing ones (two engines, as two
replicas would have).

    python bench/reminder_throughput.py [--incidents 200] [--tickers 1|2] [--database-url URL]

Default database: SQLite in a temporary directory. For PostgreSQL pass a
``postgresql+psycopg://…`` URL of an empty database (it is migrated first). Slack delivery is
not part of the figure (the gateway drains the outbox separately).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.adapters.db import make_engine, upgrade  # noqa: E402
from bot.adapters.db.uow import uow_factory  # noqa: E402
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog  # noqa: E402
from bot.adapters.slack.reminder_effects import SlackReminderEffects  # noqa: E402
from bot.domain.playbook import Catalog  # noqa: E402
from bot.domain.reminders import ReminderSettings  # noqa: E402
from bot.domain.roles import Actor, Role  # noqa: E402
from bot.domain.severity import Severity  # noqa: E402
from bot.services import IncidentService  # noqa: E402
from bot.services.reminders import ReminderPlanner, ReminderService  # noqa: E402

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def quiet_catalog() -> Catalog:
    """Bundled severities, brand-reputation playbook without task deadlines or regulatory
    clocks: exactly one reminder (team assembly) per incident is due at T0 + 1 h 5 min."""
    catalog = load_catalog(bundled_playbooks_dir())
    base = catalog.playbook("brand_reputation")
    calm = replace(base, tasks=tuple(replace(t, due=None) for t in base.tasks), clocks=())
    return Catalog(playbooks={"brand_reputation": calm}, policy=catalog.policy)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--tickers", type=int, choices=(1, 2), default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crisisbot-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engines = [make_engine(url) for _ in range(args.tickers)]
        upgrade(engines[0])
        catalog = quiet_catalog()
        now = [T0]
        clock = lambda: now[0]  # noqa: E731
        settings = ReminderSettings()
        planners = (SlackReminderEffects(catalog=catalog),
                    ReminderPlanner(catalog=catalog, settings=settings))
        incidents = IncidentService(uow_factory=uow_factory(engines[0]), catalog=catalog,
                                    clock=clock, planners=planners)
        for n in range(args.incidents):
            incidents.declare(title=f"Rumour {n}", crisis_type="brand_reputation",
                              severity=Severity.S, actor=Actor("ULEAD"),
                              roles={Role.COMMANDER: "ULEAD"})
        now[0] = T0 + timedelta(hours=1, minutes=5)
        services = [ReminderService(uow_factory=uow_factory(e), catalog=catalog, clock=clock,
                                    settings=settings, planners=planners) for e in engines]
        counts = [0] * len(services)

        def run(index: int) -> None:
            counts[index] = len(services[index].send_due())

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(services))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        for engine in engines:
            engine.dispose()
    engine_name = url.split(":", 1)[0]
    total = sum(counts)
    print(f"{engine_name}: {total} reminders sent by {len(services)} ticker(s) {counts} in "
          f"{elapsed:.2f} s = {total / elapsed:.0f} reminders/s (no SPEC bar: every due reminder "
          f"sent exactly once, {total} of {args.incidents})")
    return 0 if total == args.incidents else 1


if __name__ == "__main__":
    sys.exit(main())
