"""Replies typed in a drill's channel carry the DRILL marker too (the gateway marks what the bot
posts; this marks what only the person who acted sees)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain.drills import DRILL_MARKER, is_drill_source


def drill_marked(reply: Any, handler: Any, channel_id: str | None) -> Any:
    """``reply`` with the marker when ``channel_id`` is a drill incident's channel."""
    if not channel_id or reply.text.startswith(DRILL_MARKER):
        return reply
    cache: dict[str, bool] = handler.__dict__.setdefault("_drill_channels", {})
    if channel_id not in cache:
        try:
            number = handler.store.incident_for_channel(channel_id)
            drill = number is not None and is_drill_source(handler.incidents.get(number).source)
        except Exception:  # noqa: BLE001 - cannot tell (database down): unmarked, not cached
            return reply
        cache[channel_id] = drill
    return replace(reply, text=f"{DRILL_MARKER} · {reply.text}") if cache[channel_id] else reply
