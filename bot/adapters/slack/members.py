"""Who is in an incident's Slack channel: the membership the permission table asks about.

Source of truth, in order:

1. the request itself: a command, button, shortcut or reaction that Slack (signed) says came
   from the incident's own channel was made by someone in it;
2. otherwise ``conversations.members`` of the incident channel (``groups:read`` covers private
   channels), cached for ``ttl`` seconds per channel so an outsider cannot turn commands into a
   stream of Web API calls. Slack's ``member_joined_channel`` / ``member_left_channel`` events
   drop a channel's cached list at once (:meth:`ChannelMembers.forget`).

When Slack cannot answer, nobody counts as a member (fail closed): people holding a role in the
incident, and roster executives, are unaffected; others can act from inside the channel.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient

from bot.adapters.db.outbox import OutboxStore

log = logging.getLogger(__name__)


class ChannelMembers:
    def __init__(self, *, client: WebClient, store: OutboxStore, ttl: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def channel_of(self, number: int) -> str | None:
        place = self.store.place(number)
        return place.channel_id if place else None

    def in_channel(self, number: int, user: str, *, from_channel: str | None) -> bool:
        """Is ``user`` in incident ``number``'s channel? ``from_channel``: where the request came from."""
        channel = self.channel_of(number)
        if channel is None:
            return False
        if from_channel and from_channel == channel:
            return True
        return user in self.members(channel)

    def forget(self, channel: str) -> None:
        """Someone joined or left ``channel``: read its members afresh next time."""
        with self._lock:
            self._cache.pop(channel, None)

    def members(self, channel: str) -> frozenset[str]:
        now = self.clock()
        with self._lock:
            cached = self._cache.get(channel)
            if cached and now - cached[0] < self.ttl:
                return cached[1]
        found: set[str] = set()
        try:
            cursor = None
            for _ in range(50):  # 50 pages of 200: far beyond any crisis room
                page = self.client.conversations_members(channel=channel, limit=200,
                                                         **({"cursor": cursor} if cursor else {}))
                found.update(page.get("members") or [])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except Exception as exc:  # noqa: BLE001 - fail closed, say why
            log.warning("cannot read members of %s: %s", channel, exc.__class__.__name__)
            return frozenset()
        members = frozenset(found)
        with self._lock:
            self._cache[channel] = (now, members)
        return members
