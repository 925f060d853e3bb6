"""The stage checklist: the current stage's tasks with Done buttons, assignee pickers and the
"Advance stage" / "Force advance" buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.adapters.slack import messages as msg
from bot.adapters.slack.blocks.card import is_last_stage, stage_progress
from bot.adapters.slack.blocks.common import (
    BLOCK_TEXT_BUDGET,
    MAX_MESSAGE_BLOCKS,
    Block,
    actions,
    block_text_size,
    button,
    confirm,
    context,
    message,
    plain,
    section,
)
from bot.adapters.slack.escape import is_user_id, truncate
from bot.adapters.slack.ids import Action, encode_ref, ref_block_id
from bot.adapters.slack.ids import Block as BlockId
from bot.domain.incident import Incident
from bot.domain.lifecycle import STAGES
from bot.domain.records import Task

#: Blocks besides the tasks: the heading and the footer (buttons or a note).
_FIXED_BLOCKS = 2


def stage_checklist(
    incident: Incident, *, lang: str = "en", now: datetime | None = None
) -> dict[str, Any]:
    """The checklist message (``text`` + ``blocks``) of the incident's current stage.

    Each task is a section ("#n text", owner role, assignee, due time, required marker, done
    state); an open task has a "Done" button (``value`` ``INC-7:3``) and, room permitting, an
    assignee picker whose actions block's ``block_id`` is the same ``INC-7:3`` reference.
    With ``now`` given, overdue tasks are flagged. The message never passes 50 blocks: done
    tasks collapse into one line first, then pickers go, then the last open tasks are
    summarised.
    """
    tasks = sorted((t for t in incident.tasks if t.stage == incident.stage), key=lambda t: t.no)
    open_tasks = [t for t in tasks if t.is_open]
    done_tasks = [t for t in tasks if not t.is_open]
    interactive = incident.is_active

    plan = _fit(len(open_tasks), len(done_tasks), pickers=interactive)
    while True:  # fewer open tasks shown until the message fits Slack's block-text budget
        built = _build(incident, tasks, open_tasks, done_tasks, plan, lang=lang, now=now)
        if plan.open_shown == 0 or block_text_size(built["blocks"]) <= BLOCK_TEXT_BUDGET:
            return built
        plan = _Plan(plan.open_shown - 1, min(plan.pickers, plan.open_shown - 1),
                     collapse_done=True)


def _build(incident: Incident, tasks: list[Task], open_tasks: list[Task],
           done_tasks: list[Task], plan: _Plan, *, lang: str,
           now: datetime | None) -> dict[str, Any]:
    interactive = incident.is_active
    position = STAGES.index(incident.stage) + 1 if incident.stage in STAGES else len(STAGES)
    heading = msg.checklist_heading(
        incident, position=position, total=len(STAGES), done=len(done_tasks), count=len(tasks)
    )
    blocks: list[Block] = [section(heading + "\n" + stage_progress(incident))]

    shown_open = open_tasks[: plan.open_shown]
    with_picker = {t.no for t in shown_open[: plan.pickers]}
    listed = shown_open if plan.collapse_done else sorted(shown_open + done_tasks, key=lambda t: t.no)
    for task in listed:
        blocks += _task_blocks(
            incident, task, lang=lang, now=now, interactive=interactive,
            picker=task.no in with_picker,
        )
    if plan.collapse_done and done_tasks:
        blocks.append(context(truncate(msg.done_collapsed(done_tasks, lang=lang), 1500)))
    if len(open_tasks) > plan.open_shown:
        blocks.append(context(msg.more_open_tasks(len(open_tasks) - plan.open_shown)))
    if not tasks:
        blocks.append(section(msg.NO_STAGE_TASKS))
    blocks.append(_footer(incident))
    return message(msg.checklist_fallback(incident, len(open_tasks)), blocks)


class _Plan:
    """How much of the checklist fits: open tasks shown, pickers given, done tasks collapsed."""

    def __init__(self, open_shown: int, pickers: int, collapse_done: bool) -> None:
        self.open_shown = open_shown
        self.pickers = pickers
        self.collapse_done = collapse_done


def _fit(open_count: int, done_count: int, *, pickers: bool) -> _Plan:
    room = MAX_MESSAGE_BLOCKS - _FIXED_BLOCKS
    empty_note = 1 if open_count + done_count == 0 else 0
    wanted_pickers = open_count if pickers else 0
    if open_count + wanted_pickers + done_count + empty_note <= room:
        return _Plan(open_count, wanted_pickers, collapse_done=False)
    done_blocks = 1 if done_count else 0
    if open_count + wanted_pickers + done_blocks <= room:
        return _Plan(open_count, wanted_pickers, collapse_done=True)
    if open_count + done_blocks <= room:
        return _Plan(open_count, room - open_count - done_blocks, collapse_done=True)
    # One block is left for the "…and N more" line.
    return _Plan(max(0, room - done_blocks - 1), 0, collapse_done=True)


def _task_blocks(
    incident: Incident, task: Task, *, lang: str, now: datetime | None, interactive: bool,
    picker: bool,
) -> list[Block]:
    text = msg.task_details(task, lang=lang, now=now)
    block_id = ref_block_id(BlockId.TASK, incident.number, task.no)
    if not (interactive and task.is_open):
        return [section(text, block_id=block_id)]
    ref = encode_ref(incident.number, task.no)
    done = button(msg.BUTTON_DONE, action_id=Action.TASK_DONE, value=ref, style="primary")
    blocks = [section(text, accessory=done, block_id=block_id)]
    if picker:
        select: dict[str, Any] = {
            "type": "users_select",
            "action_id": Action.TASK_ASSIGN.value,
            "placeholder": plain(msg.ASSIGN_PLACEHOLDER, limit=150),
        }
        if is_user_id(task.assignee):
            select["initial_user"] = task.assignee
        # The listener reads the task from this block_id with decode_ref().
        blocks.append(actions([select], block_id=ref))
    return blocks


def _footer(incident: Incident) -> Block:
    if not incident.is_active:
        return context(msg.inactive_incident(incident.status.value))
    if is_last_stage(incident):
        return context(msg.stage_is_last(incident.stage.value))
    ref = encode_ref(incident.number)
    elements = [button(msg.BUTTON_ADVANCE, action_id=Action.STAGE_NEXT, value=ref, style="primary")]
    blocking = incident.blocking_tasks()
    if blocking:
        dialog = confirm(
            title=msg.FORCE_CONFIRM_TITLE,
            text=msg.force_confirm_text(len(blocking)),
            yes=msg.FORCE_CONFIRM_YES,
            no=msg.FORCE_CONFIRM_NO,
        )
        elements.append(
            button(
                msg.BUTTON_FORCE, action_id=Action.STAGE_FORCE, value=ref, style="danger",
                confirm_dialog=dialog,
            )
        )
    return actions(elements, block_id=ref_block_id(BlockId.STAGE_ACTIONS, incident.number))
