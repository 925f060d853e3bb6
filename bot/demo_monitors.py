"""The monitor part of ``crisisbot demo``: three days of raw social posts (the sample stream:
a burned-skin story, a KOL repost, the spike, the competitor piggy-backing, the decay) read
from a listening export, classified and stored; the negative-brand rule over the post series
opens the incident through the real alert pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.adapters.listening.sample_stream import SAMPLE_LISTENING, write_posts

MONITOR = "social-mentions"
EXPORT = "posts.json"


def demo_monitors(base: Path) -> dict[str, Any]:
    """The ``monitors:`` config of the demo (the signal comes from the posts, see below)."""
    return {"refire_window": "2h"}


def demo_listening(base: Path) -> dict[str, Any]:
    """Write the sample posts (ending now) and return the ``listening:`` config."""
    export = write_posts(base / EXPORT, end=datetime.now(UTC))
    rule = SAMPLE_LISTENING["rules"][0] | {
        "name": MONITOR, "title": "Influencer video: negative mentions of our moisturiser surging"}
    return SAMPLE_LISTENING | {"rules": [rule], "evaluate_every": 0,
                               "sources": [{"name": "listening-export", "path": str(export)}]}


def signal_fires(demo: Any) -> None:
    """Read the export once: posts stored, the rule fires, the incident opens."""
    (result,) = demo.bot.listening.poller.run_due()
    if result.error:
        demo.say(f"listening export failed: {result.error}\n")
        return
    opened = next((o for o in result.outcomes if o.incident is not None), None)
    incident = demo.bot.core.incidents.get(opened.incident) if opened else None
    firing = next(iter(incident.firing.values()), None) if incident else None
    reason = firing.labels.get("reason", "-") if firing else "did not fire"
    outcome = opened.as_json() if opened else {"incident": None, "action": "none"}
    demo.say(f"listening export: {result.stored} raw posts classified and stored "
             f"({len(result.rejected)} rejected)")
    demo.say(f"monitor {MONITOR}: {reason} (negative brand posts an hour) → "
             f"{outcome['incident']} {outcome['action']}\n")
    demo.bot.gateway.drain()
    # What the listening loop does every few seconds in `crisisbot serve`: the digest, the KOL
    # callout and the task to brief the friendly KOL pool.
    demo.bot.listening.incidents.tick()
    demo.bot.gateway.drain()
