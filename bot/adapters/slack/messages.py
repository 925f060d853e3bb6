"""All user-facing wording crisisbot shows in Slack, in one module.

Command replies are in English; task and playbook text is shown in the language asked for
(``lang``, ``"en"`` or ``"zh"``). Every function here returns Slack mrkdwn that is already safe:
user text went through :func:`~bot.adapters.slack.escape.escape_mrkdwn`, people through
:func:`~bot.adapters.slack.escape.mention`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.adapters.slack.escape import (
    channel_link,
    escape_mrkdwn,
    link,
    mention,
    one_line,
)
from bot.domain import events as ev
from bot.domain.clocks import Clock
from bot.domain.durations import format_duration
from bot.domain.errors import NotFound
from bot.domain.incident import Incident
from bot.domain.records import Task
from bot.domain.roles import ROLE_LABELS, Role
from bot.domain.severity import Severity

# --------------------------------------------------------------------------- labels

SEVERITY_LABELS: dict[str, str] = {
    "SS": "Nationwide trending",
    "S": "Vertical / industry trending",
    "A": "Local flare-up",
}
STATUS_LABELS: dict[str, str] = {
    "active": "🔴 Active",
    "resolved": "🟢 Resolved",
    "closed": "⚪ Closed",
}
CLOCK_ICONS: dict[str, str] = {"met": "✅", "missed": "🔴", "pending": "⏳"}
NOTE_TAG_LABELS: dict[str, str] = {
    "worked": "what worked",
    "didnt": "what did not work",
    "cause": "root cause",
    "lesson": "lesson",
}
IMPACT_LABELS: dict[str, str] = {
    "orders": "Orders",
    "revenue": "Revenue at risk",
    "customers": "Customers",
    "regions": "Regions",
}

LABEL_SEVERITY = "Severity"
LABEL_TYPE = "Type"
LABEL_STAGE = "Stage"
LABEL_STATUS = "Status"
LABEL_ROLES = "Roles"
LABEL_TASKS = "Tasks"
LABEL_CLOCKS = "Clocks"
LABEL_IMPACT = "Impact"
LABEL_RESOLUTION = "Resolution"
LABEL_REQUIRED = "required"
UNASSIGNED = "_unassigned_"
NO_SUMMARY = "_no summary given_"

BUTTON_SHOW_CHECKLIST = "Show checklist"
BUTTON_ADVANCE = "Advance stage"
BUTTON_FORCE = "Force advance (commander)"
BUTTON_DONE = "Done"
BUTTON_DECLARE = "Declare incident"
ASSIGN_PLACEHOLDER = "Assign to…"
FORCE_CONFIRM_TITLE = "Force the advance?"
FORCE_CONFIRM_YES = "Force advance"
FORCE_CONFIRM_NO = "Cancel"

MODAL_TITLE = "Declare incident"
MODAL_SUBMIT = "Declare"
MODAL_CLOSE = "Cancel"
FIELD_TITLE = "Title"
FIELD_TITLE_PLACEHOLDER = "e.g. Checkout failing for card payments"
FIELD_TYPE = "Crisis type"
FIELD_TYPE_PLACEHOLDER = "Pick the playbook"
FIELD_SEVERITY = "Severity"
FIELD_SEVERITY_PLACEHOLDER = "Playbook default"
FIELD_SEVERITY_HINT = "Leave empty to use the playbook's default severity."
FIELD_DESCRIPTION = "What do we know so far?"
NO_PLAYBOOKS = "No playbooks are loaded, so no incident can be declared. Run `crisisbot playbooks validate`."
ERR_TITLE_EMPTY = "Give the incident a title, e.g. Checkout failing for card payments."
ERR_TYPE_MISSING = "Pick a crisis type."
ERR_SEVERITY = "Pick SS, S or A, or leave it empty for the playbook default."

HOME_TITLE = "Crisis incidents"
HOME_INTRO = "Open incidents, most severe first. Type `/crisis help` anywhere for the commands."
HOME_EMPTY = "No open incidents. All quiet. 🌤️"
HOME_NO_CLOCK = "no running clock"


def role_label(role: Role | str, lang: str = "en") -> str:
    """``Role.COMMS`` → ``"Comms lead"`` (``"传播负责人"`` in zh); unknown roles escaped as given."""
    try:
        labels = ROLE_LABELS[Role(str(role))]
    except ValueError:
        return escape_mrkdwn(one_line(str(role)))
    return labels[1] if lang == "zh" else labels[0]


def severity_text(severity: str, label: str | None = None) -> str:
    """``"*A* — Local flare-up"``; the policy's ``label`` wins over the default wording
    unless it only repeats the code."""
    code = escape_mrkdwn(str(severity))
    name = label if label and label != str(severity) else SEVERITY_LABELS.get(str(severity), "")
    if not name:
        return f"*{code}*"
    return f"*{code}* — {escape_mrkdwn(one_line(name))}"


def fmt_time(at: datetime | None, *, now: datetime | None = None) -> str:
    """``"09:30 UTC"``, with the date (``"21 Nov 09:30 UTC"``) when it is not ``now``'s day."""
    if at is None:
        return "—"
    at = _utc(at)
    if now is not None and _utc(now).date() != at.date():
        return at.strftime("%d %b %H:%M UTC")
    return at.strftime("%H:%M UTC")


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def format_figure(key: str, value: Any) -> str:
    """One impact figure as escaped mrkdwn: ``*Revenue at risk* USD 350,000``."""
    label = IMPACT_LABELS.get(key) or key.replace("_", " ").capitalize()
    return f"*{escape_mrkdwn(label)}* {escape_mrkdwn(_figure_value(value))}"


