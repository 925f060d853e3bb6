"""Block Kit for monitor alerts: the reopen offer when a signal fires on a resolved incident."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack import messages as msg
from bot.adapters.slack.blocks.common import actions, button, message, section
from bot.adapters.slack.ids import Action, encode_ref
from bot.domain.incident import Incident


def reopen_offer(incident: Incident) -> dict[str, Any]:
    """``{"text", "blocks"}``: the explanation and a *Reopen incident* button."""
    text = msg.reopen_offer_text(incident)
    return message(text, [
        section(text),
        actions([button(msg.BUTTON_REOPEN, action_id=Action.REOPEN,
                        value=encode_ref(incident.number), style="primary")]),
    ])
