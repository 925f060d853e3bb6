"""conversations.* and bookmarks.* methods: channel lifecycle, membership, history."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.args import Args, SlackError, paginate
from bot.sandbox.blocklimits import utf16_len
from bot.sandbox.models import Channel, Message, ts_key
from bot.sandbox.workspace import Handler, Workspace

MAX_NAME = 80
MAX_TOPIC = 250
MAX_INVITE = 1000  # users in one conversations.invite call
_NAME_CHARS = re.compile(r"^[a-z0-9_-]+$")


def check_channel_name(name: str | None) -> str:
    """Apply Slack's channel-name rules, raising the error code Slack would return."""
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > MAX_NAME:
        raise SlackError("invalid_name_maxlength")
    if not _NAME_CHARS.match(name):
        raise SlackError("invalid_name_specials")
    if not re.search(r"[a-z0-9]", name):
        raise SlackError("invalid_name_punctuation")
    return name


def _channel_for_change(ws: Workspace, args: Args) -> Channel:
    """Resolve a non-DM channel the bot may modify (member, not archived)."""
    channel = ws.channel(args.get_str("channel"))
    if channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    ws.require_open(channel)
    ws.require_member(channel)
    return channel


def create(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.create: the bot creates, and so joins, the channel."""
    name = check_channel_name(args.get_str("name"))
    if ws.channel_named(name) is not None:  # archived channels keep their names too
        raise SlackError("name_taken")
    channel = ws.add_channel(name, creator=ws.bot_user_id, members=[ws.bot_user_id],
                             is_private=args.get_bool("is_private"))
    return {"channel": channel.to_api(ws.bot_user_id)}


def invite(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.invite: all-or-nothing unless ``force``, per-user ``errors`` on failure."""
    channel = _channel_for_change(ws, args)
    users = args.get_list("users")
    if not users:
        raise SlackError("no_user")
    if len(users) > MAX_INVITE:
        raise SlackError("too_many_users")
    errors: list[dict[str, Any]] = []
    new: list[str] = []
    for user in dict.fromkeys(users):
        if user == ws.bot_user_id:
            code = "cant_invite_self"
        elif user not in ws.users:
            code = "user_not_found"
        elif user in channel.members:
            code = "already_in_channel"
        else:
            new.append(user)
            continue
        errors.append({"user": user, "ok": False, "error": code})
    invalid = [e for e in errors if e["error"] != "already_in_channel"]
    if invalid and not args.get_bool("force"):
        raise SlackError(invalid[0]["error"], errors=errors)
    if not new:
        raise SlackError(errors[0]["error"], errors=errors)
    channel.members.extend(new)
    out: dict[str, Any] = {"channel": channel.to_api(ws.bot_user_id)}
    if errors:
        out["errors"] = errors
    return out


def set_topic(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.setTopic."""
    channel = _channel_for_change(ws, args)
    topic = args.get_str("topic") or ""
    if utf16_len(topic) > MAX_TOPIC:
        raise SlackError("too_long")
    channel.topic = {"value": topic, "creator": ws.bot_user_id, "last_set": int(ws.now())}
    return {"channel": channel.to_api(ws.bot_user_id)}


def set_purpose(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.setPurpose (Slack answers a bare ``ok``)."""
    channel = _channel_for_change(ws, args)
    purpose = args.get_str("purpose") or ""
    if utf16_len(purpose) > MAX_TOPIC:
        raise SlackError("too_long")
    channel.purpose = {"value": purpose, "creator": ws.bot_user_id, "last_set": int(ws.now())}
    return {}


def info(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.info."""
    return {"channel": ws.channel(args.get_str("channel")).to_api(ws.bot_user_id)}


def members(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.members (cursor-paginated); a private channel exists only for members."""
    channel = ws.channel(args.get_str("channel"))
    if channel.is_private and ws.bot_user_id not in channel.members:
        raise SlackError("channel_not_found")
    page, cursor = paginate(channel.members, args)
    return {"members": page, "response_metadata": {"next_cursor": cursor}}


def join(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.join: public channels only; re-joining only warns."""
    channel = ws.channel(args.get_str("channel"))
    if channel.is_im or channel.is_private:
        raise SlackError("method_not_supported_for_channel_type")
    ws.require_open(channel)
    out: dict[str, Any] = {}
    if ws.bot_user_id in channel.members:
        out = {"warning": "already_in_channel",
               "response_metadata": {"warnings": ["already_in_channel"]}}
    else:
        channel.members.append(ws.bot_user_id)
    return {"channel": channel.to_api(ws.bot_user_id), **out}


def list_(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.list: ``types`` defaults to ``public_channel``, as on Slack."""
    types = set(args.get_list("types") or ["public_channel"])
    exclude_archived = args.get_bool("exclude_archived")

    def listed(c: Channel) -> bool:
        if exclude_archived and c.is_archived:
            return False
        if c.is_im:
            return "im" in types
        if c.is_private:
            return "private_channel" in types and ws.bot_user_id in c.members
        return "public_channel" in types

    visible = [c for c in ws.channels.values() if listed(c)]
    page, cursor = paginate(visible, args)
    return {"channels": [c.to_api(ws.bot_user_id) for c in page],
            "response_metadata": {"next_cursor": cursor}}


def _readable(ws: Workspace, args: Args) -> Channel:
    channel = ws.channel(args.get_str("channel"))
    ws.require_member(channel)
    return channel


def _bound(args: Args, name: str) -> tuple[int, int] | None:
    value = args.get_str(name)
    if value is None:
        return None
    try:
        return ts_key(value)
    except ValueError:
        raise SlackError(f"invalid_ts_{name}") from None


def history(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.history: top-level messages (and broadcast replies), newest first."""
    channel = _readable(ws, args)
    latest, oldest = _bound(args, "latest"), _bound(args, "oldest")
    inclusive = args.get_bool("inclusive")

    def in_range(m: Message) -> bool:
        key = ts_key(m.ts)
        if latest is not None and (key > latest or (key == latest and not inclusive)):
            return False
        return oldest is None or key > oldest or (key == oldest and inclusive)

    shown = [m for m in reversed(ws.messages[channel.id])
             if (not m.is_reply or m.reply_broadcast) and in_range(m)]
    page, cursor = paginate(shown, args)
    return {
        "messages": [ws.message_api(m) for m in page],
        "has_more": bool(cursor),
        "pin_count": sum(m.pinned for m in ws.messages[channel.id]),
        "response_metadata": {"next_cursor": cursor},
    }


def replies(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.replies: the parent first, then its replies oldest first."""
    channel = _readable(ws, args)
    ts = args.get_str("ts", missing="thread_not_found")
    try:
        parent = ws.message(channel.id, ts)
    except SlackError:
        raise SlackError("thread_not_found") from None
    root = parent.thread_ts or parent.ts
    thread = [m for m in ws.messages[channel.id] if m.ts == root or m.thread_ts == root]
    page, cursor = paginate(thread, args, default_limit=1000)
    return {"messages": [ws.message_api(m) for m in page], "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor}}


def archive(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.archive."""
    channel = ws.channel(args.get_str("channel"))
    if channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("already_archived")
    ws.require_member(channel)
    channel.is_archived = True
    return {}


def open_(ws: Workspace, args: Args) -> dict[str, Any]:
    """conversations.open: one user only (group DMs are not emulated)."""
    users = args.get_list("users")
    if not users:
        raise SlackError("users_list_not_supplied")
    if len(users) > 1:
        raise SlackError("invalid_arguments")
    existed = any(c.is_im and users[0] in c.members for c in ws.channels.values())
    channel = ws.open_dm(users[0])
    out: dict[str, Any] = {"channel": {"id": channel.id}}
    if existed:
        out.update(no_op=True, already_open=True)
    return out


def bookmarks_add(ws: Workspace, args: Args) -> dict[str, Any]:
    """bookmarks.add: only ``type=link`` bookmarks exist in the emulator."""
    channel = ws.channel(args.get_str("channel_id"))
    title = args.require("title")
    if args.get_str("type") != "link":
        raise SlackError("invalid_bookmark_type")
    link = args.get_str("link")
    if not link or not link.startswith(("http://", "https://")):
        raise SlackError("invalid_link")
    bookmark = {
        "id": ws.new_id("Bk"), "channel_id": channel.id, "title": title, "link": link,
        "emoji": args.get_str("emoji"), "icon_url": None, "type": "link", "entity_id": None,
        "date_created": int(ws.now()), "date_updated": 0,
        # Slack ranks sort lexicographically; zero-padded positions keep insertion order.
        "rank": f"{len(channel.bookmarks):04d}",
        "last_updated_by_user_id": ws.bot_user_id, "last_updated_by_team_id": ws.team_id,
        "shortcut_id": None, "app_id": None,
    }
    channel.bookmarks.append(bookmark)
    return {"bookmark": dict(bookmark)}


def bookmarks_list(ws: Workspace, args: Args) -> dict[str, Any]:
    """bookmarks.list."""
    channel = ws.channel(args.get_str("channel_id"))
    return {"bookmarks": [dict(b) for b in channel.bookmarks]}


METHODS: dict[str, Handler] = {
    "conversations.create": create,
    "conversations.invite": invite,
    "conversations.setTopic": set_topic,
    "conversations.setPurpose": set_purpose,
    "conversations.info": info,
    "conversations.members": members,
    "conversations.join": join,
    "conversations.list": list_,
    "conversations.history": history,
    "conversations.replies": replies,
    "conversations.archive": archive,
    "conversations.open": open_,
    "bookmarks.add": bookmarks_add,
    "bookmarks.list": bookmarks_list,
}