def _figure_value(value: Any) -> str:
    if isinstance(value, dict) and "amount" in value:
        return f"{value.get('currency', '')} {_number(value['amount'])}".strip()
    if isinstance(value, (list, tuple)):
        return ", ".join(one_line(str(v)) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value)
    return one_line(str(value))


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return one_line(str(value))
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def force_confirm_text(blocking: int) -> str:
    return (
        f"{blocking} required task(s) of this stage are still open. Forcing the advance is "
        "recorded on the timeline and in the post-mortem. Only the commander can do it."
    )


def stage_is_last(stage: str) -> str:
    return f"`{escape_mrkdwn(stage)}` is the last stage; when the crisis is over, `/crisis resolve [summary]`."


def inactive_incident(status: str) -> str:
    return f"This incident is {escape_mrkdwn(status)}; its checklist is read-only."


def home_more(count: int) -> str:
    return f"…and {count} more. `crisisbot incidents --open` lists them all."


def timeline_heading(incident_label: str, shown: int, total: int) -> str:
    more = f" — the last {shown} of {total} events" if total > shown else ""
    return f"*{incident_label} timeline*{more}"


TIMELINE_EMPTY = "_Nothing on the timeline yet._"


def announcement(incident: Incident, *, playbook_name: str) -> str:
    """The line posted to the announce channel when an incident is declared."""
    return (
        f"🚨 *{incident.id} · {escape_mrkdwn(one_line(incident.title))}* declared — severity "
        f"{escape_mrkdwn(incident.severity.value)}, {escape_mrkdwn(one_line(playbook_name))}, "
        f"by {mention(incident.declared_by)}"
    )


# --------------------------------------------------------------------------- card, checklist, home

def clock_line(clock: Clock, *, now: datetime, lang: str = "en") -> str:
    """``⏳ *First statement* — due 13:00 UTC · 3h59m left`` (or ``met …`` / ``… overdue``)."""
    icon = CLOCK_ICONS.get(str(clock.state), "•")
    label = _t(clock.label.get(lang))
    due = fmt_time(clock.due_at, now=now)
    if clock.met_at is not None:
        late = " (late)" if str(clock.state) == "missed" else ""
        tail = f"met {fmt_time(clock.met_at, now=now)}{late}"
    else:
        left = clock.time_left(now)
        if left.total_seconds() >= 0:
            tail = f"{format_duration(left)} left"
        else:
            tail = f"{format_duration(-left)} overdue"
    return f"{icon} *{label}* — due {due} · {tail}"


NO_CLOCKS = "_No clocks running._"
NO_REQUIRED_TASKS = "_No required tasks in this stage._"
NO_STAGE_TASKS = "_No tasks in this stage. Add one with `/crisis task add &lt;text&gt;`._"


def _due(task: Task, now: datetime | None) -> str:
    if task.due_at is None:
        return ""
    overdue = " ⚠️ *overdue*" if now is not None and task.is_overdue(now) else ""
    # Without ``now`` the date is shown when the task is due on another day than it was added.
    return f"due {fmt_time(task.due_at, now=now or task.created_at)}{overdue}"


def task_summary(task: Task, *, lang: str = "en", now: datetime | None = None) -> str:
    """One line for the card: ``⬜ #1 Verify the source · due 09:30 UTC``."""
    mark = "⬜" if task.is_open else "✅"
    due = _due(task, now) if task.is_open else ""
    return f"{mark} #{task.no} {_t(task.text.get(lang))}" + (f" · {due}" if due else "")


def task_details(task: Task, *, lang: str = "en", now: datetime | None = None) -> str:
    """The checklist section of one task: text, required marker, owner, assignee, due, state."""
    text = _t(task.text.get(lang))
    required = f" `{LABEL_REQUIRED}`" if task.required else ""
    owner = role_label(task.owner_role, lang) if task.owner_role else "—"
    assignee = mention(task.assignee) if task.assignee else UNASSIGNED
    if not task.is_open:
        done = f"done by {mention(task.done_by)} at {fmt_time(task.done_at, now=now or task.created_at)}"
        return f"✅ ~#{task.no} {text}~{required}\nOwner: {owner} · {done}"
    parts = [f"Owner: {owner}", f"Assignee: {assignee}"]
    due = _due(task, now)
    if due:
        parts.append(due[0].upper() + due[1:])
    return f"⬜ *#{task.no}* {text}{required}\n" + " · ".join(parts)


