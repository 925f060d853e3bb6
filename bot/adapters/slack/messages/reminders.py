"""Timeline line of a sent reminder."""

from __future__ import annotations

from bot.adapters.slack.escape import (
    mention,
)
from bot.adapters.slack.messages.core import _t, fmt_time
from bot.domain import events as ev
from bot.domain.incident import Incident

# --------------------------------------------------------------------------- reminders

def _reminder_sent(e: ev.ReminderSent, who: str, inc: Incident | None, lang: str) -> str:
    to = " ".join(mention(u) for u in e.mentions) or "nobody"
    return (f"⏰ {who} sent a reminder ({_t(e.kind.replace('_', ' '))}, {_t(e.clock)}, due "
            f"{fmt_time(e.due_at)}) to {to}")
