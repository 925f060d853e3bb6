"""Records the emulator stores, and their rendering as Slack API objects."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Links Slack would host on the workspace domain (permalinks, file pages); the
# emulator never serves them, so they use a reserved, clearly fake host.
WEB_URL = "https://emulator.slack.local"


def ts_key(ts: str) -> tuple[int, int]:
    """Return a Slack ``ts`` such as ``"1700000000.000100"`` as an exactly comparable key.

    Floats lose the microseconds of current epochs, hence integers.
    Raises ``ValueError`` for a malformed ``ts``.
    """
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros.ljust(6, "0")[:6])


@dataclass
class User:
    """A workspace member (human or bot)."""

    id: str
    name: str
    real_name: str
    email: str | None
    tz: str
    is_bot: bool

    def to_api(self, team_id: str, now: float) -> dict[str, Any]:
        """Render as the ``user`` object of ``users.info``."""
        offset, label = _tz_details(self.tz, now)
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": team_id,
        }
        if self.email is not None:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": False,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": int(now),
        }


def _tz_details(tz: str, now: float) -> tuple[int, str]:
    """Return the UTC offset in seconds and a display label for an IANA zone name."""
    try:
        moment = datetime.fromtimestamp(now, ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        moment = datetime.fromtimestamp(now, UTC)
    offset = moment.utcoffset()
    return (int(offset.total_seconds()) if offset else 0), (moment.tzname() or tz)


@dataclass
class Channel:
    """A conversation: public/private channel or a bot DM (``is_im``)."""

    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False
    members: list[str] = field(default_factory=list)
    topic: dict[str, Any] = field(default_factory=lambda: _empty_title())
    purpose: dict[str, Any] = field(default_factory=lambda: _empty_title())
    bookmarks: list[dict[str, Any]] = field(default_factory=list)

    def to_api(self, viewer: str) -> dict[str, Any]:
        """Render as a ``conversations.info`` channel object seen by ``viewer``."""
        if self.is_im:
            other = next((m for m in self.members if m != viewer), viewer)
            return {"id": self.id, "created": self.created, "is_im": True, "is_org_shared": False,
                    "user": other, "is_user_deleted": False, "priority": 0}
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "pending_shared": [],
            "is_pending_ext_shared": False,
            "is_member": viewer in self.members,
            "topic": dict(self.topic),
            "purpose": dict(self.purpose),
            "previous_names": [],
            "num_members": len(self.members),
        }

    def snapshot(self) -> dict[str, Any]:
        """Return the inspection view used by tests and the demo transcript."""
        return {
            "id": self.id,
            "name": self.name,
            "is_private": self.is_private,
            "is_im": self.is_im,
            "is_archived": self.is_archived,
            "created": self.created,
            "creator": self.creator,
            "members": list(self.members),
            "topic": self.topic["value"],
            "purpose": self.purpose["value"],
            "bookmarks": [dict(b) for b in self.bookmarks],
        }


def _empty_title() -> dict[str, Any]:
    return {"value": "", "creator": "", "last_set": 0}


@dataclass
class Message:
    """A message in a channel, with its edit history and annotations."""

    ts: str
    channel: str
    user: str
    text: str
    bot_id: str | None = None
    blocks: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None
    reply_broadcast: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    reactions: dict[str, list[str]] = field(default_factory=dict)
    pinned_by: str | None = None
    pinned_at: int = 0

    @property
    def pinned(self) -> bool:
        """True while the message is pinned to its channel."""
        return self.pinned_by is not None

    def keep_version(self, edited_ts: str) -> None:
        """Append the current text/blocks/attachments to ``edits`` before an edit."""
        self.edits.append({"text": self.text, "blocks": self.blocks,
                           "attachments": self.attachments, "edited_ts": edited_ts})

    @property
    def is_reply(self) -> bool:
        """True for a thread reply (the parent has ``thread_ts == ts``)."""
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self, team_id: str) -> dict[str, Any]:
        """Render as a Slack message object (thread counters are added by the caller)."""
        out: dict[str, Any] = {"type": "message", "user": self.user, "text": self.text,
                               "ts": self.ts, "team": team_id}
        if self.bot_id is not None:
            out["bot_id"] = self.bot_id
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.reply_broadcast:
            out["subtype"] = "thread_broadcast"
        if self.files:
            out["files"] = list(self.files)
            out["upload"] = True
        if self.edits:
            out["edited"] = {"user": self.user, "ts": self.edits[-1]["edited_ts"]}
        if self.reactions:
            out["reactions"] = [{"name": name, "users": list(users), "count": len(users)}
                                for name, users in self.reactions.items()]
        if self.pinned:
            out["pinned_to"] = [self.channel]
        return out

    def snapshot(self) -> dict[str, Any]:
        """Return the inspection view used by tests and the demo transcript."""
        return {
            "ts": self.ts,
            "channel": self.channel,
            "user": self.user,
            "bot_id": self.bot_id,
            "text": self.text,
            "blocks": self.blocks,
            "attachments": self.attachments,
            "thread_ts": self.thread_ts,
            "reply_broadcast": self.reply_broadcast,
            "files": [f["id"] for f in self.files],
            "edits": [dict(e) for e in self.edits],
            "reactions": {name: list(users) for name, users in self.reactions.items()},
            "pinned": self.pinned,
        }


@dataclass
class View:
    """A modal or App Home view submitted by the bot."""

    id: str
    type: str
    definition: dict[str, Any]
    hash: str
    method: str
    user_id: str | None = None
    trigger_id: str | None = None
    trigger_issued: bool = False
    external_id: str | None = None
    root_view_id: str | None = None
    previous_view_id: str | None = None

    def to_api(self, *, team_id: str, app_id: str, bot_id: str) -> dict[str, Any]:
        """Render as the ``view`` object returned by ``views.*``."""
        d = self.definition
        return {
            "id": self.id,
            "team_id": team_id,
            "type": self.type,
            "title": d.get("title"),
            "submit": d.get("submit"),
            "close": d.get("close"),
            "blocks": d.get("blocks", []),
            "private_metadata": d.get("private_metadata", ""),
            "callback_id": d.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self.hash,
            "clear_on_close": bool(d.get("clear_on_close", False)),
            "notify_on_close": bool(d.get("notify_on_close", False)),
            "root_view_id": self.root_view_id or self.id,
            "previous_view_id": self.previous_view_id,
            "app_id": app_id,
            "external_id": self.external_id or "",
            "app_installed_team_id": team_id,
            "bot_id": bot_id,
        }


@dataclass
class File:
    """A file created by ``files.getUploadURLExternal`` and filled by the upload POST."""

    id: str
    name: str
    length: int
    created: int
    user: str
    title: str = ""
    content: bytes | None = None
    alt_txt: str | None = None
    initial_comment: str | None = None
    # channel id -> ts of the share message, in share order
    shares: dict[str, str] = field(default_factory=dict)

    def to_api(self, team_id: str) -> dict[str, Any]:
        """Render as the ``file`` object of ``files.info`` (share details by the caller)."""
        extension = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else "text"
        mimetype = mimetypes.guess_type(self.name)[0] or "text/plain"
        page = f"{WEB_URL}/files/{self.user}/{self.id}/{self.name}"
        private = f"{WEB_URL}/files-pri/{team_id}-{self.id}/{self.name}"
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title or self.name,
            "mimetype": mimetype,
            "filetype": extension,
            "pretty_type": extension.upper(),
            "user": self.user,
            "user_team": team_id,
            "editable": False,
            "size": len(self.content) if self.content is not None else self.length,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "public_url_shared": False,
            "display_as_bot": False,
            "url_private": private,
            "url_private_download": f"{private}?download=1",
            "permalink": page,
            "comments_count": 0,
        }

    def snapshot(self) -> dict[str, Any]:
        """Return the inspection view used by tests and the demo transcript."""
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title or self.name,
            "content": self.content,
            "user": self.user,
            "created": self.created,
            "channels": list(self.shares),
            "initial_comment": self.initial_comment,
        }


@dataclass
class ResponseUrl:
    """A ``response_url`` handed to the bot for one interaction in ``channel`` by ``user``.

    ``message_ts`` names the message the interaction came from, the target of
    ``replace_original``/``delete_original``.
    """

    id: str
    channel: str
    user: str
    created: float
    message_ts: str | None = None
    uses: int = 0