def tasks_heading(open_total: int, open_in_stage: int, stage: str) -> str:
    return (
        f"*{LABEL_TASKS}* — {open_total} open ({open_in_stage} in `{escape_mrkdwn(stage)}`)\n"
        f"Required to leave `{escape_mrkdwn(stage)}`:"
    )


def card_fallback(incident: Incident) -> str:
    return (
        f"{incident.id} · {_t(incident.title)} — severity {incident.severity.value}, "
        f"stage {incident.stage.value}, {incident.status.value}"
    )


def card_context(incident: Incident, *, now: datetime) -> str:
    source = f" · via {_t(incident.source)}" if incident.source and incident.source != "slack" else ""
    confirmed = len(incident.confirmed_facts())
    return (
        f"Declared {fmt_time(incident.declared_at, now=now)} by {mention(incident.declared_by)}"
        f"{source} · facts: {confirmed} confirmed of {len(incident.facts)}"
    )


def resolution_text(incident: Incident, *, now: datetime) -> str:
    summary = _t(incident.resolution) or NO_SUMMARY
    when = []
    if incident.resolved_at:
        when.append(f"resolved {fmt_time(incident.resolved_at, now=now)}")
    if incident.closed_at:
        when.append(f"closed {fmt_time(incident.closed_at, now=now)}")
    tail = f"\n_{', '.join(when).capitalize()}_" if when else ""
    return f"*{LABEL_RESOLUTION}*\n{summary}{tail}"


def checklist_heading(incident: Incident, *, position: int, total: int, done: int, count: int) -> str:
    stage = escape_mrkdwn(incident.stage.value)
    return (
        f"*{incident.id} · {_t(incident.title)}*\n"
        f"Stage {position} of {total}: *{stage}* — {done} of {count} tasks done"
    )


def checklist_fallback(incident: Incident, open_count: int) -> str:
    return f"{incident.id} · stage {incident.stage.value} checklist: {open_count} open task(s)"


def done_collapsed(tasks: list[Task], *, lang: str = "en") -> str:
    return "✅ Done: " + ", ".join(f"#{t.no} {_t(t.text.get(lang))}" for t in tasks)


def more_open_tasks(count: int) -> str:
    return f"…and {count} more open task(s); `/crisis task done &lt;n&gt;` works for every task."


def home_incident(summary: Any, *, next_clock: str) -> str:
    """One App Home entry; ``summary`` is an :class:`Incident` or an ``IncidentSummary``."""
    severity = str(getattr(summary, "severity", ""))
    return (
        f"*INC-{summary.number} · {_t(summary.title)}*\n"
        f"Severity *{escape_mrkdwn(severity)}* · stage *{escape_mrkdwn(str(summary.stage))}*\n"
        f"Next: {next_clock}"
    )


def err_title_long(length: int, limit: int) -> str:
    return f"The title is {length} characters long; keep it under {limit}."


def err_description_long(length: int, limit: int) -> str:
    return f"The description is {length} characters long; the limit is {limit}."


def err_type_unknown(key: str) -> str:
    return f"Unknown crisis type {one_line(key)[:40]!r}; pick one from the list."


# --------------------------------------------------------------------------- help

_HELP_GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Declare and follow", ("declare", "status", "timeline"), (
        (
            "`/crisis declare <title> [sev:SS|S|A] [type:<playbook>]` — declare an incident and "
            "open its channel; with no title, opens a form"
        ),
        "`/crisis status` — the incident card: severity, stage, roles, open tasks, clocks",
        "`/crisis timeline [n]` — the last n timeline entries (20 by default)",
    )),
    ("Team", ("sev", "severity", "role"), (
        "`/crisis sev <SS|S|A> [reason]` — change severity (re-invites, re-times clocks)",
        "`/crisis role <role> <@user>` — assign a role; roles: "
        + ", ".join(r.value for r in Role),
    )),
    ("Stages and tasks", ("stage", "task"), (
        "`/crisis stage` — the current stage checklist",
        "`/crisis stage next` — advance (blocked while required tasks are open)",
        "`/crisis stage next force` — commander only: advance past open required tasks",
        "`/crisis task done <n>` · `/crisis task add <text>` · `/crisis task assign <n> <@user>`",
    )),
    ("Facts, notes and impact", ("fact", "note", "impact"), (
        "`/crisis fact <text>` · `/crisis fact confirm <n>` · `/crisis fact retract <n> [reason]`",
        (
            "`/crisis note <text>` — start with `worked:`, `didnt:`, `cause:` or `lesson:` to "
            "prefill the post-mortem"
        ),
        "`/crisis impact orders=1200 revenue=USD 350000 customers=800 regions=east,north`",
    )),
    ("Statements", ("statement",), (
        "`/crisis statement <audience> [holding|update|resolution] [en|zh]` — draft a statement",
        "`/crisis statement approve <id>` · `reject <id> <reason>` · `publish <id> [channel]`",
        "`/crisis statement submit <id>` · `edit <id> <text>` · `show <id>` · `list` — kinds also "
        "`recall` and `breach`; the draft's buttons do the same",
    )),
    ("Closing", ("resolve", "postmortem", "followup"), (
        "`/crisis resolve [summary]` — resolve the incident",
        "`/crisis postmortem` — build the post-mortem and post it here",
        "`/crisis followup <text> [@owner]` — add an action item to the post-mortem",
    )),
)

