"""Slack's Web API rate limits, per workspace: method tiers and chat.postMessage per channel.

Slack publishes a tier for every method (https://api.slack.com/apis/rate-limits):

* Tier 1: 1+ per minute · Tier 2: 20+ per minute · Tier 3: 50+ per minute · Tier 4: 100+ per minute
* chat.postMessage ("special"): about one message per second per channel, short bursts allowed.

The emulator enforces the floor of each tier over a sliding 60-second window, answering HTTP 429
with ``Retry-After`` (whole seconds) like Slack. Time comes from the injected clock, so tests move
through minutes without waiting for them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Calls per minute of each tier (the documented floor).
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}

#: The documented tier of every method the emulator serves. chat.postMessage is "special":
#: it is limited per channel (see ``RateLimiter.post_rate``), not per workspace here.
METHOD_TIERS: dict[str, int] = {
    "auth.test": 4,
    "chat.update": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "chat.delete": 3,
    "conversations.create": 2,
    "conversations.invite": 3,
    "conversations.setTopic": 2,
    "conversations.setPurpose": 2,
    "conversations.info": 3,
    "conversations.members": 4,
    "conversations.join": 3,
    "conversations.list": 2,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.archive": 2,
    "conversations.open": 3,
    "bookmarks.add": 2,
    "bookmarks.list": 3,
    "pins.add": 2,
    "pins.remove": 2,
    "pins.list": 2,
    "reactions.add": 3,
    "users.info": 4,
    "users.list": 2,
    "users.lookupByEmail": 3,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
    "views.publish": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
    "files.info": 4,
    "apps.connections.open": 1,
}

WINDOW = 60.0


@dataclass
class RateLimiter:
    """Admits or refuses calls; not thread-safe on its own (the workspace lock guards it).

    ``post_rate`` messages per second per channel for chat.postMessage with a burst of
    ``post_burst``; ``tiers`` maps method → tier (methods not listed are not limited).
    """

    clock: Callable[[], float]
    enabled: bool = True
    tiers: Mapping[str, int] = field(default_factory=lambda: dict(METHOD_TIERS))
    post_rate: float = 1.0
    post_burst: int = 4
    _calls: dict[str, deque[float]] = field(default_factory=dict)
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    refused: int = 0

    def admit(self, method: str, args: Mapping[str, Any]) -> int | None:
        """Count the call and return None, or return the seconds to wait (``Retry-After``)."""
        if not self.enabled:
            return None
        now = self.clock()
        if method == "chat.postMessage":
            wait = self._post(str(args.get("channel") or ""), now)
        else:
            wait = self._tier(method, now)
        if wait is not None:
            self.refused += 1
        return wait

    def _tier(self, method: str, now: float) -> int | None:
        tier = self.tiers.get(method)
        if tier is None:
            return None
        calls = self._calls.setdefault(method, deque())
        while calls and calls[0] <= now - WINDOW:
            calls.popleft()
        if len(calls) >= TIER_PER_MINUTE[tier]:
            return max(1, math.ceil(calls[0] + WINDOW - now))
        calls.append(now)
        return None

    def _post(self, channel: str, now: float) -> int | None:
        tokens, stamp = self._buckets.get(channel, (float(self.post_burst), now))
        tokens = min(float(self.post_burst), tokens + (now - stamp) * self.post_rate)
        if tokens < 1:
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.post_rate))
        self._buckets[channel] = (tokens - 1, now)
        return None
