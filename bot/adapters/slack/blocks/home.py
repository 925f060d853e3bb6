"""The App Home tab: open incidents, most severe first, each with its next clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.adapters.slack import messages as msg
from bot.adapters.slack.blocks.common import (
    MAX_VIEW_BLOCKS,
    Block,
    actions,
    button,
    context,
    divider,
    header,
    section,
)
from bot.adapters.slack.ids import Action, View, ref_block_id
from bot.adapters.slack.ids import Block as BlockId
from bot.domain.clocks import Clock
from bot.domain.severity import Severity

#: header, intro, declare button, divider — and one block kept for "…and N more".
_FIXED_BLOCKS = 5


#: Incidents the tab lists.
HOME_ROOM = MAX_VIEW_BLOCKS - _FIXED_BLOCKS


def home_order(incidents: Sequence[Any]) -> list[Any]:
    """Active incidents in the tab's order: most severe first, then newest."""
    active = [inc for inc in incidents if _is_active(inc)]
    return sorted(active, key=lambda inc: (-_rank(inc), -int(inc.number)))


def app_home(
    summaries_with_clocks: Sequence[tuple[Any, Sequence[Clock]]], *, now: datetime,
    total: int | None = None, duty: str | None = None,
) -> dict[str, Any]:
    """The Home tab view (``type: home``) listing active incidents.

    Each pair is an incident — an :class:`~bot.domain.incident.Incident` or anything with
    ``number``, ``title``, ``severity``, ``stage`` and ``status`` such as
    ``IncidentSummary`` — and its clocks (``bot.domain.clocks.all_clocks``). Resolved and
    closed incidents are left out. Each entry shows severity, stage and the next running
    clock; the top has a "Declare incident" button. ``total`` is the number of active
    incidents when only the first of them were passed; the rest are counted at the end.
    """
    active = [(inc, clocks) for inc, clocks in summaries_with_clocks if _is_active(inc)]
    active.sort(key=lambda pair: (-_rank(pair[0]), -int(pair[0].number)))
    blocks: list[Block] = [
        header(msg.HOME_TITLE),
        section(msg.HOME_INTRO),
        actions(
            [button(msg.BUTTON_DECLARE, action_id=Action.OPEN_DECLARE, value="home",
                    style="primary")],
            block_id=BlockId.HOME_ACTIONS,
        ),
        divider(),
    ]
    room = HOME_ROOM
    for incident, clocks in active[:room]:
        blocks.append(section(
            msg.home_incident(incident, next_clock=_next_clock(clocks, now)),
            block_id=ref_block_id(BlockId.HOME_INCIDENT, int(incident.number)),
        ))
    shown = min(len(active), room)
    if max(total or 0, len(active)) > shown:
        blocks.append(context(msg.home_more(max(total or 0, len(active)) - shown)))
    if not active:
        blocks.append(section(msg.HOME_EMPTY))
    if duty:  # who is on duty today (the rota), under the incidents
        blocks += [divider(), section(duty)]
    return {"type": "home", "callback_id": View.HOME.value, "blocks": blocks}


def _is_active(incident: Any) -> bool:
    return str(getattr(incident, "status", "active")) == "active"


def _rank(incident: Any) -> int:
    try:
        return Severity(str(incident.severity)).rank
    except ValueError:
        return 0


def _next_clock(clocks: Sequence[Clock], now: datetime) -> str:
    """The earliest clock still running (overdue ones come first, being earliest)."""
    running = sorted((c for c in clocks if c.met_at is None), key=lambda c: c.due_at)
    return msg.clock_line(running[0], now=now) if running else msg.HOME_NO_CLOCK
