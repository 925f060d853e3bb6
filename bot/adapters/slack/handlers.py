"""From a parsed ``/crisis`` command (or a button) to one service call and a reply.

Synchronous on purpose: the bolt listeners ``ack()`` first and run these in a worker thread,
so database work never blocks the event loop.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Callable, NamedTuple

from sqlalchemy.exc import OperationalError

from bot.adapters.db.outbox import OutboxStore
from bot.adapters.slack import blocks, commands as c, messages
from bot.adapters.drills.replies import drill_marked
from bot.adapters.slack.members import ChannelMembers
from bot.domain.clocks import all_clocks
from bot.domain.errors import DomainError, InvalidInput, NotPermitted
from bot.domain.incident import Incident
from bot.domain.permissions import Refused, Standing, Who, allows, check, check_claim, permission
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.logs import bind_log_context, log_context
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
    if isinstance(exc, Refused):
        return Reply(messages.refusal(exc))
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


#: Command fields renamed for the service call (``TaskDone.no`` is ``task_no``…).
_RENAMED = {"no": {"task done": "task_no", "task assign": "task_no",
                   "followup done": "item_no", "followup reopen": "item_no",
                   "fact confirm": "fact_no", "fact retract": "fact_no",
                   "fact translate": "fact_no"}}
#: Command fields that only choose the row (``Stage.advance``) and are not service arguments.
_NOT_ARGUMENTS = frozenset({"incident", "advance"})


def permission_key(command: Any) -> str:
    """The permission-table row of a parsed ``/crisis`` command."""
    if isinstance(command, c.Stage):
        return "stage force" if command.force else "stage next" if command.advance else "stage"
    return command.name


def service_arguments(command: Any, key: str) -> dict[str, Any]:
    """The parsed command's fields as keyword arguments of its service call."""
    out: dict[str, Any] = {}
    for f in fields(command):
        if f.name in _NOT_ARGUMENTS:
            continue
        out[_RENAMED.get(f.name, {}).get(key, f.name)] = getattr(command, f.name)
    return out


#: ``/crisis`` rows a worker may apply together when several for one incident wait (see
#: :meth:`CommandHandler.handle_many`): they add to the timeline and change nobody's standing,
#: so one permission read serves them all.
TOGETHER = frozenset({"note", "fact", "task add", "impact", "followup"})
#: Reads a worker may answer together, with one read and one rendering.
READ_TOGETHER = frozenset({"status"})
#: At most this many characters of command text in one batch: its channel message joins them.
TOGETHER_TEXT = 12_000


class CommandRun(NamedTuple):
    """A parsed command waiting for :meth:`CommandHandler.handle_many`; ``context``: its
    request's (log fields), for what is done for it alone."""

    command: Any
    user_id: str
    channel_id: str | None
    key: str | None = None
    context: contextvars.Context | None = None

    def alone(self, handler: CommandHandler) -> Reply:
        def run() -> Reply:
            return handler.handle(self.command, user_id=self.user_id,
                                  channel_id=self.channel_id, key=self.key)
        return self.context.run(run) if self.context is not None else run()


def _text_size(command: Any) -> int:
    return sum(len(str(getattr(command, name, "") or "")) for name in ("text", "figures"))