_HELP_INTRO = (
    "*crisisbot — `/crisis` commands*\n"
    "Inside an incident channel a command applies to that incident; anywhere else, name the "
    "incident first: `/crisis INC-7 status`."
)
_HELP_OUTRO = (
    "📌 React with :pushpin: or use the message shortcut *Add to timeline* to put any message "
    "on the timeline."
)


def _angles(text: str) -> str:
    # Placeholders such as <title> would be read by Slack as control sequences.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def help_sections(topic: str | None = None) -> list[str]:
    """The help as mrkdwn sections (one per group), or only the group covering ``topic``."""
    groups = _HELP_GROUPS
    prefix: list[str] = [_HELP_INTRO]
    if topic:
        wanted = topic.strip().lower()
        matching = tuple(g for g in _HELP_GROUPS if wanted in g[1])
        if matching:
            groups, prefix = matching, []
        else:
            prefix = [_HELP_INTRO, f"No help on `{_angles(one_line(topic)[:40])}`; here is everything."]
    sections = [
        f"*{title}*\n" + "\n".join("• " + _angles(line) for line in lines)
        for title, _, lines in groups
    ]
    return prefix + sections + ([_HELP_OUTRO] if groups is _HELP_GROUPS else [])


def help_text(topic: str | None = None) -> str:
    """The whole help (or one topic's part) as one mrkdwn string."""
    return "\n\n".join(help_sections(topic))


HELP_TEXT = help_text()
#: Notification / fallback text for the help blocks.
HELP_FALLBACK = "crisisbot: the /crisis commands. Add a topic for one group, e.g. /crisis help task."


# --------------------------------------------------------------------------- parse errors

def code(token: str, limit: int = 40) -> str:
    """User input quoted as inline code, escaped and clipped."""
    text = one_line(token).replace("`", "'")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"`{escape_mrkdwn(text)}`"


def err_needs(command: str, what: str, example: str) -> str:
    return f"`/crisis {command}` needs {_angles(what)}, e.g. `/crisis {_angles(example)}`."


def err_not_number(token: str, what: str, example: str) -> str:
    return f"{code(token)} is not a {what}; write a number, e.g. `/crisis {_angles(example)}`."


def err_takes_nothing(command: str, extra: str) -> str:
    return f"`/crisis {command}` takes nothing after it (got {code(extra)}); type just `/crisis {command}`."


def err_too_many(command: str, extra: str, example: str) -> str:
    return f"Unexpected {code(extra)} after `/crisis {command}`; write e.g. `/crisis {_angles(example)}`."


def err_not_user(token: str, example: str) -> str:
    return (
        f"{code(token)} is not a Slack user; pick the person with @ autocomplete, "
        f"e.g. `/crisis {_angles(example)}`."
    )


def err_bad_role(token: str) -> str:
    names = ", ".join(r.value for r in Role)
    return f"{code(token)} is not a role; use one of {names}, e.g. `/crisis role comms @maria`."


def err_bad_severity(token: str, example: str) -> str:
    return f"{code(token)} is not a severity; use SS, S or A, e.g. `/crisis {_angles(example)}`."


def err_bad_incident(token: str) -> str:
    return f"{code(token)} is not an incident id; write it as `INC-7`, e.g. `/crisis INC-7 status`."


def err_declare_with_incident() -> str:
    return "`declare` opens a new incident; drop the incident id: `/crisis declare Checkout failing sev:S`."


def err_repeated(option: str, example: str) -> str:
    return f"Give `{option}` only once, e.g. `/crisis {_angles(example)}`."


def err_unknown_command(word: str) -> str:
    return f"{code(word)} is not a `/crisis` command.\n\n{HELP_TEXT}"


# --------------------------------------------------------------------------- timeline lines

def _task_text(incident: Incident | None, no: int, lang: str) -> str:
    if incident is None:
        return ""
    try:
        return escape_mrkdwn(one_line(incident.task(no).text.get(lang)))
    except (NotFound, AttributeError):
        return ""


def _fact_text(incident: Incident | None, no: int) -> str:
    if incident is None:
        return ""
    try:
        return escape_mrkdwn(one_line(incident.fact(no).text))
    except (NotFound, AttributeError):
        return ""


def _t(text: str) -> str:
    return escape_mrkdwn(one_line(text))


def _with(text: str, sep: str = ": ") -> str:
    return f"{sep}{text}" if text else ""


def _declared(e: ev.IncidentDeclared, who: str, inc: Incident | None, lang: str) -> str:
    source = f" (from {_t(e.source)})" if e.source and e.source != "slack" else ""
    return (
        f"🚨 {who} declared *INC-{e.incident} · {_t(e.title)}* — severity {_t(e.severity)}, "
        f"type `{_t(e.crisis_type)}`{source}"
    )


