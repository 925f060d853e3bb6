"""Small Block Kit element builders that enforce Slack's size limits.

Every builder takes text that is already safe (escaped mrkdwn, or plain text passed through
:func:`~bot.adapters.slack.escape.plain_text_safe` here) and truncates it to the limit of the
field it fills, so a long title or task can never make Slack reject a whole message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.adapters.slack.escape import plain_text_safe, truncate, truncate_plain, utf16_len
from bot.adapters.slack.messages.delivery import blocks_left_out

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
#: All block text of one message stays under this many UTF-16 units: Slack answers
#: ``msg_blocks_too_long`` above roughly 12,000 (undocumented; the emulator's default budget).
BLOCK_TEXT_BUDGET = 11_500

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


def block_text_size(node: Any) -> int:
    """UTF-16 units of every text object's text under ``node`` (what Slack's budget counts)."""
    if isinstance(node, list):
        return sum(block_text_size(item) for item in node)
    if not isinstance(node, dict):
        return 0
    own = utf16_len(node["text"]) if node.get("type") in ("plain_text", "mrkdwn") and isinstance(
        node.get("text"), str) else 0
    return own + sum(block_text_size(v) for v in node.values() if isinstance(v, (dict, list)))


def fit_blocks(
    blocks: list[Block], *, tail: int = 1, more: Callable[[int], Block] | None = None,
    budget: int = BLOCK_TEXT_BUDGET,
) -> list[Block]:
    """At most 50 blocks within ``budget``: blocks before the last ``tail`` are dropped from
    the end (the first block always stays), and ``more(n)`` says how many went."""
    blocks = list(blocks)
    say = more or (lambda n: context(blocks_left_out(n)))
    if len(blocks) <= MAX_MESSAGE_BLOCKS and block_text_size(blocks) <= budget:
        return blocks
    head, body, end = blocks[:1], blocks[1:len(blocks) - tail], blocks[len(blocks) - tail:]
    if len(blocks) <= tail:
        head, body, end = blocks[:1], [], blocks[1:]
    dropped = 0
    while body and (len(head) + len(body) + 1 + len(end) > MAX_MESSAGE_BLOCKS
                    or block_text_size(head + body + [say(dropped + 1)] + end) > budget):
        body.pop()
        dropped += 1
    return head + body + ([say(dropped)] if dropped else []) + end


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    """A message payload: fallback ``text`` (escaped mrkdwn) and ``blocks`` within 50 and the
    block-text budget (builders fit their own content first; this is the safety net)."""
    return {"text": truncate(text, MAX_FALLBACK_TEXT), "blocks": fit_blocks(blocks)}
