"""Slack's Block Kit size limits, counted as Slack counts them: in UTF-16 code units.

A Chinese character is one unit, an emoji outside the Basic Multilingual Plane two, so a
150-code-point title of emoji can be 300 units and over the header's limit. Every field over
its limit makes the call fail with ``invalid_blocks`` and a per-field ``errors`` list naming it
by JSON pointer, as Slack does. Messages have in addition a budget for all their block text
together (``msg_blocks_too_long``): Slack does not document the figure, reports place it
around 12–13k characters, and the emulator makes it configurable.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.args import SlackError

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
DEFAULT_BLOCK_TEXT_BUDGET = 12_000

#: Limits of the text of a text object, by the key that holds it and the type of its parent.
_TEXT_LIMITS: dict[tuple[str, str], int] = {
    ("header", "text"): 150,
    ("section", "text"): 3000,
    ("section", "fields"): 2000,
    ("context", "elements"): 3000,
    ("button", "text"): 75,
    ("option", "text"): 75,
    ("option", "description"): 75,
    ("input", "label"): 2000,
    ("input", "hint"): 2000,
    ("confirm", "title"): 100,
    ("confirm", "text"): 300,
    ("confirm", "confirm"): 30,
    ("confirm", "deny"): 30,
    ("view", "title"): 24,
    ("view", "submit"): 24,
    ("view", "close"): 24,
    ("*", "placeholder"): 150,
    ("image", "title"): 2000,
}
#: Limits of plain string fields, by key (any parent).
_STRING_LIMITS = {
    "action_id": 255, "block_id": 255, "value": 2000, "url": 3000, "alt_text": 2000,
    "image_url": 3000, "private_metadata": 3000, "callback_id": 255, "external_id": 255,
    "initial_value": 3000,
}
_COUNT_LIMITS = {("section", "fields"): 10, ("context", "elements"): 10,
                 ("actions", "elements"): 25, ("*", "options"): 100}


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Slack's limits."""
    return len(text.encode("utf-16-le")) // 2


def check_message_blocks(blocks: list[dict[str, Any]], *, budget: int) -> None:
    """Raise ``invalid_blocks`` for a field over its limit, ``msg_blocks_too_long`` when the
    block text of the whole message is over ``budget`` UTF-16 units."""
    errors = _walk_blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
    if errors:
        raise SlackError("invalid_blocks", errors=errors)
    total = sum(utf16_len(t) for t in _texts(blocks))
    if total > budget:
        raise SlackError("msg_blocks_too_long")


def check_view(view: dict[str, Any]) -> None:
    """Raise ``invalid_arguments`` (as views.* does) with the fields over their limits."""
    errors = _walk_blocks(view.get("blocks") or [], "/view/blocks", MAX_VIEW_BLOCKS)
    for key in ("title", "submit", "close"):
        if isinstance(view.get(key), dict):
            errors += _check_text(view[key], _TEXT_LIMITS[("view", key)], f"/view/{key}")
    for key in ("private_metadata", "callback_id", "external_id"):
        errors += _check_string(view, key, "/view")
    if errors:
        raise SlackError("invalid_arguments", response_metadata={"messages": errors})


def _walk_blocks(blocks: list[Any], path: str, most: int) -> list[str]:
    errors: list[str] = []
    if len(blocks) > most:
        errors.append(f"no more than {most} items allowed [json-pointer:{path}]")
    for i, block in enumerate(blocks):
        if isinstance(block, dict):
            errors += _walk(block, block.get("type", ""), f"{path}/{i}")
    return errors


def _walk(node: dict[str, Any], kind: str, path: str) -> list[str]:
    errors: list[str] = []
    for key, value in node.items():
        here = f"{path}/{key}"
        if isinstance(value, str):
            errors += _check_string(node, key, path)
        elif isinstance(value, dict):
            limit = _text_limit(kind, key)
            if limit is not None and value.get("type") in ("plain_text", "mrkdwn"):
                errors += _check_text(value, limit, here)
            else:
                child_kind = "confirm" if key == "confirm" and kind != "confirm" else str(
                    value.get("type") or ("option" if "value" in value and "text" in value else key))
                errors += _walk(value, child_kind, here)
        elif isinstance(value, list):
            most = _COUNT_LIMITS.get((kind, key)) or _COUNT_LIMITS.get(("*", key))
            if most is not None and len(value) > most:
                errors.append(f"no more than {most} items allowed [json-pointer:{here}]")
            limit = _text_limit(kind, key)
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    continue
                if limit is not None and item.get("type") in ("plain_text", "mrkdwn"):
                    errors += _check_text(item, limit, f"{here}/{i}")
                else:
                    child = "option" if key in ("options", "initial_options") else str(
                        item.get("type", key))
                    errors += _walk(item, child, f"{here}/{i}")
    return errors


def _text_limit(kind: str, key: str) -> int | None:
    return _TEXT_LIMITS.get((kind, key)) or _TEXT_LIMITS.get(("*", key))


def _check_text(obj: dict[str, Any], limit: int, path: str) -> list[str]:
    text = obj.get("text")
    if not isinstance(text, str):
        return [f"must provide a string [json-pointer:{path}/text]"]
    if utf16_len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{path}/text]"]
    return []


def _check_string(node: dict[str, Any], key: str, path: str) -> list[str]:
    limit = _STRING_LIMITS.get(key)
    value = node.get(key)
    if limit is None or not isinstance(value, str) or utf16_len(value) <= limit:
        return []
    return [f"must be less than {limit + 1} characters [json-pointer:{path}/{key}]"]


def _texts(node: Any) -> list[str]:
    """Every text of every text object under ``node``."""
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    if not isinstance(node, dict):
        return []
    out = [node["text"]] if node.get("type") in ("plain_text", "mrkdwn") and isinstance(
        node.get("text"), str) else []
    for value in node.values():
        if isinstance(value, (dict, list)):
            out += _texts(value)
    return out
