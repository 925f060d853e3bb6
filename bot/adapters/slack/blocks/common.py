"""Small Block Kit element builders that enforce Slack's size limits.

Every builder takes text that is already safe (escaped mrkdwn, or plain text passed through
:func:`~bot.adapters.slack.escape.plain_text_safe` here) and truncates it to the limit of the
field it fills, so a long title or task can never make Slack reject a whole message.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.escape import plain_text_safe, truncate, truncate_plain

#: Slack's documented limits (https://api.slack.com/reference/block-kit).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_OPTIONS = 100
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_VIEW_TITLE = 24
MAX_CONFIRM_TEXT = 300
MAX_FALLBACK_TEXT = 3000

Block = dict[str, Any]


def plain(text: str, *, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    """A ``plain_text`` object (emoji on), made safe and cut to ``limit``."""
    return {"type": "plain_text", "text": truncate_plain(plain_text_safe(text), limit), "emoji": True}


def mrkdwn(text: str, *, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    """A ``mrkdwn`` object from already-escaped text, cut safely to ``limit``."""
    return {"type": "mrkdwn", "text": truncate(text, limit) or " "}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, limit=MAX_HEADER_TEXT)}


def section(
    text: str | None = None,
    *,
    fields: list[str] | None = None,
    accessory: dict[str, Any] | None = None,
    block_id: str | None = None,
) -> Block:
    """A section with mrkdwn ``text`` and/or up to ten mrkdwn ``fields``."""
    block: Block = {"type": "section"}
    if block_id:
        block["block_id"] = block_id
    if text is not None:
        block["text"] = mrkdwn(text)
    if fields:
        block["fields"] = [mrkdwn(f, limit=MAX_FIELD_TEXT) for f in fields[:MAX_FIELDS]]
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def divider() -> Block:
    return {"type": "divider"}


def actions(elements: list[dict[str, Any]], *, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": elements[:MAX_ACTIONS_ELEMENTS]}
    if block_id:
        block["block_id"] = block_id
    return block


def confirm(*, title: str, text: str, yes: str, no: str) -> dict[str, Any]:
    """A confirmation dialog for a button (``text`` is escaped mrkdwn)."""
    return {
        "title": plain(title, limit=100),
        "text": mrkdwn(text, limit=MAX_CONFIRM_TEXT),
        "confirm": plain(yes, limit=30),
        "deny": plain(no, limit=30),
        "style": "danger",
    }


def button(
    text: str,
    *,
    action_id: str,
    value: str | None = None,
    style: str | None = None,
    confirm_dialog: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A button; ``style`` is ``"primary"`` or ``"danger"``."""
    element: dict[str, Any] = {
        "type": "button",
        "action_id": str(action_id),
        "text": plain(text, limit=MAX_BUTTON_TEXT),
    }
    if value is not None:
        element["value"] = value
    if style:
        element["style"] = style
    if confirm_dialog:
        element["confirm"] = confirm_dialog
    return element


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, limit=MAX_OPTION_TEXT), "value": value[:150]}


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    """A message payload: fallback ``text`` (escaped mrkdwn) and at most 50 ``blocks``."""
    return {"text": truncate(text, MAX_FALLBACK_TEXT), "blocks": blocks[:MAX_MESSAGE_BLOCKS]}
