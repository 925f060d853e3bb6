"""``SlackEmulator``: a local, stateful Slack Web API server for tests and the demo.

Point ``slack_sdk.WebClient(base_url=emu.api_url, token=emu.token)`` (or the async
client) at a started emulator; seed users and channels, then inspect what the bot did.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Self

from bot.sandbox import response_urls
from bot.sandbox.args import SlackError
from bot.sandbox.blocklimits import DEFAULT_BLOCK_TEXT_BUDGET
from bot.sandbox.faults import build_fault
from bot.sandbox.methods.conversations import check_channel_name
from bot.sandbox.models import Channel, User
from bot.sandbox.server import EmulatorHTTPServer
from bot.sandbox.workspace import Workspace


class SlackEmulator:
    """A Slack workspace with one installed bot, served over real HTTP on localhost.

    All state sits behind one lock, so inspection is safe while the bot runs on other
    threads. Inspection methods return copies. ``clock`` drives message timestamps,
    the request log, ``fail_for`` windows and ``max_channel_rate``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "xoxb-emulator",
        team_id: str = "T0EMU",
        bot_user_id: str = "UBOT",
        clock: Callable[[], float] = time.time,
        lenient: bool = False,
        scopes: Iterable[str] | None = None,
        block_text_budget: int = DEFAULT_BLOCK_TEXT_BUDGET,
    ) -> None:
        """``lenient`` turns Slack's rate tiers off (only for the demo's speed-up: sizes,
        scopes and everything else stay as strict as Slack). ``scopes`` are the installed
        app's bot scopes (None: every scope granted). ``block_text_budget`` is the most
        block text one message may carry (``msg_blocks_too_long``)."""
        self._address = (host, port)
        self._ws = Workspace(token=token, team_id=team_id, bot_user_id=bot_user_id, clock=clock)
        self._ws.limiter.enabled = not lenient
        self._ws.scopes = frozenset(scopes) if scopes is not None else None
        self._ws.block_text_budget = block_text_budget
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        """Bind the port and serve on a daemon thread; calling it again is a no-op."""
        if self._server is None:
            server = EmulatorHTTPServer(self._address, self._ws)
            self._ws.base_url = f"http://{self._address[0]}:{server.server_address[1]}"
            self._thread = threading.Thread(target=server.serve_forever, name="slack-emulator",
                                            kwargs={"poll_interval": 0.05}, daemon=True)
            self._thread.start()
            self._server = server
        return self

    def stop(self) -> None:
        """Stop serving and release the port; state stays available for inspection."""
        if self._ws.socket_mode is not None:
            self._ws.socket_mode.stop()
            self._ws.socket_mode = None
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the server (the last one, once stopped)."""
        if not self._ws.base_url:
            raise RuntimeError("the emulator has not been started")
        return self._ws.base_url

    @property
    def api_url(self) -> str:
        """Web API base URL for slack_sdk's ``base_url`` (with the trailing slash)."""
        return f"{self.base_url}/api/"

    @property
    def token(self) -> str:
        """The bot token the emulator accepts."""
        return self._ws.token

    @property
    def app_token(self) -> str:
        """The app-level token (``xapp-…``) apps.connections.open accepts, for Socket Mode."""
        return self._ws.app_token

    # -- Socket Mode -------------------------------------------------------------------

    def socket_wait_connected(self, *, hellos: int = 1, timeout: float = 30.0) -> bool:
        """Block until the app has opened ``hellos`` Socket Mode connections in all (a
        reconnect counts) and one is open."""
        with self._ws.changed:
            self._ws.changed.wait_for(lambda: self._ws.socket_mode is not None, timeout=timeout)
        server = self._ws.socket_mode
        return server is not None and server.wait_connected(hellos=hellos, timeout=timeout)

    def socket_send(self, kind: str, payload: dict[str, Any], *,
                    timeout: float = 30.0) -> dict[str, Any]:
        """Deliver ``payload`` as a ``kind`` envelope (``slash_commands``, ``interactive``,
        ``events_api``); returns the app's acknowledgement (``envelope_id``, ``payload``)."""
        if self._ws.socket_mode is None:
            raise RuntimeError("the app has not called apps.connections.open")
        return self._ws.socket_mode.send(kind, payload, timeout=timeout)

    def socket_refresh(self) -> None:
        """Send ``disconnect`` (``refresh_requested``): the app must reconnect."""
        if self._ws.socket_mode is not None:
            self._ws.socket_mode.refresh()

    def socket_drop(self) -> None:
        """Close the Socket Mode connections abruptly, as a network failure would."""
        if self._ws.socket_mode is not None:
            self._ws.socket_mode.drop()

    @property
    def team_id(self) -> str:
        """The workspace id."""
        return self._ws.team_id

    @property
    def bot_user_id(self) -> str:
        """The bot's user id; messages it posts carry it as ``user``."""
        return self._ws.bot_user_id

    @property
    def bot_id(self) -> str:
        """The bot's ``bot_id`` (``B…``) as reported by auth.test and on its messages."""
        return self._ws.bot_id

    # -- seeding -----------------------------------------------------------------------

    def add_user(self, user_id: str, *, name: str, real_name: str | None = None,
                 email: str | None = None, tz: str = "UTC", is_bot: bool = False) -> None:
        """Add (or replace) a workspace member."""
        with self._ws.lock:
            self._ws.users[user_id] = User(user_id, name, real_name or name, email, tz, is_bot)

    def add_channel(self, name: str, *, members: Iterable[str] = (),
                    is_private: bool = False) -> str:
        """Create a channel and return its id.

        The bot is a member only if ``bot_user_id`` is listed in ``members``, as when a
        person created the channel and invited it. Raises ``ValueError`` for an invalid
        or taken name or an unknown member.
        """
        members = list(members)
        with self._ws.lock:
            try:
                check_channel_name(name)
            except SlackError as err:
                raise ValueError(f"invalid channel name {name!r}: {err.code}") from None
            if self._ws.channel_named(name) is not None:
                raise ValueError(f"channel name {name!r} is taken")
            unknown = [m for m in members if m not in self._ws.users]
            if unknown:
                raise ValueError(f"unknown users {unknown}; add_user() them first")
            creator = members[0] if members else self._ws.bot_user_id
            return self._ws.add_channel(name, creator=creator, members=members,
                                        is_private=is_private).id

    def add_message(self, channel: str, *, user: str, text: str,
                    thread_ts: str | None = None) -> str:
        """Post a message as a person (e.g. chatter the bot reads); return its ts.

        Raises ``ValueError`` unless ``user`` is a member of the channel.
        """
        with self._ws.lock:
            target = self._channel(channel)
            if user not in target.members:
                raise ValueError(f"{user!r} is not a member of {target.name!r}")
            return self._ws.post(target, user=user, text=text, thread_ts=thread_ts).ts

    def new_response_url(self, *, channel: str, user: str, message_ts: str | None = None) -> str:
        """Issue a ``response_url`` for an interaction by ``user`` in ``channel``.

        POSTs (JSON) are recorded in ``response_url_posts()``. ``response_type``
        ``in_channel`` posts a message, the default ``ephemeral`` records an ephemeral;
        ``replace_original``/``delete_original`` act on ``message_ts`` when given.
        """
        with self._ws.lock:
            if not self._ws.base_url:
                raise RuntimeError("start() the emulator before issuing response URLs")
            target = self._channel(channel)
            return response_urls.new_response_url(self._ws, channel=target.id, user=user,
                                                  message_ts=message_ts)

    def new_trigger_id(self) -> str:
        """Issue a trigger id, as Slack includes in interaction payloads."""
        with self._ws.lock:
            n = len(self._ws.issued_triggers) + 1
            trigger = f"{n}.{int(self._ws.now())}.{n:032x}"
            self._ws.issued_triggers.add(trigger)
            return trigger

    # -- inspection --------------------------------------------------------------------

    def channel_by_name(self, name: str) -> dict[str, Any] | None:
        """Snapshot of the channel called ``name`` (``#`` optional), or None."""
        with self._ws.lock:
            channel = self._ws.channel_named(name)
            return channel.snapshot() if channel else None

    def channels(self) -> list[dict[str, Any]]:
        """Snapshots of all conversations, DMs included, in creation order."""
        with self._ws.lock:
            return [c.snapshot() for c in self._ws.channels.values()]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages of a channel (id or name), thread replies included, in post order.

        Raises ``KeyError`` for an unknown channel, so a typo cannot pass as "no messages".
        """
        with self._ws.lock:
            messages = self._ws.messages[self._channel(channel).id]
            return copy.deepcopy([m.snapshot() for m in messages])

    def ephemerals(self, channel: str | None = None,
                   user: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages (chat.postEphemeral and response URLs), optionally filtered."""
        with self._ws.lock:
            channel_id = self._channel(channel).id if channel is not None else None
            return copy.deepcopy([
                e for e in self._ws.ephemerals
                if channel_id in (None, e["channel"]) and user in (None, e["user"])
            ])

    def wait_for(self, predicate: Callable[[], bool], *, timeout: float = 10.0) -> bool:
        """Block until ``predicate()`` is true, re-checking after every request the emulator
        answers (no polling); False if ``timeout`` seconds pass first."""
        with self._ws.changed:
            return self._ws.changed.wait_for(predicate, timeout=timeout)

    def response_url_posts(self) -> list[dict[str, Any]]:
        """Every POST the bot made to a response URL, with its outcome."""
        with self._ws.lock:
            return copy.deepcopy(self._ws.response_url_posts)

    def response_url_post_count(self) -> int:
        """How many POSTs the bot made to response URLs (cheap: for waiting on the next one)."""
        with self._ws.lock:
            return len(self._ws.response_url_posts)

    def last_response_url_post(self) -> dict[str, Any] | None:
        """The latest POST to a response URL, with its outcome."""
        with self._ws.lock:
            posts = self._ws.response_url_posts
            return copy.deepcopy(posts[-1]) if posts else None

    def views(self) -> list[dict[str, Any]]:
        """Opened, pushed and published views with ``user_id``/``trigger_id``/``method``."""
        with self._ws.lock:
            return [self._view_snapshot(v.id) for v in self._ws.views.values()]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view published for ``user_id``, or None."""
        with self._ws.lock:
            view = next((v for v in self._ws.views.values()
                         if v.type == "home" and v.user_id == user_id), None)
            return self._view_snapshot(view.id) if view else None

    def files(self) -> list[dict[str, Any]]:
        """Uploaded files with their bytes (None until the upload POST arrives)."""
        with self._ws.lock:
            return [f.snapshot() for f in self._ws.files.values()]

    def requests(self, method: str | None = None) -> list[dict[str, Any]]:
        """The Web API request log (method, args, time, http_status, ok, error)."""
        with self._ws.lock:
            return copy.deepcopy([r for r in self._ws.request_log
                                  if method in (None, r["method"])])

    def max_channel_rate(self, *, window: float = 1.0) -> float:
        """Peak chat.postMessage rate of any one channel, in messages per second.

        The largest number of successful posts to one channel within any half-open
        ``window``-second interval, divided by ``window``; pacing of one message per
        second per channel keeps this at or below 1.0.
        """
        if window <= 0:
            raise ValueError("window must be > 0")
        with self._ws.lock:
            return self._ws.max_channel_rate(window)

    def rate_limited(self) -> int:
        """How many calls were refused with 429 by the rate tiers so far."""
        with self._ws.lock:
            return self._ws.limiter.refused

    # -- fault injection ---------------------------------------------------------------

    def fail_next(self, method: str | None = None, *, status: int = 500, count: int = 1,
                  retry_after: int | None = None, error: str | None = None,
                  skip: int = 0) -> None:
        """Fail the next ``count`` calls of ``method`` (any method when None), after letting
        ``skip`` matching calls through.

        429 answers carry ``Retry-After`` (default 1 second); ``status=200`` with
        ``error`` answers ``{"ok": false, "error": error}``. Faults are served before
        authentication, like failures of Slack's edge. Only Web API calls fail: upload
        and response URLs are never faulted.
        """
        fault = build_fault(method=method, status=status, retry_after=retry_after, error=error)
        fault.skip = skip
        with self._ws.lock:
            self._ws.faults.add_counted(fault, count)

    def fail_for(self, seconds: float, *, status: int = 500, retry_after: int | None = None,
                 method: str | None = None, error: str | None = None) -> None:
        """Fail every call (of ``method``) for ``seconds`` from now, by the injected clock."""
        fault = build_fault(method=method, status=status, retry_after=retry_after, error=error)
        with self._ws.lock:
            self._ws.faults.add_timed(fault, start=self._ws.now(), seconds=seconds)

    def clear_faults(self) -> None:
        """Disarm all pending faults."""
        with self._ws.lock:
            self._ws.faults.clear()

    # -- helpers -----------------------------------------------------------------------

    def _channel(self, channel: str) -> Channel:
        """Resolve a channel id or name for the inspection API (KeyError if unknown)."""
        found = self._ws.channels.get(channel) or self._ws.channel_named(channel)
        if found is None:
            raise KeyError(f"no channel {channel!r}")
        return found

    def _view_snapshot(self, view_id: str) -> dict[str, Any]:
        view = self._ws.views[view_id]
        out = view.to_api(team_id=self._ws.team_id, app_id=self._ws.app_id,
                          bot_id=self._ws.bot_id)
        out.update(user_id=view.user_id, trigger_id=view.trigger_id,
                   trigger_issued=view.trigger_issued, method=view.method)
        return copy.deepcopy(out)
