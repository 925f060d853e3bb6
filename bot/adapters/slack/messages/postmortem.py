"""Post-mortem wording: action items and the posted report."""

from __future__ import annotations

from bot.adapters.slack.escape import (
    escape_mrkdwn,
    mention,
)
from bot.adapters.slack.messages.core import _t
from bot.domain import events as ev
from bot.domain.incident import Incident


def _followup(e: ev.FollowupAdded, who: str, inc: Incident | None, lang: str) -> str:
    owner = f" — owner {mention(e.owner)}" if e.owner else ""
    return f"📌 {who} added action item #{e.item_no}: {_t(e.text)}{owner}"




def postmortem_posted(incident_label: str, version: int, *, reused: bool) -> str:
    """The reply to ``/crisis postmortem``."""
    again = " (the data has not changed since, so it is the same report)" if reused else ""
    return (f":page_facing_up: Post-mortem of {incident_label} version {version}{again} is being "
            "posted here as Markdown and HTML files.")


def postmortem_summary(*, incident_label: str, title: str, version: int, lines: list[str]) -> str:
    """The message that carries the post-mortem files."""
    head = f"*Post-mortem {incident_label} (v{version})*: {escape_mrkdwn(title)}"
    return "\n".join([head, *(f"• {escape_mrkdwn(line)}" for line in lines)])
