"""The monitor part of ``crisisbot demo``: three days of sample mentions whose negative share
explodes, and the signal rule that opens the incident through the real alert pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.adapters.monitors.sample_data import write_csv

MONITOR = "social-mentions"


def demo_monitors(base: Path) -> dict[str, Any]:
    """Write the sample series (ending this hour) and return the ``monitors:`` config for it."""
    csv_file = write_csv(base / "mentions.csv", end=datetime.now(UTC))
    return {
        "refire_window": "2h",
        "sources": [{
            "name": MONITOR, "path": str(csv_file), "interval": "5m", "metric": "negative",
            "rule": {"kind": "change", "window": "24h", "pct": 300},
            "title": "Influencer video: negative mentions of our moisturiser surging",
            "crisis_type": "brand_reputation", "severity": "S",
        }],
    }


def signal_fires(demo: Any) -> None:
    """Run one poll cycle; the rule fires and the incident opens with its channel and card."""
    (result,) = demo.bot.poller.run_due()
    outcome = result.outcome.as_json() if result.outcome else {"error": result.error}
    demo.say(f"monitor {result.source}: {result.verdict.reason if result.verdict else '-'} "
             f"→ {outcome['incident']} {outcome['action']}\n" if "action" in outcome
             else f"monitor {result.source} failed: {outcome['error']}\n")
    demo.bot.gateway.drain()
