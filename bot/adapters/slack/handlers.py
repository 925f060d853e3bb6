"""From a parsed ``/crisis`` command (or a button) to one service call and a reply.

Synchronous on purpose: the bolt listeners ``ack()`` first and run these in a worker thread,
so database work never blocks the event loop.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.exc import OperationalError

from bot.adapters.db.outbox import OutboxStore
from bot.adapters.slack import blocks, commands as c, messages
from bot.domain.clocks import all_clocks
from bot.domain.errors import DomainError, InvalidInput, NotPermitted
from bot.domain.roles import Actor, Role
from bot.logs import bind_log_context
from bot.domain.playbook import Catalog
from bot.services import IncidentService, Outcome
from bot.services.postmortems import PostmortemService
from bot.siteconfig import SiteConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """What the person who acted sees (ephemeral unless ``public``)."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    public: bool = False

    def as_response(self) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text,
                                "response_type": "in_channel" if self.public else "ephemeral"}
        if self.blocks:
            body["blocks"] = self.blocks
        return body


def error_reply(exc: Exception) -> Reply:
    """The one place that turns an error into words for the person who acted."""
    if isinstance(exc, DomainError):
        return Reply(f":warning: {exc.message}")
    if isinstance(exc, OperationalError):
        log.error("database unavailable: %s", exc.__class__.__name__)
        return Reply(":warning: crisisbot cannot reach its database right now; nothing was "
                     "changed. Please try again in a minute.")
    error_id = uuid.uuid4().hex[:8]
    log.exception("unexpected error %s", error_id)
    return Reply(f":warning: Something went wrong on our side (error id `{error_id}`); "
                 "nothing was changed. Please try again or tell the crisisbot admins.")


