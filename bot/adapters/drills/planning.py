"""Slack effects of a drill incident's opening and publications (called by the Slack planners):
a ``drill-…`` channel, only the team invited (never the roster's pagers), the announcement in the
site's drill channel (never the real announce channel), and publications that go nowhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.adapters.drills.config import drill_settings
from bot.adapters.drills.messages import announcement
from bot.adapters.slack.escape import escape_mrkdwn, one_line, plain_text_safe
from bot.adapters.slack.gateway import channel_name
from bot.domain import events as ev
from bot.domain.drills import DRILL_CHANNEL_PREFIX, is_drill_source
from bot.domain.incident import Incident
from bot.domain.playbook import Catalog


def is_drill(incident: Incident) -> bool:
    return is_drill_source(incident.source)


def drill_channel_name(number: int, title: str) -> str:
    """``drill-12-cosmetic-allergy``: the incident's channel name with ``drill`` for ``inc``."""
    name = channel_name(number, title.removeprefix("DRILL: "))
    return (DRILL_CHANNEL_PREFIX + name.removeprefix("inc"))[:80].rstrip("-_")


def plan_opening(incident: Incident, add: Callable[..., None], *, site: Any, catalog: Catalog) -> None:
    playbook = catalog.playbook(incident.crisis_type)
    title = plain_text_safe(one_line(incident.title))
    add("open_channel", name=drill_channel_name(incident.number, incident.title),
        topic=f"DRILL 演练 · {incident.id} · {incident.severity.value} · {playbook.name.en} · {title}",
        purpose=f"Drill room for {incident.id} (an exercise, not a real incident). Use /crisis help.",
        is_private=incident.confidential)
    users = [incident.declared_by] + [a.user for a in incident.roles.values()]
    add("invite", users=[u for i, u in enumerate(users)
                         if u and not u.startswith("system:") and u not in users[:i]])
    add("post_card")
    add("post_checklist")
    channel = drill_settings(site).channel
    if channel:
        add("announce", channel=channel, text=announcement(incident))


def drill_publication(incident: Incident, event: ev.StatementPublished) -> dict[str, Any]:
    """The channel's note that a drill publication went nowhere."""
    where = escape_mrkdwn(one_line(event.channel)) if event.channel else "its audience"
    return {"text": (f":no_entry_sign: Drill publication: statement {event.statement_id} "
                     f"({escape_mrkdwn(event.audience)}) would now go to {where}; in a drill it "
                     "is not sent anywhere outside this channel. 演练发布：声明不会发送到频道以外的任何地方。")}
