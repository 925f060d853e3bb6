"""The recent timeline and the help, as messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.adapters.slack import messages as msg
from bot.adapters.slack.blocks.common import (
    BLOCK_TEXT_BUDGET,
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    Block,
    block_text_size,
    context,
    message,
    section,
)
from bot.adapters.slack.escape import truncate
from bot.domain.events import Event
from bot.domain.incident import Incident

#: The most entries one message shows, whatever ``limit`` asks.
MAX_TIMELINE_ENTRIES = 200


def timeline_blocks(
    events: Sequence[Event], *, incident: Incident | None, limit: int = 20, lang: str = "en"
) -> dict[str, Any]:
    """The last ``limit`` events (oldest first), one line each, as a message.

    ``incident`` (current state) supplies the task and fact text events only number. Lines
    are packed into sections of up to 3000 characters; the message stays within 50 blocks.
    """
    limit = max(1, min(int(limit), MAX_TIMELINE_ENTRIES))
    every = list(events)
    recent = every[-limit:]
    label = incident.id if incident is not None else (
        f"INC-{recent[0].incident}" if recent else "Incident"
    )
    if not recent:
        return message(f"{label} timeline: empty", [section(msg.TIMELINE_EMPTY)])
    last = recent[-1].at
    lines = [
        truncate(
            f"`{msg.fmt_time(e.at, now=last)}` {msg.describe_event(e, incident=incident, lang=lang)}",
            MAX_SECTION_TEXT,
        )
        for e in recent
    ]
    sections = _pack(lines)
    room = MAX_MESSAGE_BLOCKS - 1  # the heading
    shown = len(recent)
    if len(sections) > room:
        dropped = sections[: len(sections) - room]
        shown -= sum(len(chunk) for chunk in dropped)
        sections = sections[len(sections) - room:]
    # The oldest sections go until the whole message fits Slack's block-text budget.
    room_text = BLOCK_TEXT_BUDGET - 400  # the heading
    while len(sections) > 1 and block_text_size(
            [section("\n".join(chunk)) for chunk in sections]) > room_text:
        shown -= len(sections.pop(0))
    heading = msg.timeline_heading(label, shown, len(every))
    blocks: list[Block] = [context(heading)]
    blocks += [section("\n".join(chunk)) for chunk in sections]
    return message(f"{label} timeline: {shown} entries", blocks)


def _pack(lines: list[str]) -> list[list[str]]:
    """Group lines greedily into chunks whose joined text fits one section."""
    chunks: list[list[str]] = []
    size = 0
    for line in lines:
        if chunks and size + 1 + len(line) <= MAX_SECTION_TEXT:
            chunks[-1].append(line)
            size += 1 + len(line)
        else:
            chunks.append([line])
            size = len(line)
    return chunks


def help_blocks(topic: str | None = None) -> dict[str, Any]:
    """The ``/crisis`` help as a message, whole or for one ``topic`` (``task``, ``fact``…)."""
    return message(msg.HELP_FALLBACK, [section(text) for text in msg.help_sections(topic)])
