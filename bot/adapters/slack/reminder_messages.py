"""Wording of the reminders posted in incident channels (safe mrkdwn; only owners are mentioned).

One function per reminder kind; :func:`reminder_message` builds the whole message (fallback
``text`` plus blocks, with a button where one fits: draft the holding statement, mark the task
done).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.adapters.slack.blocks.common import actions, button, message, section
from bot.adapters.slack.escape import escape_mrkdwn, mention, one_line
from bot.adapters.slack.blocks.statement import draft_statement_button
from bot.adapters.slack.ids import Action, encode_draft_value, encode_ref
from bot.adapters.slack.ids import Block as BlockId
from bot.adapters.slack.messages import fmt_time, role_label
from bot.domain.durations import format_duration
from bot.domain.events import ReminderSent
from bot.domain.incident import Incident
from bot.domain.playbook import Playbook
from bot.domain.reminders import (
    TASK_CLOCK_PREFIX,
    ReminderKind,
    clock_due,
    unfilled_roles,
)
from bot.domain.severity import SeverityPolicy

BUTTON_DRAFT_HOLDING = "Draft holding statement"
BUTTON_DRAFT_UPDATE = "Draft update"
BUTTON_TASK_DONE = "Mark done"
NOBODY = "_nobody holds this role yet_"


def _who(mentions: tuple[str, ...]) -> str:
    return " ".join(mention(u) for u in mentions) or NOBODY


def _left(due: datetime | None, now: datetime) -> str:
    if due is None:
        return ""
    delta = due - now
    if delta.total_seconds() >= 0:
        return f"due {fmt_time(due, now=now)}, {format_duration(delta)} left"
    return f"was due {fmt_time(due, now=now)}, {format_duration(-delta)} overdue"


def reminder_text(
    event: ReminderSent, *, incident: Incident, playbook: Playbook, policy: SeverityPolicy,
    now: datetime,
) -> str:
    """The reminder line: who, what, when, and what to do."""
    who = _who(event.mentions)
    about = clock_due(incident, event.clock, playbook=playbook, policy=policy)
    label = escape_mrkdwn(one_line(about.label.en))
    when = _left(about.due_at, now)
    kind = event.kind
    if kind == ReminderKind.TEAM_ASSEMBLY:
        missing = ", ".join(role_label(r) for r in unfilled_roles(incident, policy)) or "none"
        target = format_duration(policy.level(incident.severity).team_within)
        return (f"⏰ {who} *Team not assembled* — severity {incident.severity.value} needs the "
                f"team within {target} ({when}). Still unfilled: {missing}. "
                "Assign with `/crisis role &lt;role&gt; @someone`.")
    if kind == ReminderKind.FIRST_STATEMENT:
        if now >= (about.due_at or now):
            return (f"🔴 {who} *First statement overdue* — the golden 4 hours are up ({when}). "
                    "Publish a holding statement now.")
        return (f"⏰ {who} *First statement* — {when}. Draft the holding statement: confirmed "
                "facts, what we are doing, where affected people get help.")
    if kind == ReminderKind.UPDATE_DUE:
        every = format_duration(policy.level(incident.severity).update_every)
        return (f"⏰ {who} *Stakeholder update due* — severity {incident.severity.value} "
                f"updates every {every} ({when}).")
    if kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        number = event.clock[len(TASK_CLOCK_PREFIX):]
        icon, state = ("🔴", "overdue") if kind == ReminderKind.TASK_OVERDUE else ("⏰", "due soon")
        return f"{icon} {who} Task #{escape_mrkdwn(number)} *{label}* is {state} ({when})."
    if kind == ReminderKind.REGULATORY:
        overdue = about.due_at is not None and now >= about.due_at
        icon = "🔴" if overdue else "⚖️"
        state = "deadline passed" if overdue else "regulatory deadline"
        return f"{icon} {who} *{label}* — {state} ({when})."
    if kind == ReminderKind.POSTMORTEM_DUE:
        return (f"📝 {who} *Post-mortem* of {incident.id} — {when}. "
                "Build it with `/crisis postmortem`.")
    if kind == ReminderKind.ESCALATION:
        return (f"🚨 {who} *Escalation*: *{label}* is still not met ({when}). "
                "Please step in.")
    return f"⏰ {who} *{label}* ({when})."


def reminder_message(
    event: ReminderSent, *, incident: Incident, playbook: Playbook, policy: SeverityPolicy,
    now: datetime,
) -> dict[str, Any]:
    """``{"text": …, "blocks": […]}`` for ``chat.postMessage``."""
    text = reminder_text(event, incident=incident, playbook=playbook, policy=policy, now=now)
    blocks = [section(text)]
    buttons = []
    if event.kind == ReminderKind.FIRST_STATEMENT:
        buttons.append(draft_statement_button(
            label=BUTTON_DRAFT_HOLDING,
            value=encode_draft_value(incident.number, audience="customers", kind="holding")))
    elif event.kind == ReminderKind.UPDATE_DUE:
        buttons.append(draft_statement_button(
            label=BUTTON_DRAFT_UPDATE,
            value=encode_draft_value(incident.number, audience="customers", kind="update")))
    elif event.kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        number = event.clock[len(TASK_CLOCK_PREFIX):]
        if number.isdigit() and int(number) >= 1:
            buttons.append(button(BUTTON_TASK_DONE, action_id=Action.TASK_DONE,
                                  value=encode_ref(incident.number, int(number))))
    if buttons:
        blocks.append(actions(buttons, block_id=f"{BlockId.REMINDER.value}|{event.clock}"[:255]))
    return message(text, blocks)
