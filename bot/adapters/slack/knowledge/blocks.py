"""Block Kit for the knowledge base (pure): "Similar past crises", a case's lessons, the
``/crisis lessons`` answer, the open-action-item callout and the lessons confirmation.

Every user text is escaped; wording is English with the Chinese heading alongside, and the
durations and labels come from the formatting layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from bot.adapters.rendering.formatting.labels import crisis_type_label
from bot.adapters.rendering.formatting.spans import duration
from bot.adapters.slack.blocks.common import (
    actions,
    button,
    context,
    divider,
    header,
    message,
    section,
)
from bot.adapters.slack.escape import escape_mrkdwn, one_line, truncate
from bot.domain.knowledge import Case
from bot.services.knowledge import OpenAction, Similar

#: Longest case text shown in one line of a list.
LINE = 300


class KbAction(StrEnum):
    """``action_id`` of the knowledge-base buttons; value ``<incident>|<case id>``."""

    SHOW_LESSONS = "kb_show_lessons"
    START_STATEMENT = "kb_start_statement"
    CONFIRM_LESSONS = "kb_confirm_lessons"
    EDIT_LESSONS = "kb_edit_lessons"


class KbView(StrEnum):
    LESSONS = "kb_lessons_modal"  # private_metadata: the incident number


KB_LESSONS_BLOCK = "kb_lessons_input"
KB_LESSONS_INPUT = "kb_lessons_text"


def encode_case_ref(number: int, case_id: str) -> str:
    return f"{number}|{case_id}"


def decode_case_ref(value: str) -> tuple[int, str]:
    """``"7|H-PQ-01"`` → (7, "H-PQ-01"); anything else raises ValueError."""
    number, _, case_id = (value or "").partition("|")
    if not number.isdigit() or not case_id or len(case_id) > 60:
        raise ValueError(f"not a case reference: {value!r}")
    return int(number), case_id


def _line(text: str) -> str:
    return escape_mrkdwn(truncate(one_line(text), LINE))


def _when(minutes: float | None) -> str:
    if minutes is None:
        return "not recorded"
    return duration(minutes * 60)


def match_reason(item: Similar, *, catalog: Any = None) -> str:
    """Why this case came up: same type, same/adjacent severity, shared words."""
    parts = []
    if item.hit.same_type:
        parts.append(f"same type ({crisis_type_label(item.case.crisis_type, catalog=catalog)})")
    if item.hit.severity_match == "same":
        parts.append(f"same severity ({item.case.severity})")
    elif item.hit.severity_match == "adjacent":
        parts.append(f"close severity ({item.case.severity})")
    if item.hit.shared:
        parts.append("shared terms: " + ", ".join(f"“{t}”" for t in item.hit.shared))
    return "; ".join(parts) or "similar wording"


def _case_title(case: Case, *, catalog: Any = None) -> str:
    return (f"*{escape_mrkdwn(case.id)}* · {escape_mrkdwn(truncate(one_line(case.title), 150))} "
            f"({case.date.isoformat()}, {case.severity}, "
            f"{crisis_type_label(case.crisis_type, catalog=catalog)})")


def similar_section(item: Similar, *, catalog: Any = None) -> str:
    case = item.case
    lines = [_case_title(case, catalog=catalog),
             f"_Why:_ {escape_mrkdwn(match_reason(item, catalog=catalog))}",
             f"_First statement after:_ {_when(case.timings.to_first_statement)}"]
    if item.lessons:
        lines.append("_Lessons · 经验:_ " + " · ".join(_line(x) for x in item.lessons))
    if item.didnt:
        lines.append("_Didn't work · 无效做法:_ " + " · ".join(_line(x) for x in item.didnt))
    return "\n".join(lines)


def case_buttons(number: int, case: Case) -> list[dict[str, Any]]:
    ref = encode_case_ref(number, case.id)
    out = [button("Show lessons · 查看经验", action_id=KbAction.SHOW_LESSONS, value=ref)]
    if case.holding_statement() is not None:
        out.append(button("Start from its holding statement · 以其声明起草",
                          action_id=KbAction.START_STATEMENT, value=ref))
    return out


def action_callout(items: Sequence[OpenAction]) -> str:
    lines = [f"• {escape_mrkdwn(a.case.id)}'s action item “{_line(a.item.text)}” is still open"
             + (f" (owner: {escape_mrkdwn(a.item.owner)})" if a.item.owner else "")
             for a in items]
    return ":warning: *Open action items from past post-mortems · 历史复盘中未完成的改进项*\n" + \
        "\n".join(lines)


def similar_message(*, number: int, incident_label: str, similar: Sequence[Similar],
                    open_actions: Sequence[OpenAction], catalog: Any = None) -> dict[str, Any]:
    """The message posted in a new incident's channel."""
    blocks: list[dict[str, Any]] = [header("Similar past crises · 相似的历史危机")]
    for item in similar:
        blocks.append(section(similar_section(item, catalog=catalog)))
        blocks.append(actions(case_buttons(number, item.case)))
    if not similar:
        blocks.append(section("No similar past crisis in the knowledge base. · 知识库中没有相似案例。"))
    if open_actions:
        blocks.append(divider())
        blocks.append(section(action_callout(open_actions)))
    blocks.append(context(f"From the knowledge base · `/crisis lessons <words>` searches it "
                          f"(only cases you may read). {escape_mrkdwn(incident_label)}"))
    ids = ", ".join(s.case.id for s in similar) or "none"
    return message(f"Similar past crises: {escape_mrkdwn(ids)}", blocks)


