"""Incident wording: labels, cards, tasks, clocks, home tab, forms and command errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.adapters.rendering.formatting import (
    count_of,
    figure_value,
    impact_label,
    stage_label,
    status_label,
)
from bot.adapters.slack.escape import (
    escape_mrkdwn,
    mention,
    one_line,
)
from bot.adapters.slack.messages.access import confidential_announcement
from bot.adapters.slack.messages.help import HELP_TEXT, _angles
from bot.domain.clocks import Clock
from bot.domain.durations import format_duration
from bot.domain.incident import Incident
from bot.domain.records import Task
from bot.domain.roles import ROLE_LABELS, Role

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
FIELD_CONFIDENTIAL = "Confidentiality"
FIELD_CONFIDENTIAL_HINT = ("Leave empty to use the playbook's default (data-security incidents are "
                           "confidential). Confidential: private channel, redacted announcement, "
                           "readable only by people in the incident.")
CONFIDENTIAL_YES = "Confidential"
CONFIDENTIAL_NO = "Not confidential"
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
    label = IMPACT_LABELS.get(key) or impact_label(key)
    return f"*{escape_mrkdwn(label)}* {escape_mrkdwn(figure_value(value))}"


def force_confirm_text(blocking: int) -> str:
    return (
        f"{count_of(blocking, 'required task')} of this stage {'is' if blocking == 1 else 'are'} "
        "still open. Forcing the advance is recorded on the timeline and in the post-mortem. "
        "Only the commander or an executive can do it."
    )


def stage_is_last(stage: str) -> str:
    return f"`{escape_mrkdwn(stage)}` is the last stage; when the crisis is over, `/crisis resolve [summary]`."


def inactive_incident(status: str) -> str:
    return f"This incident is {escape_mrkdwn(status)}; its checklist is read-only."


def home_more(count: int) -> str:
    return f"…and {count} more. `crisisbot incidents --open` lists them all."


def timeline_heading(incident_label: str, shown: int, total: int) -> str:
    more = (f" — the last {shown} of {total} events; …and {total - shown} earlier: "
            f"`crisisbot postmortem {incident_label}` has the whole timeline"
            if total > shown else "")
    return f"*{incident_label} timeline*{more}"


TIMELINE_EMPTY = "_Nothing on the timeline yet._"


def announcement(incident: Incident, *, playbook_name: str) -> str:
    """The line posted to the announce channel when an incident is declared (redacted for a
    confidential incident: severity, id and commander only)."""
    if incident.confidential:
        return confidential_announcement(incident)
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
        f"stage {stage_label(incident.stage.value)}, {status_label(incident.status.value)}"
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
    return (f"{incident.id} · {stage_label(incident.stage.value)} checklist: "
            f"{count_of(open_count, 'open task')}")


def done_collapsed(tasks: list[Task], *, lang: str = "en") -> str:
    return "✅ Done: " + ", ".join(f"#{t.no} {_t(t.text.get(lang))}" for t in tasks)


def more_open_tasks(count: int) -> str:
    return f"…and {count_of(count, 'more open task')}; `/crisis task done &lt;n&gt;` works for every task."


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


def _t(text: str) -> str:
    return escape_mrkdwn(one_line(text))


def _with(text: str, sep: str = ": ") -> str:
    return f"{sep}{text}" if text else ""


#: The reply to a request (same command id or interaction) that was already carried out.
ALREADY_DONE = "Already done: that request was received before."


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