def _severity(e: ev.SeverityChanged, who: str, inc: Incident | None, lang: str) -> str:
    try:
        raised = Severity(e.new).rank > Severity(e.old).rank
        verb = "⬆️ {} raised" if raised else "⬇️ {} lowered"
    except ValueError:
        verb = "↕️ {} changed"
    return f"{verb.format(who)} severity {_t(e.old)} → *{_t(e.new)}*{_with(_t(e.reason))}"


def _role(e: ev.RoleAssigned, who: str, inc: Incident | None, lang: str) -> str:
    previous = f" (replacing {mention(e.previous)})" if e.previous else ""
    return f"👤 {who} made {mention(e.user)} the {role_label(e.role, lang)}{previous}"


def _stage(e: ev.StageAdvanced, who: str, inc: Incident | None, lang: str) -> str:
    line = f"➡️ {who} moved the incident to stage *{_t(e.to_stage)}* (from {_t(e.from_stage)})"
    if e.forced:
        tasks = ", ".join(f"#{no}" for no in e.open_required)
        line += f" — ⚠️ forced past open required task(s) {tasks}".rstrip()
    return line


def _task_added(e: ev.TaskAdded, who: str, inc: Incident | None, lang: str) -> str:
    text = _t((e.text_zh if lang == "zh" else e.text_en) or e.text_en)
    details = [LABEL_REQUIRED] if e.required else []
    if e.owner_role:
        details.append(f"owner {role_label(e.owner_role, lang)}")
    if e.due_at:
        details.append(f"due {fmt_time(e.due_at, now=e.at)}")
    extra = f" ({', '.join(details)})" if details else ""
    return f"📝 {who} added task #{e.task_no}{_with(text)}{extra}"


def _task_assigned(e: ev.TaskAssigned, who: str, inc: Incident | None, lang: str) -> str:
    text = _task_text(inc, e.task_no, lang)
    return f"🙋 {who} assigned task #{e.task_no} to {mention(e.user)}{_with(text)}"


def _task_completed(e: ev.TaskCompleted, who: str, inc: Incident | None, lang: str) -> str:
    late = " (late)" if e.late else ""
    return f"✅ {who} completed task #{e.task_no}{_with(_task_text(inc, e.task_no, lang))}{late}"


def _fact_added(e: ev.FactAdded, who: str, inc: Incident | None, lang: str) -> str:
    return f"🔎 {who} recorded fact #{e.fact_no} (unconfirmed): {_t(e.text)}"


def _fact_confirmed(e: ev.FactConfirmed, who: str, inc: Incident | None, lang: str) -> str:
    return f"✔️ {who} confirmed fact #{e.fact_no}{_with(_fact_text(inc, e.fact_no))}"


def _fact_retracted(e: ev.FactRetracted, who: str, inc: Incident | None, lang: str) -> str:
    reason = f" — reason: {_t(e.reason)}" if e.reason else ""
    return f"✖️ {who} retracted fact #{e.fact_no}{_with(_fact_text(inc, e.fact_no))}{reason}"


def _note(e: ev.NoteAdded, who: str, inc: Incident | None, lang: str) -> str:
    tag = f" _{NOTE_TAG_LABELS.get(e.tag, _t(e.tag))}_" if e.tag else ""
    return f"🗒️ {who} noted{tag}: {_t(e.text)}"


def _impact(e: ev.ImpactRecorded, who: str, inc: Incident | None, lang: str) -> str:
    figures = " · ".join(format_figure(str(k), v) for k, v in e.figures.items())
    return f"📊 {who} recorded impact{_with(figures)}"


def _captured(e: ev.MessageCaptured, who: str, inc: Incident | None, lang: str) -> str:
    source = link(e.permalink, "original") if e.permalink else ""
    suffix = f" ({source})" if source else ""
    return f"📎 {who} added a message by {mention(e.author)} to the timeline: “{_t(e.text)}”{suffix}"


def _published(e: ev.StatementPublished, who: str, inc: Incident | None, lang: str) -> str:
    where = f" in {channel_link(e.channel)}" if e.channel else ""
    return (
        f"📣 {who} published statement #{e.statement_id} for {_t(e.audience)} "
        f"({_t(e.kind)}, {_t(e.lang)}){where}"
    )


def _resolved(e: ev.IncidentResolved, who: str, inc: Incident | None, lang: str) -> str:
    return f"🟢 {who} resolved the incident{_with(_t(e.summary))}"


def _reopened(e: ev.IncidentReopened, who: str, inc: Incident | None, lang: str) -> str:
    return f"🔁 {who} reopened the incident{_with(_t(e.reason))}"


def _closed(e: ev.IncidentClosed, who: str, inc: Incident | None, lang: str) -> str:
    return f"🔒 {who} closed the incident"


def _postmortem(e: ev.PostmortemPublished, who: str, inc: Incident | None, lang: str) -> str:
    return f"📄 {who} published the post-mortem (version {e.version})"


