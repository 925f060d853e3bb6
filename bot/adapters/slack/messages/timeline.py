"""Timeline lines: one describer per event type, in one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.adapters.rendering.formatting import stage_label
from bot.adapters.slack.escape import (
    escape_mrkdwn,
    link,
    mention,
    one_line,
)
from bot.adapters.slack.messages.core import (
    LABEL_REQUIRED,
    NOTE_TAG_LABELS,
    _t,
    _with,
    fmt_time,
    format_figure,
    role_label,
)
from bot.adapters.slack.messages.monitors import _alert_fired, _alert_resolved
from bot.adapters.slack.messages.postmortem import _followup, _followup_done, _followup_reopened
from bot.adapters.slack.messages.reminders import _reminder_sent
from bot.adapters.slack.messages.statements import (
    _st_approved,
    _st_drafted,
    _st_edited,
    _st_published,
    _st_rejected,
    _st_submitted,
)
from bot.domain import events as ev
from bot.domain.errors import NotFound
from bot.domain.incident import Incident
from bot.domain.severity import Severity

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
    line = (f"➡️ {who} moved the incident to stage *{_t(stage_label(e.to_stage))}* "
            f"(from {_t(stage_label(e.from_stage))})")
    if e.forced:
        tasks = ", ".join(f"#{no}" for no in e.open_required)
        noun = "task" if len(e.open_required) == 1 else "tasks"
        line += f" — ⚠️ forced past open required {noun} {tasks}".rstrip()
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


def _fact_translated(e: ev.FactTranslated, who: str, inc: Incident | None, lang: str) -> str:
    return f"🌐 {who} added the {_t(e.lang)} version of fact #{e.fact_no}: {_t(e.text)}"


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
    ev.FactTranslated: _fact_translated,
    ev.NoteAdded: _note,
    ev.ImpactRecorded: _impact,
    ev.MessageCaptured: _captured,
    ev.StatementPublished: _st_published,
    ev.IncidentResolved: _resolved,
    ev.IncidentReopened: _reopened,
    ev.IncidentClosed: _closed,
    ev.PostmortemPublished: _postmortem,
    ev.ReminderSent: _reminder_sent,
    ev.StatementDrafted: _st_drafted,
    ev.StatementEdited: _st_edited,
    ev.StatementSubmitted: _st_submitted,
    ev.StatementApproved: _st_approved,
    ev.StatementRejected: _st_rejected,
    ev.AlertFired: _alert_fired,
    ev.AlertResolved: _alert_resolved,
    ev.FollowupAdded: _followup,
    ev.FollowupDone: _followup_done,
    ev.FollowupReopened: _followup_reopened,
    ev.LessonsConfirmed: lambda e, who, inc, lang: (
        f"📚 {who} confirmed {len(e.lessons)} lesson(s) for the knowledge base"),
}


def _paging_describers() -> dict:
    from bot.adapters.paging.describe import DESCRIBERS
    from bot.adapters.publishing.describe import DESCRIBERS as PUBLISHING

    return {**DESCRIBERS, **PUBLISHING}


_DESCRIBERS.update(_paging_describers())


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