def lessons_answer(*, query: str, similar: Sequence[Similar], open_actions: Sequence[OpenAction],
                   number: int | None, catalog: Any = None) -> tuple[str, list[dict[str, Any]]]:
    """The ephemeral answer to ``/crisis lessons [query]``."""
    title = f"Lessons for “{one_line(query)[:80]}” · 相关经验" if query else "Lessons · 相关经验"
    blocks: list[dict[str, Any]] = [header(title)]
    for item in similar:
        blocks.append(section(similar_section(item, catalog=catalog)))
        if number is not None:
            blocks.append(actions(case_buttons(number, item.case)))
    if not similar:
        blocks.append(section("Nothing in the knowledge base matches (among the cases you may "
                              "read). · 没有找到匹配的案例。"))
    if open_actions:
        blocks.append(section(action_callout(open_actions)))
    text = "Lessons: " + (", ".join(escape_mrkdwn(s.case.id) for s in similar) or "no match")
    body = message(text, blocks)
    return body["text"], body["blocks"]


def case_lessons(case: Case, *, catalog: Any = None) -> tuple[str, list[dict[str, Any]]]:
    """*Show lessons*: everything the case taught, for the person who asked."""
    def bullets(items: Sequence[str]) -> str:
        return "\n".join(f"• {_line(x)}" for x in items) or "—"

    parts = [_case_title(case, catalog=catalog)]
    if case.summary:
        parts.append(_line(case.summary))
    t = case.timings
    parts.append(f"_Team after_ {_when(t.to_team)} · _first statement after_ "
                 f"{_when(t.to_first_statement)} · _resolved after_ {_when(t.to_resolution)}")
    blocks = [header(f"Lessons of {case.id} · 经验"), section("\n".join(parts)),
              section("*Lessons · 经验*\n" + bullets(case.lessons)),
              section("*What worked · 有效做法*\n" + bullets(case.worked)),
              section("*What didn't · 无效做法*\n" + bullets(case.didnt))]
    if case.causes:
        blocks.append(section("*Causes · 根本原因*\n" + bullets(case.causes)))
    if case.action_items:
        blocks.append(section("*Action items · 改进项*\n" + "\n".join(
            f"• {'✅' if not a.is_open else '⬜'} {_line(a.text)}" for a in case.action_items)))
    body = message(f"Lessons of {escape_mrkdwn(case.id)}", blocks)
    return body["text"], body["blocks"]


def confirm_lessons_message(*, number: int, incident_label: str,
                            lessons: Sequence[str]) -> dict[str, Any]:
    """Posted when a post-mortem is published: confirm the lessons for the knowledge base."""
    listed = "\n".join(f"• {_line(x)}" for x in lessons) or \
        "_No `lesson:` notes were written. · 没有记录经验。_"
    blocks = [
        section(f":books: *Confirm the lessons of {escape_mrkdwn(incident_label)} · 确认本次经验*\n"
                "They go into the knowledge base; the next team sees them. Prefilled from the "
                "`lesson:` notes.\n" + listed),
        actions([
            button("Confirm lessons · 确认", action_id=KbAction.CONFIRM_LESSONS,
                   value=str(number), style="primary"),
            button("Edit · 修改", action_id=KbAction.EDIT_LESSONS, value=str(number)),
        ]),
    ]
    return message(f"Confirm the lessons of {escape_mrkdwn(incident_label)}", blocks)


def lessons_modal(*, number: int, incident_label: str, lessons: Sequence[str]) -> dict[str, Any]:
    """The Edit modal: one lesson per line, prefilled."""
    return {
        "type": "modal", "callback_id": KbView.LESSONS.value, "private_metadata": str(number),
        "title": {"type": "plain_text", "text": "Lessons · 经验"},
        "submit": {"type": "plain_text", "text": "Confirm · 确认"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{
            "type": "input", "block_id": KB_LESSONS_BLOCK,
            "label": {"type": "plain_text",
                      "text": f"Lessons of {incident_label}, one per line"[:2000]},
            "element": {"type": "plain_text_input", "action_id": KB_LESSONS_INPUT,
                        "multiline": True, "max_length": 3000,
                        "initial_value": "\n".join(lessons)[:3000]},
        }],
    }