_DESCRIBERS: dict[type[ev.Event], Callable[[Any, str, Incident | None, str], str]] = {
    ev.IncidentDeclared: _declared,
    ev.SeverityChanged: _severity,
    ev.RoleAssigned: _role,
    ev.StageAdvanced: _stage,
    ev.TaskAdded: _task_added,
    ev.TaskAssigned: _task_assigned,
    ev.TaskCompleted: _task_completed,
    ev.FactAdded: _fact_added,
    ev.FactConfirmed: _fact_confirmed,
    ev.FactRetracted: _fact_retracted,
    ev.NoteAdded: _note,
    ev.ImpactRecorded: _impact,
    ev.MessageCaptured: _captured,
    ev.StatementPublished: _published,
    ev.IncidentResolved: _resolved,
    ev.IncidentReopened: _reopened,
    ev.IncidentClosed: _closed,
    ev.PostmortemPublished: _postmortem,
}


def describe_event(event: ev.Event, *, incident: Incident | None = None, lang: str = "en") -> str:
    """One safe mrkdwn line for the channel transcript.

    ``incident`` (its current state) supplies task and fact text the event only numbers:
    ``"✅ <@U1> completed task #3: Verify the source"``. Events added to the domain later fall
    back to their ``name``.
    """
    describe = _DESCRIBERS.get(type(event))
    who = mention(event.actor)
    if describe is None:
        return f"• {who}: {_t(event.name)}"
    return describe(event, who, incident, lang)


# --------------------------------------------------------------------------- reminders

def _reminder_sent(e: ev.ReminderSent, who: str, inc: Incident | None, lang: str) -> str:
    to = " ".join(mention(u) for u in e.mentions) or "nobody"
    return (f"⏰ {who} sent a reminder ({_t(e.kind.replace('_', ' '))}, {_t(e.clock)}, due "
            f"{fmt_time(e.due_at)}) to {to}")


_DESCRIBERS[ev.ReminderSent] = _reminder_sent


# --------------------------------------------------------------------------- statements

AUDIENCE_LABELS: dict[str, tuple[str, str]] = {
    "customers": ("Customers", "用户"),
    "media": ("Media", "媒体"),
    "partners": ("Partners", "合作伙伴"),
    "regulators": ("Regulators", "监管部门"),
    "employees": ("Employees", "员工"),
}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "holding": ("Holding statement", "首次声明"),
    "update": ("Update", "进展通报"),
    "resolution": ("Resolution & apology", "致歉及整改说明"),
    "recall": ("Recall notice", "召回公告"),
    "breach": ("Data-breach notice", "数据泄露告知"),
}
LANG_LABELS: dict[str, str] = {"en": "English", "zh": "中文"}
STATEMENT_STATE_LABELS: dict[str, str] = {
    "draft": "📝 Draft", "in_review": "👀 In review", "approved": "✅ Approved",
    "rejected": "↩️ Rejected", "published": "📣 Published",
}
BUTTON_STATEMENT_EDIT = "Edit"
BUTTON_STATEMENT_SUBMIT = "Submit for review"
BUTTON_STATEMENT_APPROVE = "Approve"
BUTTON_STATEMENT_REJECT = "Reject"
BUTTON_STATEMENT_PUBLISH = "Publish"
BUTTON_DRAFT_STATEMENT = "Draft the statement"
STATEMENT_EDIT_TITLE = "Edit statement"
STATEMENT_EDIT_SUBMIT = "Save new version"
STATEMENT_EDIT_LABEL = "Statement text"
STATEMENT_EDIT_HINT = "Saving makes a new version; approvals of the old version no longer count."
STATEMENT_REJECT_TITLE = "Reject statement"
STATEMENT_REJECT_SUBMIT = "Reject"
STATEMENT_REJECT_LABEL = "Why? The author sees this."
STATEMENT_REJECT_PLACEHOLDER = "e.g. The refund date is not confirmed yet"
STATEMENT_PUBLISH_TITLE = "Publish statement"
STATEMENT_PUBLISH_SUBMIT = "Record publication"
STATEMENT_PUBLISH_LABEL = "Where did it go out?"
STATEMENT_PUBLISH_HINT = ("The channel you published it on: website, email, weibo, sms… crisisbot "
                          "records it; it does not post to outside networks.")
STATEMENT_CANCEL = "Cancel"
STATEMENT_LINT_CLEAN = "✅ Lint: no problems found."
ERR_STATEMENT_TEXT_EMPTY = "The statement needs some text."
ERR_STATEMENT_REASON_EMPTY = "Say why, so the author can fix it."
ERR_STATEMENT_CHANNEL_EMPTY = "Say where it was published, e.g. website."
STATEMENT_USAGE = (
    "`/crisis statement <audience> [holding|update|resolution|recall|breach] [en|zh]` drafts a "
    "statement (audiences: customers, media, partners, regulators, employees). Then "
    "`/crisis statement submit <id>` · `approve <id>` · `reject <id> <reason>` · "
    "`publish <id> [channel]` · `show <id>` · `list`."
)


