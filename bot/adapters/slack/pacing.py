"""Client-side pacing: stay under Slack's rate limits instead of collecting 429s.

* :class:`Pacer` — per channel, for chat.postMessage: a burst of ``burst`` messages, then one
  per ``pace`` seconds.
* :class:`MethodBudget` — per Web API method, across all incidents: a token bucket refilled at
  the method's tier budget (``api_methods.API_METHODS``), so twenty incidents opening at once
  share Tier 2's twenty ``conversations.setTopic`` calls a minute instead of each burning them.
  A 429 empties the method's bucket until its ``Retry-After`` has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.adapters.slack.api_methods import API_METHODS


@dataclass
class Pacer:
    """Per-channel token bucket: ``burst`` messages at once, then one per ``pace`` seconds."""

    pace: float = 1.0
    burst: int = 1
    clock: Callable[[], float] = time.monotonic
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def wait_time(self, channel: str) -> float:
        tokens, _ = self._tokens(channel)
        return 0.0 if tokens >= 1 else (1 - tokens) * self.pace

    def take(self, channel: str) -> None:
        tokens, now = self._tokens(channel)
        self._state[channel] = (tokens - 1, now)

    def _tokens(self, channel: str) -> tuple[float, float]:
        now = self.clock()
        tokens, stamp = self._state.get(channel, (float(self.burst), now))
        if self.pace > 0:
            tokens = min(float(self.burst), tokens + (now - stamp) / self.pace)
        else:
            tokens = float(self.burst)
        return tokens, now


@dataclass
class MethodBudget:
    """Per-method token buckets; ``enabled=False`` (tests driving the emulator leniently)
    never waits.

    A bucket holds ``burst`` calls and refills at ``per_minute - burst`` a minute, so no
    60-second window ever sees more than the tier's ``per_minute`` calls.
    """

    enabled: bool = True
    burst: int = 3
    clock: Callable[[], float] = time.monotonic
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)
    _blocked_until: dict[str, float] = field(default_factory=dict)

    def wait_time(self, method: str) -> float:
        """Seconds until ``method`` may be called (0: now)."""
        rate = self._rate(method)
        if rate is None:
            return 0.0
        now = self.clock()
        blocked = self._blocked_until.get(method, 0.0) - now
        tokens, _ = self._tokens(method, rate, now)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
        return max(wait, blocked, 0.0)

    def take(self, method: str) -> None:
        rate = self._rate(method)
        if rate is None:
            return
        now = self.clock()
        tokens, _ = self._tokens(method, rate, now)
        self._state[method] = (tokens - 1, now)

    def rate_limited(self, method: str, retry_after: float) -> None:
        """Slack answered 429: no call of ``method`` until ``retry_after`` seconds from now."""
        if self.enabled:
            now = self.clock()
            self._blocked_until[method] = now + retry_after
            self._state[method] = (0.0, now + retry_after)

    def _rate(self, method: str) -> float | None:
        """Tokens per second, None when not limited."""
        spec = API_METHODS.get(method)
        if not self.enabled or spec is None or spec.per_minute is None:
            return None
        return max(1, spec.per_minute - self.burst) / 60.0

    def _tokens(self, method: str, rate: float, now: float) -> tuple[float, float]:
        tokens, stamp = self._state.get(method, (float(self.burst), now))
        return min(float(self.burst), tokens + max(0.0, now - stamp) * rate), now
