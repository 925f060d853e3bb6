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


def _item_text(inc: Incident | None, no: int) -> str:
    for item in inc.followups if inc is not None else ():
        if item.item_no == no:
            return f": {_t(item.text)}"
    return ""


def _followup_done(e: ev.FollowupDone, who: str, inc: Incident | None, lang: str) -> str:
    if lang == "zh":
        return f"✅ {who} 完成了行动项 #{e.item_no}{_item_text(inc, e.item_no)}"
    return f"✅ {who} marked action item #{e.item_no} done{_item_text(inc, e.item_no)}"


def _followup_reopened(e: ev.FollowupReopened, who: str, inc: Incident | None, lang: str) -> str:
    if lang == "zh":
        return f"↩️ {who} 重新打开了行动项 #{e.item_no}{_item_text(inc, e.item_no)}"
    return f"↩️ {who} reopened action item #{e.item_no}{_item_text(inc, e.item_no)}"




def postmortem_posted(incident_label: str, version: int, *, reused: bool) -> str:
    """The reply to ``/crisis postmortem``."""
    again = " (the data has not changed since, so it is the same report)" if reused else ""
    return (f":page_facing_up: Post-mortem of {incident_label} version {version}{again} is being "
            "posted here as Markdown and HTML files.")


def postmortem_summary(*, incident_label: str, title: str, version: int, lines: list[str]) -> str:
    """The message that carries the post-mortem files."""
    head = f"*Post-mortem {incident_label} (v{version})*: {escape_mrkdwn(title)}"
    return "\n".join([head, *(f"• {escape_mrkdwn(line)}" for line in lines)])
