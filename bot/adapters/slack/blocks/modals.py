"""The declare modal and the parser of its submission."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from bot.adapters.slack import messages as msg
from bot.adapters.slack.blocks.common import (
    MAX_OPTIONS,
    MAX_VIEW_TITLE,
    Block,
    option,
    plain,
    section,
)
from bot.adapters.slack.ids import Action, View
from bot.adapters.slack.ids import Block as BlockId
from bot.domain.incident import MAX_TEXT, MAX_TITLE
from bot.domain.severity import Severity

MAX_PRIVATE_METADATA = 3000


def declare_modal(
    *,
    crisis_types: list[tuple[str, str]],
    default_type: str | None,
    private_metadata: str = "",
    initial_title: str = "",
    initial_severity: Severity | str | None = None,
) -> dict[str, Any]:
    """The "Declare incident" modal view (``callback_id`` :attr:`View.DECLARE`).

    ``crisis_types`` are ``(key, label)`` pairs for the type select; ``default_type`` preselects
    one. ``private_metadata`` travels back with the submission (e.g. the channel it was opened
    from); Slack caps it at 3000 characters, so longer values raise ``ValueError``.
    """
    if len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError("private_metadata is limited to 3000 characters by Slack")
    blocks: list[Block] = [_title_input(initial_title)]
    if crisis_types:
        blocks.append(_type_select(crisis_types, default_type))
    else:
        blocks.append(section(msg.NO_PLAYBOOKS))
    blocks.append(_severity_select(initial_severity))
    blocks.append({
        "type": "input",
        "block_id": BlockId.DECLARE_DESCRIPTION.value,
        "optional": True,
        "label": plain(msg.FIELD_DESCRIPTION, limit=2000),
        "element": {
            "type": "plain_text_input",
            "action_id": Action.DECLARE_DESCRIPTION.value,
            "multiline": True,
            "max_length": MAX_TEXT,
        },
    })
    blocks.append(_confidential_select())
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": View.DECLARE.value,
        "title": plain(msg.MODAL_TITLE, limit=MAX_VIEW_TITLE),
        "close": plain(msg.MODAL_CLOSE, limit=MAX_VIEW_TITLE),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }
    if crisis_types:
        view["submit"] = plain(msg.MODAL_SUBMIT, limit=MAX_VIEW_TITLE)
    return view


def _title_input(initial: str) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": Action.DECLARE_TITLE.value,
        "max_length": MAX_TITLE,
        "placeholder": plain(msg.FIELD_TITLE_PLACEHOLDER, limit=150),
    }
    if initial:
        element["initial_value"] = initial[:MAX_TITLE]
    return {
        "type": "input",
        "block_id": BlockId.DECLARE_TITLE.value,
        "label": plain(msg.FIELD_TITLE, limit=2000),
        "element": element,
    }


def _type_select(crisis_types: list[tuple[str, str]], default_type: str | None) -> Block:
    options = [option(label, key) for key, label in crisis_types[:MAX_OPTIONS]]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": Action.DECLARE_TYPE.value,
        "placeholder": plain(msg.FIELD_TYPE_PLACEHOLDER, limit=150),
        "options": options,
    }
    initial = next((o for o in options if o["value"] == default_type), None)
    if initial is not None:
        element["initial_option"] = initial
    return {
        "type": "input",
        "block_id": BlockId.DECLARE_TYPE.value,
        "label": plain(msg.FIELD_TYPE, limit=2000),
        "element": element,
    }


def _severity_select(initial: Severity | str | None) -> Block:
    options = [option(f"{s.value} — {msg.SEVERITY_LABELS[s.value]}", s.value) for s in Severity]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": Action.DECLARE_SEVERITY.value,
        "placeholder": plain(msg.FIELD_SEVERITY_PLACEHOLDER, limit=150),
        "options": options,
    }
    chosen = next((o for o in options if initial is not None and o["value"] == str(initial)), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return {
        "type": "input",
        "block_id": BlockId.DECLARE_SEVERITY.value,
        "optional": True,
        "label": plain(msg.FIELD_SEVERITY, limit=2000),
        "hint": plain(msg.FIELD_SEVERITY_HINT, limit=2000),
        "element": element,
    }


#: The confidentiality choice: unset keeps the playbook's default.
_CONFIDENTIAL = {"yes": True, "no": False}


def _confidential_select() -> Block:
    return {
        "type": "input",
        "block_id": BlockId.DECLARE_CONFIDENTIAL.value,
        "optional": True,
        "label": plain(msg.FIELD_CONFIDENTIAL, limit=2000),
        "hint": plain(msg.FIELD_CONFIDENTIAL_HINT, limit=2000),
        "element": {
            "type": "static_select",
            "action_id": Action.DECLARE_CONFIDENTIAL.value,
            "options": [option(msg.CONFIDENTIAL_YES, "yes"), option(msg.CONFIDENTIAL_NO, "no")],
        },
    }


def _state(values: Any, block: BlockId, action: Action) -> Mapping[str, Any]:
    """The state of one input, or ``{}`` whatever shape ``values`` has."""
    if not isinstance(values, Mapping):
        return {}
    by_action = values.get(block.value)
    if not isinstance(by_action, Mapping):
        return {}
    state = by_action.get(action.value)
    return state if isinstance(state, Mapping) else {}


def _text(values: Any, block: BlockId, action: Action) -> str:
    value = _state(values, block, action).get("value")
    return value.strip() if isinstance(value, str) else ""


def _selected(values: Any, block: BlockId, action: Action) -> str:
    selected = _state(values, block, action).get("selected_option")
    if isinstance(selected, Mapping) and isinstance(selected.get("value"), str):
        return selected["value"]
    return ""


def parse_declare_submission(
    view_state_values: Any, *, crisis_types: Collection[str] | None = None
) -> dict[str, Any]:
    """Read a submitted declare modal (``view["state"]["values"]``).

    Returns ``{"title", "crisis_type", "severity" (Severity | None), "description",
    "confidential" (bool | None: the playbook decides)}``, or —
    when a field is wrong — ``{"response_action": "errors", "errors": {block_id: message}}``,
    ready to be passed to ``ack(**result)`` so Slack shows the message under the field.
    ``crisis_types``, when given, is the set of known type keys. Never raises.
    """
    errors: dict[str, str] = {}
    title = _text(view_state_values, BlockId.DECLARE_TITLE, Action.DECLARE_TITLE)
    if not title:
        errors[BlockId.DECLARE_TITLE.value] = msg.ERR_TITLE_EMPTY
    elif len(title) > MAX_TITLE:
        errors[BlockId.DECLARE_TITLE.value] = msg.err_title_long(len(title), MAX_TITLE)
    crisis_type = _selected(view_state_values, BlockId.DECLARE_TYPE, Action.DECLARE_TYPE)
    if not crisis_type:
        errors[BlockId.DECLARE_TYPE.value] = msg.ERR_TYPE_MISSING
    elif crisis_types is not None and crisis_type not in crisis_types:
        errors[BlockId.DECLARE_TYPE.value] = msg.err_type_unknown(crisis_type)
    severity: Severity | None = None
    raw_severity = _selected(view_state_values, BlockId.DECLARE_SEVERITY, Action.DECLARE_SEVERITY)
    if raw_severity:
        try:
            severity = Severity.parse(raw_severity)
        except ValueError:
            errors[BlockId.DECLARE_SEVERITY.value] = msg.ERR_SEVERITY
    description = _text(view_state_values, BlockId.DECLARE_DESCRIPTION, Action.DECLARE_DESCRIPTION)
    if len(description) > MAX_TEXT:
        errors[BlockId.DECLARE_DESCRIPTION.value] = msg.err_description_long(
            len(description), MAX_TEXT
        )
    confidential = _CONFIDENTIAL.get(
        _selected(view_state_values, BlockId.DECLARE_CONFIDENTIAL, Action.DECLARE_CONFIDENTIAL))
    if errors:
        return {"response_action": "errors", "errors": errors}
    return {
        "title": title,
        "crisis_type": crisis_type,
        "severity": severity,
        "description": description,
        "confidential": confidential,
    }


__all__ = ["declare_modal", "parse_declare_submission"]
