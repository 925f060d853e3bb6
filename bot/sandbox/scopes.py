"""The OAuth scope each emulated Web API method needs, as Slack documents it.

Methods that act on a conversation need the scope of its type: ``channels:…`` for a public
channel, ``groups:…`` for a private one, ``im:…`` for a direct message. A call whose scope the
installed app lacks fails with ``missing_scope`` and says which scope was ``needed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.sandbox.args import SlackError

#: method → (public channel scope, private channel scope, DM scope), or a single scope.
_BY_TYPE: dict[str, tuple[str, str, str]] = {
    "conversations.create": ("channels:manage", "groups:write", "im:write"),
    "conversations.invite": ("channels:manage", "groups:write", "im:write"),
    "conversations.setTopic": ("channels:manage", "groups:write", "im:write"),
    "conversations.setPurpose": ("channels:manage", "groups:write", "im:write"),
    "conversations.archive": ("channels:manage", "groups:write", "im:write"),
    "conversations.history": ("channels:history", "groups:history", "im:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history"),
    "conversations.info": ("channels:read", "groups:read", "im:read"),
    "conversations.members": ("channels:read", "groups:read", "im:read"),
}
_SINGLE: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.getPermalink": None,
    "conversations.join": "channels:join",
    "conversations.list": "channels:read",
    "conversations.open": "im:write",
    "pins.add": "pins:write",
    "pins.remove": "pins:write",
    "pins.list": "pins:read",
    "reactions.add": "reactions:write",
    "users.info": "users:read",
    "users.list": "users:read",
    "users.lookupByEmail": "users:read.email",
    "views.open": None,
    "views.push": None,
    "views.update": None,
    "views.publish": None,
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "files.info": "files:read",
    "bookmarks.add": "bookmarks:write",
    "bookmarks.list": "bookmarks:read",
}


def needed_scope(method: str, args: Mapping[str, Any], *, channel_kind: str | None) -> str | None:
    """The scope a call needs; ``channel_kind`` is ``public``/``private``/``im`` of its
    conversation (None when it names none, e.g. conversations.create)."""
    if method in _BY_TYPE:
        public, private, im = _BY_TYPE[method]
        if method == "conversations.create":
            flag = str(args.get("is_private", "")).lower() in ("1", "true")
            return private if flag else public
        return {"private": private, "im": im}.get(channel_kind or "", public)
    return _SINGLE.get(method)


def check_scope(method: str, args: Mapping[str, Any], *, granted: frozenset[str] | None,
                channel_kind: str | None) -> None:
    """Raise ``missing_scope`` when ``granted`` (None: everything) lacks the needed scope."""
    if granted is None:
        return
    needed = needed_scope(method, args, channel_kind=channel_kind)
    if needed is not None and needed not in granted:
        raise SlackError("missing_scope", needed=needed, provided=",".join(sorted(granted)))
