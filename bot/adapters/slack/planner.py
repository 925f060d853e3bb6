"""Turns recorded timeline events into Slack effects, stored in the command's transaction.

One command gives at most one channel message (all its events described together), plus the
structural effects: open the channel, invite, post or update the card, post the checklist,
announce.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from bot.adapters.drills import planning as drills
from bot.adapters.slack import messages
from bot.adapters.slack.blocks.monitors import reopen_offer
from bot.adapters.slack.escape import one_line, plain_text_safe
from bot.adapters.slack.gateway import channel_name
from bot.domain import events as ev
from bot.domain.incident import Incident
from bot.domain.paging import PageSent
from bot.domain.playbook import Catalog
from bot.domain.roles import Role
from bot.services.ports import UnitOfWork
from bot.siteconfig import SiteConfig

#: Events already visible through the checklist or card when they come with a bigger change.
_QUIET_WITH_STRUCTURE = (ev.TaskAdded,)


class SlackEffects:
    """The :class:`~bot.services.ports.EffectPlanner` for Slack."""

    def __init__(self, *, site: SiteConfig, catalog: Catalog, wake: threading.Event | None = None,
                 invitees: Callable[[Sequence[Role]], list[str]] | None = None) -> None:
        self.site = site
        self.catalog = catalog
        self.wake = wake or threading.Event()
        #: Who a severity's ``invite`` roles bring in: on duty now (the rota) or the roster.
        self.invitees = invitees or site.users_for

    def plan(self, uow: UnitOfWork, incident: Incident, events: Sequence[ev.Event]) -> None:
        if not events:
            return
        at = events[-1].at
        add = lambda kind, **payload: uow.outbox.add(kind, payload, at=at, incident=incident.number)  # noqa: E731
        structural = any(isinstance(e, (ev.IncidentDeclared, ev.StageAdvanced, ev.IncidentReopened))
                         for e in events)
        if any(isinstance(e, ev.IncidentDeclared) for e in events):
            self._plan_opening(incident, add)
        else:
            invites = self._invites(incident, events)
            if invites:
                add("invite", users=invites)
            add("update_card")
        lines = [
            messages.describe_event(e, incident=incident)
            for e in events
            if not isinstance(e, (ev.IncidentDeclared, ev.ReminderSent, PageSent))  # own message
            and not (structural and isinstance(e, _QUIET_WITH_STRUCTURE))
            # A source's resolve after a person resolved the incident is recorded quietly.
            and not (isinstance(e, ev.AlertResolved) and not incident.is_active)
        ]
        if incident.firing and any(isinstance(e, ev.IncidentResolved) for e in events):
            lines.append(messages.still_firing_after_resolution(len(incident.firing)))
        if lines:
            add("post_message", text="\n".join(lines))
        if any(isinstance(e, (ev.StageAdvanced, ev.IncidentReopened)) for e in events):
            add("post_checklist")
        if incident.status.value == "resolved" and any(isinstance(e, ev.AlertFired) for e in events):
            add("post_message", **reopen_offer(incident))
        for event in events:
            if isinstance(event, ev.PostmortemPublished):
                add("upload_postmortem", version=event.version)

    def committed(self) -> None:
        self.wake.set()

    def _plan_opening(self, incident: Incident, add) -> None:
        if drills.is_drill(incident):  # drill-… channel, team only, the drill channel's announcement
            return drills.plan_opening(incident, add, site=self.site, catalog=self.catalog)
        playbook = self.catalog.playbook(incident.crisis_type)
        level = self.catalog.policy.level(incident.severity)
        # Topic and purpose are plain text on Slack (no entities, no formatting); the gateway
        # cuts them to 250 at a character boundary.
        title = plain_text_safe(one_line(incident.title))
        add("open_channel", name=channel_name(incident.number, incident.title),
            topic=f"{incident.id} · {incident.severity.value} · {playbook.name.en} · {title}",
            purpose=f"Crisis room for {incident.id}: {title}. Use /crisis help.",
            is_private=incident.confidential)
        users = [incident.declared_by] + [a.user for a in incident.roles.values()]
        users += self.invitees(level.invite)
        add("invite", users=_slack_users(users))
        add("post_card")
        add("post_checklist")
        if self.site.announce_channel:
            add("announce", channel=self.site.announce_channel,
                text=messages.announcement(incident, playbook_name=playbook.name.en))

    def _invites(self, incident: Incident, events: Sequence[ev.Event]) -> list[str]:
        users: list[str] = []
        for event in events:
            if isinstance(event, ev.RoleAssigned):
                users.append(event.user)
            elif isinstance(event, ev.SeverityChanged) and not drills.is_drill(incident):
                users += self.invitees(self.catalog.policy.level(incident.severity).invite)
        return _slack_users(users)


def _slack_users(users: list[str]) -> list[str]:
    """Real Slack user ids only (not ``system:…`` actors), without duplicates, in order."""
    seen: list[str] = []
    for user in users:
        if user and not user.startswith("system:") and user not in seen:
            seen.append(user)
    return seen
