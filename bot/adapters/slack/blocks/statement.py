"""Block Kit for statements: the draft card with its review buttons, and the Edit, Reject and
Publish modals with the parsers of their submissions. Pure: dicts in, dicts out."""

from __future__ import annotations

from typing import Any, Mapping

from bot.adapters.slack import messages as msg
from bot.adapters.slack.blocks.common import (
    MAX_SECTION_TEXT,
    MAX_VIEW_TITLE,
    Block,
    actions,
    button,
    context,
    header,
    message,
    plain,
    section,
)
from bot.adapters.slack.ids import Action, View, encode_statement_ref
from bot.adapters.slack.ids import Block as BlockId
from bot.domain.severity import ApprovalRule
from bot.domain.statement_lint import Finding
from bot.domain.statements import MAX_STATEMENT, Statement

#: Plain-text inputs hold at most 3000 characters in Slack.
MAX_INPUT = 3000
_BODY_CHUNK = 2800


def statement_card(
    *,
    incident_id: str,
    number: int,
    statement: Statement,
    rule: ApprovalRule,
    findings: list[Finding],
) -> dict[str, Any]:
    """The statement as posted in the incident channel: title, status, the text, lint findings
    and the buttons Edit · Submit for review · Approve · Reject · Publish (each pinned to this
    version through its value)."""
    value = encode_statement_ref(number, statement.id, statement.version)
    status = statement.status(rule)
    blocks: list[Block] = [
        header(f"{incident_id} · {msg.statement_title(statement)}"),
        context(
            msg.statement_status_line(
                statement, status=status, missing=statement.missing(rule), rule=rule.describe()
            )
        ),
    ]
    if statement.corrects or statement.corrected_by:  # corrections: both ends say so
        blocks.append(context(msg.statement_correction_line(statement)))
    for chunk in _chunks(msg.statement_body(statement.text)):
        blocks.append(section(chunk))
    blocks.append(section(msg.statement_findings(findings, statement.lang)))
    if status != "published":
        buttons = [
            button(msg.BUTTON_STATEMENT_EDIT, action_id=Action.STATEMENT_EDIT, value=value),
            button(msg.BUTTON_STATEMENT_SUBMIT, action_id=Action.STATEMENT_SUBMIT, value=value),
            button(
                msg.BUTTON_STATEMENT_APPROVE,
                action_id=Action.STATEMENT_APPROVE,
                value=value,
                style="primary",
            ),
            button(
                msg.BUTTON_STATEMENT_REJECT,
                action_id=Action.STATEMENT_REJECT,
                value=value,
                style="danger",
            ),
            button(msg.BUTTON_STATEMENT_PUBLISH, action_id=Action.STATEMENT_PUBLISH, value=value),
        ]
        blocks.append(actions(buttons, block_id=f"{BlockId.STATEMENT_ACTIONS.value}|{value}"))
    # The fallback carries the text too: notifications, screen readers and transcripts show it.
    fallback = f"{incident_id} · {msg.statement_title(statement)} — {status.replace('_', ' ')}"
    return message(msg._t(fallback) + "\n" + msg.statement_body(statement.text), blocks)


def draft_statement_button(*, value: str, label: str = msg.BUTTON_DRAFT_STATEMENT) -> dict[str, Any]:
    """The button other features (reminders) put on a message to draft a statement; ``value``
    comes from :func:`~bot.adapters.slack.ids.encode_draft_value`."""
    return button(label, action_id=Action.DRAFT_STATEMENT, value=value, style="primary")


def _chunks(text: str) -> list[str]:
    """Split escaped mrkdwn at line ends into section-sized pieces."""
    chunks, current = [], ""
    for line in text.split("\n"):
        while len(line) > _BODY_CHUNK:
            cut = line[:_BODY_CHUNK]
            amp = cut.rfind("&")
            if amp > cut.rfind(";"):
                cut = cut[:amp]
            chunks.append(cut)
            line = "&gt; " + line[len(cut) :]
        if current and len(current) + len(line) + 1 > _BODY_CHUNK:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks[:40]


# ------------------------------------------------------------------------- modals


def _modal(
    callback: View, title: str, submit: str, metadata: str, blocks: list[Block]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback.value,
        "title": plain(title, limit=MAX_VIEW_TITLE),
        "submit": plain(submit, limit=MAX_VIEW_TITLE),
        "close": plain(msg.STATEMENT_CANCEL, limit=MAX_VIEW_TITLE),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def _input(
    block: BlockId,
    action: Action,
    label: str,
    *,
    initial: str = "",
    multiline: bool,
    max_length: int,
    placeholder: str = "",
    hint: str = "",
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action.value,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder, limit=150)
    built: Block = {
        "type": "input",
        "block_id": block.value,
        "label": plain(label, limit=2000),
        "element": element,
    }
    if hint:
        built["hint"] = plain(hint, limit=2000)
    return built


def edit_modal(*, metadata: str, statement: Statement) -> dict[str, Any]:
    """Edit the statement's text; ``metadata`` is its :func:`encode_statement_ref`."""
    return _modal(
        View.STATEMENT_EDIT,
        msg.STATEMENT_EDIT_TITLE,
        msg.STATEMENT_EDIT_SUBMIT,
        metadata,
        [
            section(msg.statement_title(statement).replace("<", "&lt;")),
            _input(
                BlockId.STATEMENT_TEXT,
                Action.STATEMENT_TEXT,
                msg.STATEMENT_EDIT_LABEL,
                initial=statement.text,
                multiline=True,
                max_length=MAX_INPUT,
                hint=msg.STATEMENT_EDIT_HINT,
            ),
        ],
    )


def reject_modal(*, metadata: str) -> dict[str, Any]:
    return _modal(
        View.STATEMENT_REJECT,
        msg.STATEMENT_REJECT_TITLE,
        msg.STATEMENT_REJECT_SUBMIT,
        metadata,
        [
            _input(
                BlockId.STATEMENT_REASON,
                Action.STATEMENT_REASON,
                msg.STATEMENT_REJECT_LABEL,
                multiline=True,
                max_length=1000,
                placeholder=msg.STATEMENT_REJECT_PLACEHOLDER,
            )
        ],
    )


def publish_modal(*, metadata: str) -> dict[str, Any]:
    return _modal(
        View.STATEMENT_PUBLISH,
        msg.STATEMENT_PUBLISH_TITLE,
        msg.STATEMENT_PUBLISH_SUBMIT,
        metadata,
        [
            _input(
                BlockId.STATEMENT_CHANNEL,
                Action.STATEMENT_CHANNEL,
                msg.STATEMENT_PUBLISH_LABEL,
                initial="website",
                multiline=False,
                max_length=80,
                hint=msg.STATEMENT_PUBLISH_HINT,
            )
        ],
    )


def _value(values: Mapping[str, Any], block: BlockId, action: Action) -> str:
    field = (values.get(block.value) or {}).get(action.value) or {}
    return str(field.get("value") or "")


def parse_text_submission(
    values: Mapping[str, Any],
    *,
    block: BlockId,
    action: Action,
    error: str,
    limit: int = MAX_STATEMENT,
) -> dict[str, Any]:
    """``{"value": text}``, or the ``response_action: errors`` answer for an empty field."""
    text = _value(values, block, action).strip()
    if not text:
        return {"response_action": "errors", "errors": {block.value: error}}
    return {"value": text[:limit]}


__all__ = [
    "statement_card",
    "edit_modal",
    "reject_modal",
    "publish_modal",
    "parse_text_submission",
    "draft_statement_button",
    "MAX_SECTION_TEXT",
]