class CommandHandler:
    def __init__(
        self, *, incidents: IncidentService, store: OutboxStore, catalog: Catalog,
        site: SiteConfig, clock: Callable, postmortems: PostmortemService | None = None,
        members: ChannelMembers | None = None, duty: Any = None,
        listening: Callable[[Incident, str], dict[str, Any]] | None = None,
    ) -> None:
        self.incidents = incidents
        self.store = store
        self.catalog = catalog
        self.site = site
        self.clock = clock
        #: Runs ``/crisis statement …`` once statements are wired (bootstrap).
        self.statements: Callable[..., Reply] | None = None
        self.alerts: Any = None  # the AlertService, wired by bootstrap
        #: Runs ``/crisis drill …`` once drills are wired (bootstrap).
        self.drills: Callable[..., Reply] | None = None
        #: Runs ``/crisis lessons …`` once the knowledge base is wired (bootstrap).
        self.knowledge: Callable[..., Reply] | None = None
        self.postmortems = postmortems
        self.members = members
        #: ``/crisis listening [view]``: (incident, view) -> {text, blocks} (bootstrap).
        self.listening = listening
        #: ``/crisis oncall …`` (the rows calling ``duty.*``): an ``OncallHandler``; its
        #: ``duty`` service picks who is assigned at declaration.
        self.duty = duty

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

    # ------------------------------------------------------------------ permissions

    def standing(self, incident: Incident, actor: Actor, *, channel_id: str | None,
                 who: Who | None = None) -> Standing:
        """The actor's standing in ``incident``; channel membership is looked up only when the
        decision depends on it (no role in the incident, not a roster exec)."""
        return self._with_channel(incident, incident.standing(actor), channel_id=channel_id,
                                  who=who)

    def _with_channel(self, incident: Incident, standing: Standing, *, channel_id: str | None,
                      who: Who | None) -> Standing:
        standing = replace(standing, reads_restricted=standing.reads_restricted
                           or self.site.reads_restricted)
        if who is not None and allows(who, standing):
            return standing  # decided without asking Slack
        needs_channel = who in (None, Who.READER, Who.CONTRIBUTOR)
        if (needs_channel and not standing.is_insider and self.members is not None
                and self.members.in_channel(incident.number, standing.user,
                                            from_channel=channel_id)):
            standing = replace(standing, in_channel=True)
        return standing

    def authorize(self, key: str, number: int, *, actor: Actor, channel_id: str | None,
                  task_no: int | None = None, item_no: int | None = None) -> Incident:
        """Check row ``key`` of the permission table for ``actor`` in incident ``number``
        (``task_no``: the task the action is about); returns the incident or raises
        :class:`~bot.domain.permissions.Refused`."""
        incident = self.incidents.get(number)
        self.check_row(key, incident, actor=actor, channel_id=channel_id, task_no=task_no,
                       item_no=item_no)
        return incident

    def check_row(self, key: str, incident: Incident, *, actor: Actor, channel_id: str | None,
                  task_no: int | None = None, item_no: int | None = None) -> None:
        """Row ``key`` of the permission table for ``actor`` in ``incident`` as it stands;
        raises :class:`~bot.domain.permissions.Refused`."""
        row = permission(key)
        assignee = task_no is not None and any(
            t.no == task_no and t.assignee == actor.id for t in incident.tasks)
        item_owner = item_no is not None and any(
            f.item_no == item_no and f.owner == actor.id for f in incident.followups)
        standing = replace(incident.standing(actor), assignee=assignee, item_owner=item_owner)
        standing = self._with_channel(incident, standing, channel_id=channel_id, who=row.who)
        if not allows(row.who, standing) and not standing.is_insider:
            # Refused either way; say "you are not part of it" only to those who are not.
            standing = self._with_channel(incident, standing, channel_id=channel_id, who=None)
        check(row, standing, incident_label=incident.id)

    def may_read(self, incident: Incident, user_id: str, *, row: str = "home") -> bool:
        """May ``user_id`` see ``incident`` through ``row`` (the App Home by default)?"""
        who = permission(row).who
        standing = self.standing(incident, self.actor(user_id), channel_id=None, who=who)
        return allows(who, standing)

    # ------------------------------------------------------------------ dispatch

    def handle(self, command: Any, *, user_id: str, channel_id: str | None,
               key: str | None = None, row: str | None = None) -> Reply:
        """Run ``command`` for ``user_id``; never raises (errors become a reply). ``row``: the
        permission row when it is not the command's own (a button)."""
        # The incident bound to the log context while handling stays with this call, whatever
        # thread (sweeper, test, worker) runs it.
        with log_context():
            try:
                reply = self._dispatch(command, user_id=user_id, channel_id=channel_id, key=key,
                                       row_key=row)
            except Exception as exc:  # noqa: BLE001 - every error gets an answer
                reply = error_reply(exc)
            return drill_marked(reply, self, channel_id)

    def _dispatch(self, cmd: Any, *, user_id: str, channel_id: str | None, key: str | None,
                  row_key: str | None = None) -> Reply:
        """Through the permission table: find the row, check who may run it, make its call."""
        if isinstance(cmd, c.Drill):  # its own parser; the drill handler checks rows
            if self.drills is None:
                raise InvalidInput("Drills are not available in this process.")
            return self.drills(cmd, user_id=user_id, channel_id=channel_id, key=key)
        if isinstance(cmd, c.Statement):  # its own parser; the statement handler checks rows
            assert self.statements is not None, "bootstrap wires the statement handler"
            return self.statements(cmd, user_id=user_id, channel_id=channel_id, key=key)
        if isinstance(cmd, c.Lessons):  # the knowledge handler checks its row and each case
            assert self.knowledge is not None, "bootstrap wires the knowledge handler"
            return self.knowledge(cmd, user_id=user_id, channel_id=channel_id)
        actor = self.actor(user_id)
        command_key = permission_key(cmd)
        row_key = row_key or command_key
        row = permission(row_key)
        target, method = row.call.split(".")
        if not row.incident:
            check(row, Standing(user=actor.id, roster_roles=actor.roles), incident_label=None)
            if target == "duty":
                if self.duty is None:
                    raise InvalidInput("The duty rota is not available here.")
                return self.duty(cmd, method=method, actor=actor)
            return getattr(self, f"_{target}_{method}")(cmd, actor=actor, key=key)
        number = self.incident_for(cmd, channel_id)
        incident = self.authorize(row_key, number, actor=actor, channel_id=channel_id,
                                  task_no=cmd.no if command_key == "task done" else None,
                                  item_no=cmd.no if command_key.startswith("followup ") else None)
        if target == "incidents":
            arguments = service_arguments(cmd, command_key)
            if command_key == "role":
                check_claim(incident.standing(actor), role=cmd.role, user=cmd.user,
                            incident_label=incident.id)
            if command_key == "reopen" and not arguments.get("reason"):
                arguments["reason"] = messages.REOPEN_REASON
            with self.incidents.reusing(incident):  # just read: the change need not read it again
                outcome = getattr(self.incidents, method)(number, **arguments, actor=actor,
                                                          idempotency_key=key)
            return self.changed(outcome)
        if target == "view":  # a read: shown as just loaded for the permission check
            return getattr(self, f"_view_{method}")(cmd, number=number, incident=incident)
        return getattr(self, f"_{target}_{method}")(cmd, number=number, actor=actor, key=key)

    def handle_many(self, runs: Sequence[CommandRun]) -> list[Reply]:
        """:meth:`handle` for each of ``runs``, in order, one reply each. Consecutive
        commands of one incident that go together (a burst, as the workers find it queued)
        are checked against one read: changes of :data:`TOGETHER` are applied in one
        transaction (should one fail in the domain, nothing of theirs is kept and each runs
        on its own), reads of :data:`READ_TOGETHER` answered with one rendering."""
        replies: list[Reply] = []
        start = 0
        while start < len(runs):
            group = self._together_in(runs[start])
            end, size = start + 1, _text_size(runs[start].command)
            while (group is not None and end < len(runs)
                   and self._together_in(runs[end]) == group
                   and size + _text_size(runs[end].command) <= TOGETHER_TEXT):
                size += _text_size(runs[end].command)
                end += 1
            if group is not None and end - start > 1:
                replies.extend(self._together(*group, runs[start:end]))
            else:
                replies.append(runs[start].alone(self))
            start = end
        return replies

    def _together_in(self, run: CommandRun) -> tuple[int, bool] | None:
        """(incident, whether a read) of the commands ``run`` may go together with, if any."""
        key = permission_key(run.command)
        if key not in TOGETHER and key not in READ_TOGETHER:
            return None
        number = getattr(run.command, "incident", None)
        if number is None and run.channel_id:
            try:
                number = self.store.incident_for_channel(run.channel_id)
            except Exception:  # noqa: BLE001 - run alone, it says why
                return None
        return None if number is None else (number, key in READ_TOGETHER)

    def _together(self, number: int, read: bool, runs: Sequence[CommandRun]) -> list[Reply]:
        """One group of :meth:`handle_many`; never raises (what fails runs alone)."""
        replies: dict[int, Reply] = {}
        permitted: list[int] = []
        with log_context(incident=f"INC-{number}"):
            try:
                incident = self.incidents.get(number)
                for i, run in enumerate(runs):
                    try:
                        self.check_row(permission_key(run.command), incident,
                                       actor=self.actor(run.user_id), channel_id=run.channel_id)
                        permitted.append(i)
                    except Exception as exc:  # noqa: BLE001 - refused: said to that person only
                        replies[i] = drill_marked(error_reply(exc), self, run.channel_id)
                if read and permitted:
                    card = self.status(number, incident=incident)  # one rendering for all
                    replies.update((i, drill_marked(card, self, runs[i].channel_id))
                                   for i in permitted)
                elif permitted:
                    with self.incidents.reusing(incident), self.incidents.together(number):
                        outcomes = {i: self._change(number, runs[i]) for i in permitted}
                    replies.update((i, drill_marked(self.changed(outcome), self,
                                                    runs[i].channel_id))
                                   for i, outcome in outcomes.items())
            except Exception as exc:  # noqa: BLE001 - nothing was kept: each runs on its own
                log.warning("%d commands to INC-%s run one by one (%s)",
                            len(permitted) or len(runs), number, exc.__class__.__name__)
                replies = {i: reply for i, reply in replies.items() if i not in permitted}
        return [replies[i] if i in replies else run.alone(self) for i, run in enumerate(runs)]

    def _change(self, number: int, run: CommandRun) -> Outcome:
        """The service call of a command of :data:`TOGETHER` (its row names it)."""
        key = permission_key(run.command)
        method = getattr(self.incidents, permission(key).call.split(".")[1])
        return method(number, **service_arguments(run.command, key),
                      actor=self.actor(run.user_id), idempotency_key=run.key)

    def changed(self, outcome: Outcome) -> Reply:
        if outcome.duplicate:
            return Reply(messages.ALREADY_DONE)
        return Reply(":white_check_mark: " + "\n".join(
            messages.describe_event(e, incident=outcome.incident) for e in outcome.events[:5]
        ))

    # ------------------------------------------------------------------ calls named by rows

    def _listening_show(self, cmd: Any, *, number: int, **_: Any) -> Reply:
        if self.listening is None:
            return Reply(messages.LISTENING_OFF)
        body = self.listening(self.incidents.get(number), cmd.view)
        return Reply(body["text"], blocks=body["blocks"])

    def _view_help(self, cmd: Any, **_: Any) -> Reply:
        return Reply(messages.HELP_TEXT, blocks.help_blocks()["blocks"])

    def _incidents_declare(self, cmd: Any, *, actor: Actor, key: str | None) -> Reply:
        return self.declare(title=cmd.title, crisis_type=cmd.crisis_type, severity=cmd.severity,
                            description="", actor=actor, key=key, confidential=cmd.confidential)

    def _alerts_snooze(self, cmd: Any, *, actor: Actor, key: str | None) -> Reply:
        return self.snooze(cmd, actor)

    def _view_status(self, cmd: Any, *, number: int, incident: Incident | None = None,
                     **_: Any) -> Reply:
        return self.status(number, incident=incident)

    def _view_timeline(self, cmd: Any, *, number: int, incident: Incident | None = None,
                       **_: Any) -> Reply:
        limit = cmd.limit or 20  # read only the events shown, whatever the incident's age
        view = blocks.timeline_blocks(self.incidents.timeline(number, last=limit),
                                      incident=incident or self.incidents.get(number), limit=limit)
        return Reply(view["text"], view["blocks"])

    def _view_stage(self, cmd: Any, *, number: int, incident: Incident | None = None,
                    **_: Any) -> Reply:
        view = blocks.stage_checklist(incident or self.incidents.get(number), now=self.clock())
        return Reply(view["text"], view["blocks"])

    def _postmortems_publish(self, cmd: Any, *, number: int, actor: Actor, key: str | None) -> Reply:
        return self.postmortem(number, actor=actor, key=key)

    def capture(self, *, channel: str, user: str, author: str, text: str, permalink: str,
                posted_at: datetime, key: str, row: str) -> Reply:
        """A message shortcut or :pushpin: reaction: record the message on the timeline."""
        number = self.incident_for(None, channel)
        actor = self.actor(user)
        self.authorize(row, number, actor=actor, channel_id=channel)
        outcome = self.incidents.capture_message(
            number, author=author, text=text, permalink=permalink, posted_at=posted_at,
            actor=actor, idempotency_key=key,
        )
        if outcome.duplicate:
            return Reply("That message is already on the timeline.")
        return Reply(":pushpin: Added to the timeline.")

    # ------------------------------------------------------------------ shared

    def declare(self, *, title: str, crisis_type: str | None, severity: Any, description: str,
                actor: Actor, key: str | None, confidential: bool | None = None) -> Reply:
        crisis_type = crisis_type or "brand_reputation"
        try:
            playbook = self.catalog.playbook(crisis_type)
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0])) from None
        wanted = self.catalog.invite_for(
            crisis_type, Severity.parse(severity or playbook.default_severity))
        # On duty now (the rota), else the first rostered person of each role.
        roles = (self.duty.duty.holders(wanted, fresh=True) if self.duty is not None
                 else self.site.default_holders(wanted))
        if not actor.is_system:
            roles[Role.COMMANDER] = actor.id  # whoever declares leads until they hand over
        outcome = self.incidents.declare(
            title=title, crisis_type=crisis_type, severity=severity, description=description,
            actor=actor, roles=roles, idempotency_key=key, confidential=confidential,
        )
        incident = outcome.incident
        return Reply(f":rotating_light: {incident.id} declared ({incident.severity.value}, "
                     f"{playbook.name.en}); its channel is being opened.")

    def status(self, number: int, *, incident: Incident | None = None) -> Reply:
        """The incident card (of ``incident`` when the caller has just loaded it)."""
        incident = incident or self.incidents.get(number)
        catalog = self.catalog.for_source(incident.source)  # a drill's clocks are compressed
        card = blocks.incident_card(
            incident, playbook=catalog.playbook(incident.crisis_type),
            policy=catalog.policy, now=self.clock(),
        )
        return Reply(card["text"], card["blocks"])

    def home(self, user_id: str) -> dict[str, Any]:
        """The App Home of ``user_id``: open incidents they may read (confidential ones and,
        with ``visibility: members``, all, only for people in the incident)."""
        now = self.clock()
        pairs = []
        # The most severe, newest first, as many as the tab shows; the count of the rest the
        # user may read is said at its end ("…and N more").
        readable = 0
        for summary in blocks.home_order(self.incidents.list(open_only=True)):
            incident = self.incidents.get(summary.number)
            if not self.may_read(incident, user_id):
                continue
            readable += 1
            if len(pairs) >= blocks.HOME_ROOM:
                continue
            catalog = self.catalog.for_source(incident.source)
            clocks = all_clocks(incident, playbook=catalog.playbook(incident.crisis_type),
                                policy=catalog.policy, now=now)
            pairs.append((incident, clocks))
        duty = self.duty.home_section() if self.duty is not None else None
        return blocks.app_home(pairs, now=now, total=readable, duty=duty)

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
