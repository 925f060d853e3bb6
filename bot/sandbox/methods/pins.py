"""pins.* and reactions.* methods: marks people and the bot put on messages."""

from __future__ import annotations

from typing import Any

from bot.sandbox.args import Args, SlackError
from bot.sandbox.models import Message
from bot.sandbox.workspace import Handler, Workspace


def _target(ws: Workspace, args: Args) -> Message:
    """Resolve the ``channel`` + ``timestamp`` pair that pins/reactions act on."""
    channel = ws.channel(args.get_str("channel"))
    timestamp = args.get_str("timestamp", missing="no_item_specified")
    ws.require_member(channel)
    return ws.message(channel.id, timestamp)


def pins_add(ws: Workspace, args: Args) -> dict[str, Any]:
    """pins.add."""
    message = _target(ws, args)
    if message.pinned:
        raise SlackError("already_pinned")
    message.pinned_by = ws.bot_user_id
    message.pinned_at = int(ws.now())
    return {}


def pins_remove(ws: Workspace, args: Args) -> dict[str, Any]:
    """pins.remove."""
    message = _target(ws, args)
    if not message.pinned:
        raise SlackError("no_pin")
    message.pinned_by = None
    return {}


def pins_list(ws: Workspace, args: Args) -> dict[str, Any]:
    """pins.list: most recently pinned first."""
    channel = ws.channel(args.get_str("channel"))
    pinned = [m for m in ws.messages[channel.id] if m.pinned]
    pinned.sort(key=lambda m: m.pinned_at, reverse=True)
    items = [{
        "type": "message", "channel": channel.id, "created": m.pinned_at,
        "created_by": m.pinned_by,
        "message": {**ws.message_api(m), "permalink": ws.permalink(m)},
    } for m in pinned]
    return {"items": items}


def reactions_add(ws: Workspace, args: Args) -> dict[str, Any]:
    """reactions.add: ``name`` is the emoji name without colons."""
    message = _target(ws, args)
    name = args.require("name", missing="invalid_name").strip(":")
    users = message.reactions.setdefault(name, [])
    if ws.bot_user_id in users:
        raise SlackError("already_reacted")
    users.append(ws.bot_user_id)
    return {}


METHODS: dict[str, Handler] = {
    "pins.add": pins_add,
    "pins.remove": pins_remove,
    "pins.list": pins_list,
    "reactions.add": reactions_add,
}