def audience_label(audience: str, lang: str = "en") -> str:
    labels = AUDIENCE_LABELS.get(audience)
    return (labels[1] if lang == "zh" else labels[0]) if labels else _t(audience)


def kind_label(kind: str, lang: str = "en") -> str:
    labels = KIND_LABELS.get(kind)
    return (labels[1] if lang == "zh" else labels[0]) if labels else _t(kind)


def statement_title(statement: Any) -> str:
    """``Statement #2 · Customers · Holding statement · 中文 · v3`` (plain text)."""
    return (f"Statement #{statement.id} · {audience_label(statement.audience)} · "
            f"{kind_label(statement.kind)} · {LANG_LABELS.get(statement.lang, statement.lang)} · "
            f"v{statement.version}")


def statement_status_line(statement: Any, *, status: str, missing: list[str], rule: str) -> str:
    """``👀 In review · needs legal (rule: comms + legal) · approved by <@U1> as comms``."""
    parts = [STATEMENT_STATE_LABELS.get(status, _t(status))]
    if status in ("in_review", "draft") and missing:
        need = " + ".join(m for m in missing if m != "person") or f"{len(missing)} more people"
        parts.append(f"needs {_t(need)} (rule: {_t(rule)})")
    approvals = [a for a in statement.approvals if a.version == statement.version]
    if approvals:
        parts.append("approved by " + ", ".join(
            f"{mention(a.user)} as {role_label(a.role)}" for a in approvals))
    if statement.rejection and status == "rejected":
        who, reason = statement.rejection
        parts.append(f"rejected by {mention(who)}: {_t(reason)}")
    for pub in statement.publications:
        parts.append(f"published to {channel_link(pub.channel)} at {fmt_time(pub.at)}")
    return " · ".join(parts)


def statement_findings(findings: list[Any], lang: str) -> str:
    """Lint findings as a list, in the statement's language with English alongside for zh."""
    if not findings:
        return STATEMENT_LINT_CLEAN
    lines = []
    for finding in findings:
        icon = "⛔" if finding.is_error else "⚠️"
        text = _t(finding.text(lang))
        if lang != "en":
            text += f"\n      _{_t(finding.text('en'))}_"
        lines.append(f"{icon} {text}")
    errors = sum(1 for f in findings if f.is_error)
    head = (f"*Lint: {errors} error(s)* — fix them before approval." if errors
            else "*Lint: warnings only*")
    return head + "\n" + "\n".join(lines)


def statement_body(text: str) -> str:
    """The statement text as a quoted, escaped block (newlines kept)."""
    return "\n".join("&gt; " + escape_mrkdwn(line) if line.strip() else "&gt;"
                     for line in text.splitlines())


def statement_list(incident_id: str, statements: list[Any], *, rule: Any) -> str:
    """``/crisis statement list``: one line per statement with its status."""
    if not statements:
        return (f"{incident_id} has no statements yet; draft one with "
                "`/crisis statement customers holding`.")
    lines = [f"*{incident_id} statements* (approvals: {_t(rule.describe())})"]
    for statement in statements:
        status = statement.status(rule)
        lines.append(f"• {_t(statement_title(statement))} — "
                     f"{STATEMENT_STATE_LABELS.get(status, _t(status))}")
    lines.append("`/crisis statement show <id>` shows one with its buttons.")
    return "\n".join(lines)


def statement_drafted_reply(statement: Any, errors: int) -> str:
    fix = f" Lint found {errors} error(s); edit before asking for review." if errors else ""
    return (f":memo: Drafted statement #{statement.id} v{statement.version} "
            f"({_t(statement.template)}); it is posted in the channel with its buttons.{fix}")


def statement_published_to_comms(statement: Any, *, incident_id: str, channel: str) -> str:
    """The text posted to the internal comms channel when a statement is published."""
    return (f"📣 *{incident_id} · {statement_title(statement)}* published to "
            f"{_t(channel)}:\n{statement_body(statement.text)}")


def _statement_ref(e: Any) -> str:
    return f"statement #{e.statement_id} v{e.version}"


def _st_drafted(e: ev.StatementDrafted, who: str, inc: Incident | None, lang: str) -> str:
    return (f"📝 {who} drafted {_statement_ref(e)} for {audience_label(e.audience).lower()} "
            f"({kind_label(e.kind).lower()}, {LANG_LABELS.get(e.lang, _t(e.lang))})")


def _st_edited(e: ev.StatementEdited, who: str, inc: Incident | None, lang: str) -> str:
    return f"✏️ {who} edited statement #{e.statement_id}: now v{e.version}; approvals start over"


def _st_submitted(e: ev.StatementSubmitted, who: str, inc: Incident | None, lang: str) -> str:
    return f"👀 {who} submitted {_statement_ref(e)} for review"


def _st_approved(e: ev.StatementApproved, who: str, inc: Incident | None, lang: str) -> str:
    return f"👍 {who} approved {_statement_ref(e)} as {role_label(e.role)}"


