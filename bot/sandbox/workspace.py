"""The emulated workspace: every piece of state behind one lock, plus shared rules."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from bot.sandbox.args import Args, SlackError
from bot.sandbox.blocklimits import DEFAULT_BLOCK_TEXT_BUDGET
from bot.sandbox.faults import FaultInjector
from bot.sandbox.models import (
    WEB_URL,
    Channel,
    File,
    Message,
    ResponseUrl,
    User,
    View,
)
from bot.sandbox.ratelimit import RateLimiter

_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


class Workspace:
    """State of one emulated Slack workspace with one installed bot.

    Every read or write goes through ``lock`` (re-entrant, so helpers can nest): the
    HTTP server handles requests on several threads while tests inspect state.
    """

    def __init__(
        self, *, token: str, team_id: str, bot_user_id: str, clock: Callable[[], float]
    ) -> None:
        self.lock = threading.RLock()
        # Notified after every request, so callers can wait for the bot's reaction.
        self.changed = threading.Condition(self.lock)
        self.token = token
        self.app_token = "xapp-" + token.removeprefix("xoxb-")  # Socket Mode's app-level token
        self.socket_mode: Any = None  # the SocketModeServer, started by apps.connections.open
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id[1:]
        self.app_id = "A" + bot_user_id[1:]
        self.clock = clock
        # Set once the HTTP server is bound; needed for upload and response URLs.
        self.base_url = ""
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[Message]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, View] = {}
        self.files: dict[str, File] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.response_url_posts: list[dict[str, Any]] = []
        self.request_log: list[dict[str, Any]] = []
        self.issued_triggers: set[str] = set()
        self.post_times: dict[str, list[float]] = {}  # channel id -> chat.postMessage times
        self.faults = FaultInjector()
        # Slack's limits: rate tiers (off when lenient), installed scopes (None: all), and
        # the block-text budget of one message.
        self.limiter = RateLimiter(clock=clock)
        self.scopes: frozenset[str] | None = None
        self.block_text_budget = DEFAULT_BLOCK_TEXT_BUDGET
        self._counters: dict[str, int] = {}
        self._last_ts_micros = 0
        self.users[bot_user_id] = User(bot_user_id, "crisisbot", "CrisisBot", None, "UTC", True)

    # -- identifiers -------------------------------------------------------------------

    def now(self) -> float:
        """Current time according to the injected clock."""
        return self.clock()

    def new_id(self, prefix: str) -> str:
        """Return a fresh Slack-looking id such as ``C00000001`` for ``prefix`` ``"C"``."""
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        return f"{prefix}{n:08X}"

    def new_ts(self) -> str:
        """Return a unique, strictly increasing message ``ts`` derived from the clock."""
        micros = max(int(self.clock() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # -- users and channels ------------------------------------------------------------

    def user(self, user_id: str | None) -> User:
        """Return a user or fail with ``user_not_found``."""
        user = self.users.get(user_id or "")
        if user is None:
            raise SlackError("user_not_found")
        return user

    def channel(self, channel_id: str | None) -> Channel:
        """Return a channel visible to the bot or fail with ``channel_not_found``.

        Private channels the bot is not in are invisible to it, as on Slack.
        """
        channel = self.channels.get(channel_id or "")
        if channel is None or (channel.is_private and self.bot_user_id not in channel.members):
            raise SlackError("channel_not_found")
        return channel

    def channel_kind(self, channel_id: Any) -> str | None:
        """``public``, ``private`` or ``im`` for a known conversation id, else None."""
        channel = self.channels.get(str(channel_id or ""))
        if channel is None:
            return None
        return "im" if channel.is_im else "private" if channel.is_private else "public"

    def channel_named(self, name: str) -> Channel | None:
        """Return the non-DM channel called ``name`` (a leading ``#`` is ignored)."""
        name = name.removeprefix("#")
        return next((c for c in self.channels.values() if not c.is_im and c.name == name), None)

    def post_target(self, value: str | None) -> Channel:
        """Resolve chat.* ``channel``: a channel id, a ``#name``, or a user id (bot DM)."""
        if not value:
            raise SlackError("channel_not_found")
        if value in self.channels:
            return self.channel(value)
        if _USER_ID.match(value) and value in self.users:
            return self.open_dm(value)
        named = self.channel_named(value)
        if named is None:
            raise SlackError("channel_not_found")
        return self.channel(named.id)

    def open_dm(self, user_id: str) -> Channel:
        """Return (creating on first use) the DM between the bot and ``user_id``."""
        self.user(user_id)
        for channel in self.channels.values():
            if channel.is_im and user_id in channel.members:
                return channel
        channel = Channel(id=self.new_id("D"), name=user_id, created=int(self.now()),
                          creator=self.bot_user_id, is_im=True,
                          members=[self.bot_user_id, user_id])
        self.channels[channel.id] = channel
        self.messages[channel.id] = []
        return channel

    def add_channel(self, name: str, *, creator: str, members: list[str],
                    is_private: bool) -> Channel:
        """Store a new channel (callers have validated ``name``)."""
        channel = Channel(id=self.new_id("C"), name=name, created=int(self.now()),
                          creator=creator, is_private=is_private,
                          members=list(dict.fromkeys(members)))
        self.channels[channel.id] = channel
        self.messages[channel.id] = []
        return channel

    def require_member(self, channel: Channel) -> None:
        """Fail with ``not_in_channel`` unless the bot belongs to ``channel``."""
        if self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")

    @staticmethod
    def require_open(channel: Channel) -> None:
        """Fail with ``is_archived`` for an archived channel."""
        if channel.is_archived:
            raise SlackError("is_archived")

    # -- messages ----------------------------------------------------------------------

    def message(self, channel_id: str, ts: str | None) -> Message:
        """Return the message ``ts`` of a channel or fail with ``message_not_found``."""
        found = next((m for m in self.messages.get(channel_id, []) if m.ts == ts), None)
        if found is None:
            raise SlackError("message_not_found")
        return found

    def post(self, channel: Channel, *, user: str, text: str,
             blocks: list[dict[str, Any]] | None = None,
             attachments: list[dict[str, Any]] | None = None,
             metadata: dict[str, Any] | None = None, thread_ts: str | None = None,
             reply_broadcast: bool = False,
             files: list[dict[str, Any]] | None = None) -> Message:
        """Append a message to ``channel`` (callers have checked permissions)."""
        if thread_ts is not None:
            parent = next((m for m in self.messages[channel.id] if m.ts == thread_ts), None)
            if parent is not None:
                # Replying to a reply lands in the parent's thread, as on Slack.
                thread_ts = parent.thread_ts if parent.is_reply else parent.ts
                parent.thread_ts = thread_ts
        message = Message(
            ts=self.new_ts(), channel=channel.id, user=user, text=text,
            bot_id=self.bot_id if user == self.bot_user_id else None,
            blocks=blocks, attachments=attachments, metadata=metadata, thread_ts=thread_ts,
            reply_broadcast=reply_broadcast and thread_ts is not None, files=files or [],
        )
        self.messages[channel.id].append(message)
        return message

    def message_api(self, message: Message) -> dict[str, Any]:
        """Render a message as Slack does, including thread counters on a parent."""
        out = message.to_api(self.team_id)
        replies = [m for m in self.messages[message.channel]
                   if m.is_reply and m.thread_ts == message.ts]
        if replies:
            users = list(dict.fromkeys(m.user for m in replies))
            out.update(reply_count=len(replies), reply_users=users,
                       reply_users_count=len(users), latest_reply=replies[-1].ts)
        return out

    @staticmethod
    def permalink(message: Message) -> str:
        """Return the message's permalink in Slack's ``/archives/C…/p…`` form."""
        link = f"{WEB_URL}/archives/{message.channel}/p{message.ts.replace('.', '')}"
        if message.is_reply:
            link += f"?thread_ts={message.thread_ts}&cid={message.channel}"
        return link

    def max_channel_rate(self, window: float) -> float:
        """Largest chat.postMessage count in any ``[t, t + window)`` of one channel / window."""
        best = 0
        for times in map(sorted, self.post_times.values()):
            start = 0
            for end, t in enumerate(times):
                while t - times[start] >= window:
                    start += 1
                best = max(best, end - start + 1)
        return best / window


Handler = Callable[[Workspace, Args], dict[str, Any]]
"""An emulated Web API method: returns the response body minus ``ok``, or raises SlackError."""
