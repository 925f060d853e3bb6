"""chat.* methods: posting, editing, deleting and linking messages."""

from __future__ import annotations

from typing import Any

from bot.sandbox.args import Args, SlackError
from bot.sandbox.blocklimits import check_message_blocks, utf16_len
from bot.sandbox.workspace import Handler, Workspace

# Slack's documented limits for a message.
MAX_TEXT = 40_000
MAX_BLOCKS = 50

Content = tuple[str, list[dict[str, Any]] | None, list[dict[str, Any]] | None]


def read_content(args: Args, *, budget: int) -> Content:
    """Read and validate ``text``/``blocks``/``attachments`` as chat.postMessage does.

    Raises ``no_text`` when all three are empty; structural problems and fields over their
    limits raise the ``invalid_blocks*``/``invalid_attachments`` codes Slack uses, block text
    over ``budget`` ``msg_blocks_too_long``. ``text`` over 40,000 characters is truncated, as
    Slack documents, not refused.
    """
    text = args.get_str("text") or ""
    blocks = args.get_json("blocks", invalid="invalid_blocks_format") or None
    attachments = args.get_json("attachments", invalid="invalid_attachments") or None
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        if len(blocks) > MAX_BLOCKS or not all(
            isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks
        ):
            raise SlackError("invalid_blocks")
        check_message_blocks(blocks, budget=budget)
    if attachments is not None and not (
        isinstance(attachments, list) and all(isinstance(a, dict) for a in attachments)
    ):
        raise SlackError("invalid_attachments")
    if not text and blocks is None and attachments is None:
        raise SlackError("no_text")
    if utf16_len(text) > MAX_TEXT:
        text = _cut_utf16(text, MAX_TEXT)
    return text, blocks, attachments


def _cut_utf16(text: str, limit: int) -> str:
    """The longest prefix of ``text`` of at most ``limit`` UTF-16 units."""
    out = text[:limit]
    while utf16_len(out) > limit:
        out = out[: len(out) - max(1, (utf16_len(out) - limit) // 2)]
    return out


def post_message(ws: Workspace, args: Args) -> dict[str, Any]:
    """chat.postMessage: ``channel`` may be an id, a ``#name`` or a user id (DM)."""
    channel = ws.post_target(args.get_str("channel"))
    ws.require_open(channel)
    ws.require_member(channel)
    text, blocks, attachments = read_content(args, budget=ws.block_text_budget)
    metadata = args.get_json("metadata", invalid="invalid_metadata_format")
    message = ws.post(
        channel, user=ws.bot_user_id, text=text, blocks=blocks, attachments=attachments,
        metadata=metadata, thread_ts=args.get_str("thread_ts"),
        reply_broadcast=args.get_bool("reply_broadcast"),
    )
    ws.post_times.setdefault(channel.id, []).append(ws.now())
    return {"channel": channel.id, "ts": message.ts, "message": ws.message_api(message)}


def update(ws: Workspace, args: Args) -> dict[str, Any]:
    """chat.update: replaces the given fields of one of the bot's messages.

    Fields left out keep their value, as on Slack; the previous version is kept in
    the message's edit history for inspection.
    """
    channel = ws.channel(args.get_str("channel"))
    message = ws.message(channel.id, args.get_str("ts", missing="message_not_found"))
    if message.user != ws.bot_user_id:
        raise SlackError("cant_update_message")
    text, blocks, attachments = read_content(args, budget=ws.block_text_budget)
    message.keep_version(ws.new_ts())
    if args.raw.get("text") is not None:
        message.text = text
    if args.raw.get("blocks") is not None:
        message.blocks = blocks
    if args.raw.get("attachments") is not None:
        message.attachments = attachments
    return {"channel": channel.id, "ts": message.ts, "text": message.text,
            "message": ws.message_api(message)}


def post_ephemeral(ws: Workspace, args: Args) -> dict[str, Any]:
    """chat.postEphemeral: recorded per user; it never appears in channel history."""
    channel = ws.post_target(args.get_str("channel"))
    ws.require_open(channel)
    ws.require_member(channel)
    user = args.get_str("user")
    if user not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks, attachments = read_content(args, budget=ws.block_text_budget)
    ts = ws.new_ts()
    ws.ephemerals.append({
        "channel": channel.id, "user": user, "text": text, "blocks": blocks,
        "attachments": attachments, "thread_ts": args.get_str("thread_ts"),
        "message_ts": ts, "source": "chat.postEphemeral", "time": ws.now(),
    })
    return {"message_ts": ts}


def get_permalink(ws: Workspace, args: Args) -> dict[str, Any]:
    """chat.getPermalink."""
    channel = ws.channel(args.get_str("channel"))
    message = ws.message(channel.id, args.get_str("message_ts", missing="message_not_found"))
    return {"channel": channel.id, "permalink": ws.permalink(message)}


def delete(ws: Workspace, args: Args) -> dict[str, Any]:
    """chat.delete: bots may only delete their own messages."""
    channel = ws.channel(args.get_str("channel"))
    message = ws.message(channel.id, args.get_str("ts", missing="message_not_found"))
    if message.user != ws.bot_user_id:
        raise SlackError("cant_delete_message")
    ws.messages[channel.id].remove(message)
    return {"channel": channel.id, "ts": message.ts}


METHODS: dict[str, Handler] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
    "chat.delete": delete,
}
