"""``crisisbot oncall check [CONFIG] [--days N]``: validate the rota, print who is on duty and
every gap in primary duty over the next days."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.domain.errors import InvalidInput
from bot.oncall_config import coverage_report, load_oncall
from bot.paging_config import load_paging
from bot.publish_config import load_publish


def add_parser(commands: argparse._SubParsersAction) -> None:
    oncall = commands.add_parser(
        "oncall", help="check the duty rota of the site config",
        description="Check the oncall: section of the site config (calendars included): print "
        "each problem as FILE:LINE: WHERE: MESSAGE and exit 1; otherwise print who is on duty "
        "now and every gap in coverage over the next days, and exit 0.")
    actions = oncall.add_subparsers(dest="oncall_command", metavar="ACTION")
    actions.required = True
    check = actions.add_parser("check", help="validate the rota and report gaps in coverage")
    check.add_argument("config", nargs="?", type=Path,
                       help="the site config (default: CRISISBOT_CONFIG)")
    check.add_argument("--days", type=int, default=7, help="how far to look for gaps (default 7)")


def check_config(path: Path, *, out: TextIO, err: TextIO, days: int = 7,
                 now: datetime | None = None) -> int:
    from bot.adapters.oncall.ical import IcalShifts
    from bot.services.oncall import DutyService
    from bot.siteconfig import load_site_config

    now = now or datetime.now(UTC)
    try:
        site = load_site_config(path)
        paging = load_paging(path, site.raw)
        publish = load_publish(path, site.raw)
        config = load_oncall(path, site.raw)
        if config.ical:
            filled = DutyService(rota=config.rota, store=_NoOverrides(), clock=lambda: now,
                                 shifts=IcalShifts(config).shifts).current(at=now)
            config = type(config)(rota=filled, ical=config.ical, tz=config.tz)
    except InvalidInput as exc:
        print(exc.message, file=err)
        return 1
    if paging.enabled:
        print(f"{path}: paging valid ({len(paging.channels)} channels, {len(paging.people)} "
              "people)", file=out)
    if publish.audiences:
        print(f"{path}: publish targets valid ({len(publish.targets)} targets)", file=out)
    if not config.configured:
        print(f"{path}: no oncall: section; incidents go to the first person of each "
              "roster role", file=out)
        return 0
    count = len(config.rota.roles)
    print(f"{path}: duty rota valid ({count} role{'' if count == 1 else 's'})", file=out)
    for role in config.rota.roles:
        duty = config.rota.on_duty(role, now)
        print(f"  {role}: {duty.user if duty else 'nobody'} on duty now", file=out)
    gaps = coverage_report(config, start=now, days=days)
    for line in gaps:
        print(f"gap: {line}", file=out)
    if not gaps:
        print(f"no gaps in the next {days} days", file=out)
    return 0


class _NoOverrides:
    def active(self, *, after: datetime) -> list:
        return []

    def add(self, overrides: list, *, at: datetime) -> None:  # pragma: no cover - read only
        raise RuntimeError("read only")
