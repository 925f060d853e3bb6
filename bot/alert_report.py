"""``crisisbot report --alerts [--apply]``: the dynamic-threshold review (docs/thresholds.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from bot.settings import Settings


def _confirm(question: str) -> bool:
    """Ask on standard error, read the answer from standard input: only ``y``/``yes`` writes
    (end of input counts as no)."""
    print(f"{question}\n  write it into the site config? [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def report_alerts(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.monitors.alert_review import apply, render, review_all
    from bot.bootstrap import build_core
    from bot.siteconfig import load_site_config

    site = load_site_config(settings.config_path)
    if args.apply and settings.config_path is None:
        print("--apply needs the site config: set CRISISBOT_CONFIG to your crisisbot.yaml",
              file=sys.stderr)
        return 2
    core = build_core(settings)
    try:
        reviews = review_all(core.engine, site.raw, now=datetime.now(UTC))
    finally:
        core.close()
    text = render(reviews) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if not args.apply:
        return 0
    written = apply(settings.config_path, reviews, confirm=_confirm)
    if not written:
        print("nothing written to the site config", file=sys.stderr)
    for line in written:
        print(f"written: {line}", file=sys.stderr)
    return 0
