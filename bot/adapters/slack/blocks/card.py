"""The incident card: the pinned summary of an incident, updated after every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.adapters.slack import messages as msg
from bot.adapters.slack.blocks.common import (
    MAX_FIELD_TEXT,
    Block,
    actions,
    button,
    context,
    header,
    message,
    section,
)
from bot.adapters.slack.escape import escape_mrkdwn, mention, one_line, truncate
from bot.adapters.slack.ids import Action, encode_ref
from bot.adapters.slack.ids import Block as BlockId
from bot.domain.clocks import all_clocks
from bot.domain.incident import Incident
from bot.domain.lifecycle import STAGES
from bot.domain.playbook import Playbook
from bot.domain.roles import Role
from bot.domain.severity import SeverityPolicy

MAX_DESCRIPTION = 500


def stage_progress(incident: Incident) -> str:
    """``✓ assess → ● *respond* → ○ communicate → ○ recover`` (all ✓ once resolved)."""
    finished = not incident.is_active
    current = STAGES.index(incident.stage) if incident.stage in STAGES else len(STAGES)
    steps = []
    for index, stage in enumerate(STAGES):
        if finished or index < current:
            steps.append(f"✓ {stage.value}")
        elif index == current:
            steps.append(f"● *{stage.value}*")
        else:
            steps.append(f"○ {stage.value}")
    return " → ".join(steps)


def is_last_stage(incident: Incident) -> bool:
    return incident.stage == STAGES[-1]


def incident_card(
    incident: Incident,
    *,
    playbook: Playbook,
    policy: SeverityPolicy,
    now: datetime,
    lang: str = "en",
) -> dict[str, Any]:
    """The card message (``text`` + ``blocks``): severity, type, stage, status, roles, tasks,
    clocks, impact and — while the incident is active — the "Show checklist" and "Advance
    stage" buttons. Resolved and closed incidents show their resolution instead of buttons.

    >>> card = incident_card(incident, playbook=pb, policy=policy, now=now)  # doctest: +SKIP
    >>> card["blocks"][0]["text"]["text"]  # doctest: +SKIP
    'INC-7 · Checkout failing'
    """
    blocks: list[Block] = [header(f"{incident.id} · {one_line(incident.title)}")]
    blocks.append(section(fields=_summary_fields(incident, playbook, policy, lang)))
    if incident.description:
        blocks.append(section(truncate(escape_mrkdwn(incident.description), MAX_DESCRIPTION)))
    blocks.append(section(f"*{msg.LABEL_ROLES}*", fields=_role_fields(incident, lang)))
    blocks.append(section(_tasks_text(incident, now, lang)))
    clocks = all_clocks(incident, playbook=playbook, policy=policy, now=now)
    clock_lines = [msg.clock_line(c, now=now, lang=lang) for c in clocks] or [msg.NO_CLOCKS]
    blocks.append(section(f"*{msg.LABEL_CLOCKS}*\n" + "\n".join(clock_lines)))
    if incident.firing:
        blocks.append(section(truncate(msg.signals_firing_text(incident, now=now), MAX_FIELD_TEXT)))
    if incident.impact:
        figures = "\n".join(msg.format_figure(str(k), v) for k, v in incident.impact.items())
        blocks.append(section(f"*{msg.LABEL_IMPACT}*\n{figures}"))
    if not incident.is_active:
        blocks.append(section(msg.resolution_text(incident, now=now)))
    blocks.append(context(msg.card_context(incident, now=now)))
    if incident.is_active:
        ref = encode_ref(incident.number)
        elements = [button(msg.BUTTON_SHOW_CHECKLIST, action_id=Action.SHOW_STATUS, value=ref)]
        if not is_last_stage(incident):
            elements.append(
                button(msg.BUTTON_ADVANCE, action_id=Action.STAGE_NEXT, value=ref, style="primary")
            )
        blocks.append(actions(elements, block_id=BlockId.CARD_ACTIONS))
    return message(msg.card_fallback(incident), blocks)


def _summary_fields(
    incident: Incident, playbook: Playbook, policy: SeverityPolicy, lang: str
) -> list[str]:
    try:
        label: str | None = policy.level(incident.severity).label.get(lang)
    except KeyError:
        label = None
    status = msg.STATUS_LABELS.get(incident.status.value, escape_mrkdwn(incident.status.value))
    return [
        f"*{msg.LABEL_SEVERITY}*\n{msg.severity_text(incident.severity.value, label)}",
        f"*{msg.LABEL_TYPE}*\n{escape_mrkdwn(one_line(playbook.name.get(lang)))}",
        f"*{msg.LABEL_STAGE}*\n{stage_progress(incident)}",
        f"*{msg.LABEL_STATUS}*\n{status}",
    ]


def _role_fields(incident: Incident, lang: str) -> list[str]:
    # Nine roles fit Slack's ten-field limit, so every role shows, filled or not.
    fields = []
    for role in Role:
        holder = incident.holder(role)
        who = mention(holder) if holder else msg.UNASSIGNED
        fields.append(f"*{msg.role_label(role, lang)}*\n{who}")
    return fields


def _tasks_text(incident: Incident, now: datetime, lang: str) -> str:
    required = [t for t in incident.tasks if t.stage == incident.stage and t.required]
    lines = [
        msg.tasks_heading(
            len(incident.open_tasks()), len(incident.open_tasks(incident.stage)),
            incident.stage.value,
        )
    ]
    lines += [msg.task_summary(t, lang=lang, now=now) for t in required] or [msg.NO_REQUIRED_TASKS]
    return truncate("\n".join(lines), MAX_FIELD_TEXT)