def _st_rejected(e: ev.StatementRejected, who: str, inc: Incident | None, lang: str) -> str:
    return f"↩️ {who} rejected {_statement_ref(e)}{_with(_t(e.reason))}"


_DESCRIBERS.update({
    ev.StatementDrafted: _st_drafted,
    ev.StatementEdited: _st_edited,
    ev.StatementSubmitted: _st_submitted,
    ev.StatementApproved: _st_approved,
    ev.StatementRejected: _st_rejected,
})


# --------------------------------------------------------------------------- monitors

_HELP_GROUPS = _HELP_GROUPS + (
    ("Monitors", ("snooze",), (
        "`/crisis snooze <monitor> <duration>` — for e.g. `2h`, that monitor's alerts are only "
        "recorded (as snoozed) and open no incident; commanders and executives only",
    )),
)
HELP_TEXT = help_text()

SNOOZE_NOT_PERMITTED = (
    "Only people listed as commander or exec in the site roster can snooze a monitor."
)
SNOOZE_UNAVAILABLE = "Monitors are not enabled on this crisisbot."
LABEL_SIGNALS_FIRING = "Signals still firing"


def snoozed(monitor: str, until: datetime, *, by: str) -> str:
    return (f"🔕 {mention(by)} snoozed monitor `{_t(monitor)}` until {fmt_time(until)}: its alerts "
            "are recorded as snoozed and open no incident.")


def _alert_value(value: float | None, threshold: float | None) -> str:
    if value is None:
        return ""
    limit = f" (threshold {threshold:g})" if threshold is not None else ""
    return f" — value {value:g}{limit}"


def _alert_fired(e: ev.AlertFired, who: str, inc: Incident | None, lang: str) -> str:
    source = f" ({link(e.url, 'source')})" if e.url else ""
    line = (f"📈 {who}: monitor *{_t(e.monitor)}* fired: {_t(e.title)}"
            f"{_alert_value(e.value, e.threshold)}{source}")
    if inc is not None and not inc.is_active:
        line += f" · 🔁 INC-{e.incident} was resolved, but this signal fired again."
    elif inc is not None and e.severity:
        try:
            higher = Severity(e.severity).rank > inc.severity.rank
        except ValueError:
            higher = False
        if higher:
            line += (f" · ⬆️ The alert is severity {_t(e.severity)}, above the incident's "
                     f"{inc.severity.value}: raise it with `/crisis sev {_t(e.severity)}`?")
    return line


def _alert_resolved(e: ev.AlertResolved, who: str, inc: Incident | None, lang: str) -> str:
    still = len(inc.firing) if inc is not None else 0
    rest = f" ({still} signal(s) still firing)" if still else " (no signal firing any more)"
    return f"📉 {who}: monitor *{_t(e.monitor)}* resolved{rest if inc is not None else ''}"


_DESCRIBERS[ev.AlertFired] = _alert_fired
_DESCRIBERS[ev.AlertResolved] = _alert_resolved


def signals_firing_text(incident: Incident, *, now: datetime, limit: int = 8) -> str:
    """The card's list of monitor signals still firing, newest first."""
    firing = sorted(incident.firing.values(), key=lambda e: e.at, reverse=True)
    lines = [
        f"• *{_t(e.monitor)}*: {_t(e.title)}{_alert_value(e.value, e.threshold)}, "
        f"since {fmt_time(e.first_seen, now=now)}"
        for e in firing[:limit]
    ]
    if len(firing) > limit:
        lines.append(f"… and {len(firing) - limit} more")
    return f"*{LABEL_SIGNALS_FIRING}*\n" + "\n".join(lines)

REOPEN_REASON = "a monitor signal fired again after the resolution"
BUTTON_REOPEN = "Reopen incident"


def reopen_offer_text(incident: Incident) -> str:
    return (f"🔁 A monitor signal of *{incident.id}* fired again after it was resolved. If the "
            "crisis is back, the commander or an executive can reopen it here.")


# --------------------------------------------------------------------------- post-mortem


def _followup(e: ev.FollowupAdded, who: str, inc: Incident | None, lang: str) -> str:
    owner = f" — owner {mention(e.owner)}" if e.owner else ""
    return f"📌 {who} added action item #{e.item_no}: {_t(e.text)}{owner}"


_DESCRIBERS[ev.FollowupAdded] = _followup


def postmortem_posted(incident_label: str, version: int, *, reused: bool) -> str:
    """The reply to ``/crisis postmortem``."""
    again = " (the data has not changed since, so it is the same report)" if reused else ""
    return (f":page_facing_up: Post-mortem of {incident_label} version {version}{again} is being "
            "posted here as Markdown and HTML files.")


def postmortem_summary(*, incident_label: str, title: str, version: int, lines: list[str]) -> str:
    """The message that carries the post-mortem files."""
    head = f"*Post-mortem {incident_label} (v{version})*: {escape_mrkdwn(title)}"
    return "\n".join([head, *(f"• {escape_mrkdwn(line)}" for line in lines)])