class CommandHandler:
    def __init__(
        self, *, incidents: IncidentService, store: OutboxStore, catalog: Catalog,
        site: SiteConfig, clock: Callable, postmortems: PostmortemService | None = None,
    ) -> None:
        self.incidents = incidents
        self.store = store
        self.catalog = catalog
        self.site = site
        self.clock = clock
        #: Runs ``/crisis statement …`` once statements are wired (bootstrap).
        self.statements: Callable[..., Reply] | None = None
        self.alerts: Any = None  # the AlertService, wired by bootstrap
        self.postmortems = postmortems

    def actor(self, user_id: str) -> Actor:
        return Actor(user_id, roles=self.site.roles_of(user_id))

    def incident_for(self, command: Any, channel_id: str | None) -> int:
        number = getattr(command, "incident", None)
        if number is None and channel_id:
            number = self.store.incident_for_channel(channel_id)
        if number is None:
            raise InvalidInput("Run this inside an incident channel, or name the incident: "
                               "`/crisis INC-7 status`.")
        bind_log_context(incident=f"INC-{number}")
        return number

    def handle(self, command: Any, *, user_id: str, channel_id: str | None,
               key: str | None = None) -> Reply:
        """Run ``command`` for ``user_id``; never raises (errors become a reply)."""
        try:
            return self._dispatch(command, user_id=user_id, channel_id=channel_id, key=key)
        except Exception as exc:  # noqa: BLE001 - every error gets an answer
            return error_reply(exc)

    def _dispatch(self, cmd: Any, *, user_id: str, channel_id: str | None, key: str | None) -> Reply:
        actor = self.actor(user_id)
        if isinstance(cmd, c.Help):
            return Reply(messages.HELP_TEXT, blocks.help_blocks()["blocks"])
        if isinstance(cmd, c.Declare):
            return self.declare(title=cmd.title, crisis_type=cmd.crisis_type, severity=cmd.severity,
                                description="", actor=actor, key=key)
        if isinstance(cmd, c.Statement):
            assert self.statements is not None, "bootstrap wires the statement handler"
            return self.statements(cmd, user_id=user_id, channel_id=channel_id, key=key)
        if isinstance(cmd, c.Snooze):
            return self.snooze(cmd, actor)
        if isinstance(cmd, c.Postmortem):
            return self.postmortem(self.incident_for(cmd, channel_id), actor=actor, key=key)
        number = self.incident_for(cmd, channel_id)
        svc = self.incidents
        if isinstance(cmd, c.Status):
            return self.status(number)
        if isinstance(cmd, c.Timeline):
            incident = svc.get(number)
            limit = cmd.limit or 20
            view = blocks.timeline_blocks(svc.timeline(number, last=limit), incident=incident,
                                          limit=limit)
            return Reply(view["text"], view["blocks"])
        if isinstance(cmd, c.Stage) and not cmd.advance:
            view = blocks.stage_checklist(svc.get(number), now=self.clock())
            return Reply(view["text"], view["blocks"])
        outcome = self._change(svc, cmd, number, actor, key)
        if outcome.duplicate:
            return Reply(messages.ALREADY_DONE)
        return Reply(":white_check_mark: " + "\n".join(
            messages.describe_event(e, incident=outcome.incident) for e in outcome.events[:5]
        ))

    def _change(self, svc: IncidentService, cmd: Any, number: int, actor: Actor,
                key: str | None) -> Outcome:
        k = {"idempotency_key": key}
        if isinstance(cmd, c.SetSeverity):
            return svc.change_severity(number, cmd.severity, actor=actor, reason=cmd.reason, **k)
        if isinstance(cmd, c.AssignRole):
            return svc.assign_role(number, cmd.role, cmd.user, actor=actor, **k)
        if isinstance(cmd, c.Stage):
            return svc.advance_stage(number, actor=actor, force=cmd.force, **k)
        if isinstance(cmd, c.TaskDone):
            return svc.complete_task(number, cmd.no, actor=actor, **k)
        if isinstance(cmd, c.TaskAdd):
            return svc.add_task(number, cmd.text, actor=actor, **k)
        if isinstance(cmd, c.TaskAssign):
            return svc.assign_task(number, cmd.no, cmd.user, actor=actor, **k)
        if isinstance(cmd, c.FactAdd):
            return svc.add_fact(number, cmd.text, actor=actor, **k)
        if isinstance(cmd, c.FactConfirm):
            return svc.confirm_fact(number, cmd.no, actor=actor, **k)
        if isinstance(cmd, c.FactRetract):
            return svc.retract_fact(number, cmd.no, actor=actor, reason=cmd.reason, **k)
        if isinstance(cmd, c.Note):
            return svc.add_note(number, cmd.text, actor=actor, **k)
        if isinstance(cmd, c.Impact):
            return svc.record_impact(number, cmd.figures, actor=actor, **k)
        if isinstance(cmd, c.Resolve):
            return svc.resolve(number, actor=actor, summary=cmd.summary, **k)
        if isinstance(cmd, c.Reopen):
            return svc.reopen(number, actor=actor, reason=cmd.reason or messages.REOPEN_REASON, **k)
        if isinstance(cmd, c.Followup):
            return svc.add_followup(number, cmd.text, owner=cmd.owner, actor=actor, **k)
        raise InvalidInput(f"`{type(cmd).__name__}` is not supported here; see `/crisis help`.")

    # ------------------------------------------------------------------ shared

    def declare(self, *, title: str, crisis_type: str | None, severity: Any, description: str,
                actor: Actor, key: str | None) -> Reply:
        crisis_type = crisis_type or "brand_reputation"
        try:
            playbook = self.catalog.playbook(crisis_type)
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0])) from None
        level = self.catalog.policy.level(severity or playbook.default_severity)
        roles = self.site.default_holders(level.invite)
        if not actor.is_system:
            roles[Role.COMMANDER] = actor.id  # whoever declares leads until they hand over
        outcome = self.incidents.declare(
            title=title, crisis_type=crisis_type, severity=severity, description=description,
            actor=actor, roles=roles, idempotency_key=key,
        )
        incident = outcome.incident
        return Reply(f":rotating_light: {incident.id} declared ({incident.severity.value}, "
                     f"{playbook.name.en}); its channel is being opened.")

    def status(self, number: int) -> Reply:
        incident = self.incidents.get(number)
        card = blocks.incident_card(
            incident, playbook=self.catalog.playbook(incident.crisis_type),
            policy=self.catalog.policy, now=self.clock(),
        )
        return Reply(card["text"], card["blocks"])

    def home(self) -> dict[str, Any]:
        now = self.clock()
        pairs = []
        for summary in self.incidents.list(open_only=True)[:20]:
            incident = self.incidents.get(summary.number)
            clocks = all_clocks(incident, playbook=self.catalog.playbook(incident.crisis_type),
                                policy=self.catalog.policy, now=now)
            pairs.append((incident, clocks))
        return blocks.app_home(pairs, now=now)

    def snooze(self, cmd: Any, actor: Actor) -> Reply:
        """``/crisis snooze``: commanders and executives of the site roster only."""
        if not actor.roles & {Role.COMMANDER, Role.EXEC}:
            raise NotPermitted(messages.SNOOZE_NOT_PERMITTED)
        if self.alerts is None:
            raise InvalidInput(messages.SNOOZE_UNAVAILABLE)
        until = self.alerts.snooze(cmd.monitor, duration=cmd.duration, actor=actor)
        return Reply(messages.snoozed(cmd.monitor, until, by=actor.id), public=True)

    def postmortem(self, number: int, *, actor: Actor, key: str | None) -> Reply:
        """Build (or reuse) the post-mortem and post it to the incident channel as files."""
        assert self.postmortems is not None
        stored, outcome = self.postmortems.publish(number, actor=actor, idempotency_key=key)
        if outcome.duplicate:
            return Reply(messages.ALREADY_DONE)
        return Reply(messages.postmortem_posted(stored.incident_label, stored.version,
                                                reused=stored.reused))
