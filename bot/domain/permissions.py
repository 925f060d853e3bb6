"""Who may do what in a live incident: the one permission table.

Every ``/crisis`` subcommand, button, shortcut and reaction is one :class:`Permission` row:
its key, where it comes from (``surface``), who may run it (a :class:`Who` predicate over the
actor's :class:`Standing` in the incident) and the service call it makes. The Slack adapter
dispatches through this table (``CommandHandler`` in ``bot/adapters/slack/handlers.py``), the
README and SECURITY.md publish it (a test keeps them equal), and the permission-matrix test is
generated from it.

Who counts for what:

* only roles held **in the incident** count; roster roles only seed the defaults at
  declaration (see :meth:`Standing.effective_roles`);
* a roster ``exec`` overrides everywhere (counts as the incident's executive);
* a roster ``commander`` may claim command of an incident that has none (monitor-opened);
* "in the channel" is membership of the incident's Slack channel, which the adapter looks up
  (a command typed in the channel itself proves it; otherwise ``conversations.members``).

>>> s = Standing(user="U1", incident_roles=frozenset(), roster_roles=frozenset(),
...              in_channel=True, commander="U9")
>>> allows(Who.CONTRIBUTOR, s), allows(Who.LEAD, s)
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.errors import NotPermitted
from bot.domain.roles import Role
from bot.domain.statements import PUBLISHERS

#: Roles that may confirm/retract facts and record impact (plus an exec of the roster).
DECIDERS = frozenset({Role.COMMANDER, Role.COMMS, Role.LEGAL, Role.EXEC})
#: Roles that lead: any severity change, stage advance/force, reopen, resolve, role assignment.
LEADS = frozenset({Role.COMMANDER, Role.EXEC})

#: Site-config ``visibility`` values for non-confidential incidents.
VISIBILITIES = ("workspace", "members")


class Who(StrEnum):
    """The predicates of the table, from the widest to the narrowest."""

    ANYONE = "anyone"
    READER = "reader"
    CONTRIBUTOR = "contributor"
    TEAM = "team"
    TEAM_OR_ASSIGNEE = "team_or_assignee"
    DECIDER = "decider"
    PUBLISHER = "publisher"
    LEAD = "lead"
    LEAD_OR_CLAIM = "lead_or_claim"
    ROSTER_LEAD = "roster_lead"
    DRILL_LEAD = "drill_lead"
    LEAD_OR_OWNER = "lead_or_owner"

    @property
    def describe(self) -> str:
        return _DESCRIBE[self]


_DESCRIBE: dict[Who, str] = {
    Who.ANYONE: "anyone in the workspace",
    Who.READER: "anyone in the workspace; for a confidential incident (or with "
                "`visibility: members`) only people in the incident",
    Who.CONTRIBUTOR: "people in the incident: channel members, incident role holders, roster exec",
    Who.TEAM: "anyone holding a role in the incident, roster exec",
    Who.TEAM_OR_ASSIGNEE: "anyone holding a role in the incident, roster exec, the task's assignee",
    Who.DECIDER: "incident commander, comms, legal or exec; roster exec",
    Who.PUBLISHER: "incident commander, comms, spokesperson or exec; roster exec",
    Who.LEAD: "incident commander or exec; roster exec",
    Who.LEAD_OR_CLAIM: "incident commander or exec; roster exec; a roster commander may claim "
                       "command of an incident that has none",
    Who.ROSTER_LEAD: "roster commander or exec",
    Who.DRILL_LEAD: "roster commander or exec; a drill facilitator of the site config",
    Who.LEAD_OR_OWNER: "incident commander or exec; roster exec; the action item's owner",
}


@dataclass(frozen=True, slots=True)
class Standing:
    """What the actor is, for one incident (or none, for workspace-wide commands)."""

    user: str
    incident_roles: frozenset[Role] = frozenset()
    roster_roles: frozenset[Role] = frozenset()
    in_channel: bool = False
    commander: str | None = None
    #: Reads are limited to people in the incident (confidential, or ``visibility: members``).
    reads_restricted: bool = False
    is_system: bool = False
    #: The actor is the assignee of the task the action is about (``task done``).
    assignee: bool = False
    #: The site config names the actor a drill facilitator (``drills.facilitators``).
    drill_facilitator: bool = False
    #: The actor owns the action item the action is about (``followup done``).
    item_owner: bool = False

    @property
    def is_roster_exec(self) -> bool:
        return Role.EXEC in self.roster_roles

    @property
    def effective_roles(self) -> frozenset[Role]:
        """Incident roles, plus ``exec`` for a roster executive (who overrides everywhere).
        Other roster roles do not count inside an incident."""
        return effective_roles(self.incident_roles, self.roster_roles)

    @property
    def is_insider(self) -> bool:
        """In the incident: channel member, role holder, roster exec (or the bot itself)."""
        return self.is_system or self.in_channel or bool(self.effective_roles)

    @property
    def may_claim_command(self) -> bool:
        return self.commander is None and Role.COMMANDER in self.roster_roles


def effective_roles(incident_roles: frozenset[Role], roster_roles: frozenset[Role]) -> frozenset[Role]:
    """The roles that count in an incident: those held in it, plus exec for a roster exec."""
    return frozenset(incident_roles) | (frozenset(roster_roles) & {Role.EXEC})


def allows(who: Who, standing: Standing) -> bool:
    """Does ``who`` admit the actor of ``standing``?"""
    s = standing
    if s.is_system:
        return True
    roles = s.effective_roles
    if who is Who.ANYONE:
        return True
    if who is Who.READER:
        return not s.reads_restricted or s.is_insider
    if who is Who.CONTRIBUTOR:
        return s.is_insider
    if who is Who.TEAM:
        return bool(roles)
    if who is Who.TEAM_OR_ASSIGNEE:
        return bool(roles) or s.assignee
    if who is Who.DECIDER:
        return bool(roles & DECIDERS)
    if who is Who.PUBLISHER:
        return bool(roles & PUBLISHERS)
    if who is Who.LEAD:
        return bool(roles & LEADS)
    if who is Who.LEAD_OR_CLAIM:
        return bool(roles & LEADS) or s.may_claim_command
    if who is Who.ROSTER_LEAD:
        return bool(s.roster_roles & LEADS)
    if who is Who.DRILL_LEAD:
        return bool(s.roster_roles & LEADS) or s.drill_facilitator
    if who is Who.LEAD_OR_OWNER:
        return bool(roles & LEADS) or s.item_owner
    raise ValueError(f"unknown predicate {who!r}")  # pragma: no cover - StrEnum is closed


class Surface(StrEnum):
    COMMAND = "command"
    BUTTON = "button"
    SHORTCUT = "shortcut"
    REACTION = "reaction"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class Permission:
    """One row of the table."""

    key: str
    surface: Surface
    usage: str
    who: Who
    #: ``<target>.<method>``: the service (or read view) the adapter calls.
    call: str
    #: A read: changes nothing, so it is never replayed or recorded.
    read: bool = False
    #: The row applies to one incident (``False``: help, declare, snooze).
    incident: bool = True
    #: What else is checked after the table (shown in the published table).
    notes: str = field(default="", compare=False)


C, B, SH, R, E = Surface.COMMAND, Surface.BUTTON, Surface.SHORTCUT, Surface.REACTION, Surface.EVENT

#: The permission table. One row per command, button, shortcut and reaction.
PERMISSIONS: tuple[Permission, ...] = (
    Permission("help", C, "/crisis help", Who.ANYONE, "view.help", read=True, incident=False),
    Permission("declare", C, "/crisis declare <title> [sev:] [type:] [confidential:yes|no]",
               Who.ANYONE, "incidents.declare", incident=False),
    Permission("snooze", C, "/crisis snooze <monitor> <duration>", Who.ROSTER_LEAD,
               "alerts.snooze", incident=False),
    Permission("status", C, "/crisis status", Who.READER, "view.status", read=True),
    Permission("timeline", C, "/crisis timeline [n]", Who.READER, "view.timeline", read=True),
    Permission("stage", C, "/crisis stage", Who.READER, "view.stage", read=True),
    Permission("statement show", C, "/crisis statement show <id>", Who.READER,
               "statements.show", read=True),
    Permission("statement list", C, "/crisis statement list", Who.READER,
               "statements.list", read=True),
    Permission("note", C, "/crisis note <text>", Who.CONTRIBUTOR, "incidents.add_note"),
    Permission("fact", C, "/crisis fact <text>", Who.CONTRIBUTOR, "incidents.add_fact"),
    Permission("task add", C, "/crisis task add <text>", Who.CONTRIBUTOR, "incidents.add_task"),
    Permission("followup", C, "/crisis followup <text> [@owner]", Who.CONTRIBUTOR,
               "incidents.add_followup"),
    Permission("task done", C, "/crisis task done <n>", Who.TEAM_OR_ASSIGNEE,
               "incidents.complete_task"),
    Permission("task assign", C, "/crisis task assign <n> @user", Who.TEAM,
               "incidents.assign_task"),
    Permission("statement draft", C, "/crisis statement <audience> [kind] [lang]", Who.TEAM,
               "statements.draft"),
    Permission("statement edit", C, "/crisis statement edit <id> <text>", Who.TEAM,
               "statements.edit"),
    Permission("statement submit", C, "/crisis statement submit <id>", Who.TEAM,
               "statements.submit"),
    Permission("statement correct", C, "/crisis statement correct <id> <reason>", Who.TEAM,
               "statements.correct"),
    Permission("statement approve", C, "/crisis statement approve <id>", Who.TEAM,
               "statements.approve",
               notes="and the approval rule frozen at submission (severity's roles)"),
    Permission("statement reject", C, "/crisis statement reject <id> <reason>", Who.TEAM,
               "statements.reject", notes="and a reviewer under the frozen approval rule"),
    Permission("postmortem", C, "/crisis postmortem", Who.TEAM, "postmortems.publish"),
    Permission("fact confirm", C, "/crisis fact confirm <n>", Who.DECIDER,
               "incidents.confirm_fact"),
    Permission("fact retract", C, "/crisis fact retract <n> [reason]", Who.DECIDER,
               "incidents.retract_fact"),
    Permission("fact translate", C, "/crisis fact <n> zh|en <text>", Who.DECIDER,
               "incidents.translate_fact", notes="one confirmation covers every language"),
    Permission("impact", C, "/crisis impact key=value …", Who.DECIDER, "incidents.record_impact"),
    Permission("statement publish", C, "/crisis statement publish <id> [channel]", Who.PUBLISHER,
               "statements.publish"),
    Permission("sev", C, "/crisis sev <SS|S|A> [reason]", Who.LEAD, "incidents.change_severity"),
    Permission("stage next", C, "/crisis stage next", Who.LEAD, "incidents.advance_stage"),
    Permission("stage force", C, "/crisis stage next force", Who.LEAD, "incidents.advance_stage"),
    Permission("resolve", C, "/crisis resolve [summary]", Who.LEAD, "incidents.resolve"),
    Permission("reopen", C, "(the command behind the Reopen button)", Who.LEAD,
               "incidents.reopen"),
    Permission("role", C, "/crisis role <role> @user", Who.LEAD_OR_CLAIM, "incidents.assign_role",
               notes="a roster commander may only give command to themselves"),
    # Buttons, shortcut and reaction: the same calls as their commands, same rights.
    Permission("button:task_done", B, "checklist / reminder *Done*", Who.TEAM_OR_ASSIGNEE,
               "incidents.complete_task"),
    Permission("button:task_assign", B, "checklist assignee picker", Who.TEAM,
               "incidents.assign_task"),
    Permission("button:stage_next", B, "checklist *Advance*", Who.LEAD, "incidents.advance_stage"),
    Permission("button:stage_force", B, "checklist *Force advance*", Who.LEAD,
               "incidents.advance_stage"),
    Permission("button:show_checklist", B, "*Show checklist*", Who.READER, "view.stage",
               read=True),
    Permission("button:reopen", B, "*Reopen* (alert re-fired)", Who.LEAD, "incidents.reopen"),
    Permission("button:statement_submit", B, "statement card *Submit*", Who.TEAM,
               "statements.submit"),
    Permission("button:statement_approve", B, "statement card *Approve*", Who.TEAM,
               "statements.approve"),
    Permission("button:statement_reject", B, "statement card *Reject*", Who.TEAM,
               "statements.reject"),
    Permission("button:statement_publish", B, "statement card *Publish*", Who.PUBLISHER,
               "statements.publish"),
    Permission("button:statement_edit", B, "statement card *Edit*", Who.TEAM, "statements.edit"),
    Permission("button:statement_draft", B, "reminder *Draft*", Who.TEAM, "statements.draft"),
    Permission("shortcut:add_to_timeline", SH, "message shortcut *Add to timeline*",
               Who.CONTRIBUTOR, "incidents.capture_message"),
    Permission("reaction:pushpin", R, ":pushpin: reaction", Who.CONTRIBUTOR,
               "incidents.capture_message"),
    Permission("home", E, "App Home tab", Who.READER, "view.home", read=True),
    # Drills: a rehearsal's control is for the roster's leads and the site's facilitators.
    Permission("drill list", C, "/crisis drill list", Who.ANYONE, "drills.list", read=True,
               incident=False),
    Permission("drill start", C, "/crisis drill start <scenario> [team @a @b …] [scale 45m]",
               Who.DRILL_LEAD, "drills.start", incident=False),
    Permission("drill pause", C, "/crisis drill pause", Who.DRILL_LEAD, "drills.pause",
               incident=False, notes="in the drill's channel"),
    Permission("drill resume", C, "/crisis drill resume", Who.DRILL_LEAD, "drills.resume",
               incident=False, notes="in the drill's channel"),
    Permission("drill end", C, "/crisis drill end", Who.DRILL_LEAD, "drills.end",
               incident=False, notes="in the drill's channel; posts the scorecard"),
    Permission("drill inject", C, "/crisis drill inject <n>", Who.DRILL_LEAD, "drills.inject_now",
               incident=False, notes="in the drill's channel: fires inject n early"),
    # The knowledge base: a past case shows only to those who may read it (a confidential
    # incident's case: people in that incident; a confidential imported case: its readers).
    Permission("lessons", C, "/crisis lessons [query]", Who.ANYONE, "knowledge.lessons",
               read=True, incident=False, notes="each past case only to those who may read it"),
    Permission("button:kb_show_lessons", B, "similar crises *Show lessons*", Who.READER,
               "knowledge.show_lessons", read=True,
               notes="and the past case only to those who may read it"),
    Permission("button:kb_start_statement", B, "similar crises *Start from its holding statement*",
               Who.TEAM, "statements.draft", notes="and the past case only to those who may read it"),
    Permission("button:kb_confirm_lessons", B, "post-mortem *Confirm lessons* / *Edit*", Who.TEAM,
               "knowledge.confirm_lessons"),
    Permission("listening", C, "/crisis listening [top|kols|spread]", Who.READER,
               "listening.show", read=True),
    Permission("oncall", C, "/crisis oncall [role]", Who.ANYONE, "duty.show", read=True,
               incident=False),
    Permission("oncall override", C, "/crisis oncall override [role] @user <duration>", Who.ANYONE,
               "duty.override", incident=False,
               notes="and a roster commander or exec, or the person taking the duty if that "
                     "role's rota or roster lists them"),
    Permission("oncall swap", C, "/crisis oncall swap [role] [@first] @second", Who.ANYONE,
               "duty.swap", incident=False,
               notes="and a roster commander or exec, or one of the two people if that role's "
                     "rota or roster lists both"),
    Permission("followup done", C, "/crisis followup done <n>", Who.LEAD_OR_OWNER,
               "incidents.complete_followup",
               notes="also after the incident is resolved or closed"),
    Permission("followup reopen", C, "/crisis followup reopen <n>", Who.LEAD_OR_OWNER,
               "incidents.reopen_followup",
               notes="also after the incident is resolved or closed"),
    Permission("button:page_ack", B, "page *Acknowledge* (in Slack, or the signed link in the page)",
               Who.ANYONE, "paging.acknowledge", incident=False,
               notes="acknowledges only the pages sent to the person pressing it"),
)

TABLE: dict[str, Permission] = {p.key: p for p in PERMISSIONS}


def permission(key: str) -> Permission:
    try:
        return TABLE[key]
    except KeyError:
        raise ValueError(f"no permission row {key!r}") from None


class Refused(NotPermitted):
    """The permission table refused; carries what the adapter needs to word the refusal."""

    code = "refused"

    def __init__(self, row: Permission, standing: Standing, incident_label: str | None) -> None:
        self.row = row
        self.standing = standing
        #: None for a workspace-wide row (snooze): no incident, no commander to name.
        self.incident_label = incident_label
        self.outsider = incident_label is not None and not standing.is_insider
        self.commander = standing.commander
        where = f" in {incident_label}" if incident_label else ""
        super().__init__(f"You cannot run `{row.key}`{where}: it is for {row.who.describe}.")


def check(row: Permission, standing: Standing, *, incident_label: str | None) -> None:
    """Raise :class:`Refused` unless ``standing`` admits the row."""
    if not allows(row.who, standing):
        raise Refused(row, standing, incident_label)


def check_claim(standing: Standing, *, role: Role, user: str, incident_label: str) -> None:
    """A roster commander admitted only by the claim rule may give command to themselves only."""
    if standing.is_system or standing.effective_roles & LEADS:
        return
    if not (role is Role.COMMANDER and user == standing.user and standing.may_claim_command):
        raise Refused(TABLE["role"], standing, incident_label)


def markdown_table() -> str:
    """The table as Markdown, as published in README.md and SECURITY.md (a test keeps them equal)."""
    lines = ["| row | from | who may run it | service call |", "|---|---|---|---|"]
    for p in PERMISSIONS:
        who = p.who.describe + (f" ({p.notes})" if p.notes else "")
        usage = p.usage.replace("|", "\\|")  # a pipe inside a table cell must be escaped
        lines.append(f"| `{p.key}` | {p.surface.value}: `{usage}` | {who} | `{p.call}` |")
    return "\n".join(lines) + "\n"


def check_visibility(value: str) -> str:
    """Validate the site-config ``visibility`` value (``workspace`` or ``members``)."""
    value = (value or "workspace").strip().lower()
    if value not in VISIBILITIES:
        raise ValueError(f"visibility must be workspace or members, not `{value}`")
    return value
