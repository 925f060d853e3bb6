"""The Slack gateway: every Web API call that changes Slack goes through here.

Effects come from the outbox (written in the command's transaction) and are delivered after
commit, in the order they were recorded per incident; one incident's waiting effect never holds
back another incident's. A Slack outage loses nothing: 429s wait for ``Retry-After``, 5xx and
network errors back off exponentially, and pending effects are picked up again after a restart.
Every effect gives up after ``MAX_ATTEMPTS`` tries: it is then a dead letter, counted in a
metric, announced in the incident channel and listed by ``crisisbot outbox --failed``.

Calls are paced so Slack's limits are met rather than hit: messages per channel
(:class:`~bot.adapters.slack.pacing.Pacer`) and every method to its tier across all incidents
(:class:`~bot.adapters.slack.pacing.MethodBudget`); a wait longer than ``MAX_SLEEP`` puts the
effect back in the queue instead of blocking the other incidents. Effects of several calls
(open the channel, set topic and purpose; post the card, pin it; invite in batches) record
their progress, so a retry resumes where the last attempt stopped. Cards and checklists are
rendered when sent, from the incident's current state, so a late delivery never shows stale data.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import datetime, timedelta
from typing import Any, Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.db.leader import LeaderLock
from bot.adapters.db.outbox import Effect, OutboxStore
from bot.adapters.drills.effects import DrillEffectKinds
from bot.adapters.slack import messages
from bot.adapters.slack.gateway_effects import MAX_SLEEP, EffectKinds, RetryLater
from bot.adapters.slack.pacing import MethodBudget, Pacer
from bot.domain.playbook import Catalog
from bot.logs import log_context
from bot.services import IncidentService
from bot.services.postmortems import PostmortemArchive

log = logging.getLogger(__name__)

#: Slack errors that will not go away by retrying.
PERMANENT_ERRORS = {
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "msg_too_long",
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "missing_scope",
    "restricted_action", "message_not_found", "cant_update_message", "invalid_arguments",
    "msg_blocks_too_long", "too_many_users", "not_allowed_token_type",
}
MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
#: Effects that render current state when delivered: one waiting (paced, retried) never holds
#: back the later effects of its incident, since whichever update lands last shows the truth.
FLOATING_KINDS = frozenset({"update_card"})
#: Seconds between the starts of two drains: a burst of commands commits a hundred times a
#: second, and one drain delivers what all of them recorded.
DRAIN_GAP = 0.02

__all__ = ["MAX_ATTEMPTS", "MethodBudget", "Pacer", "SlackGateway", "channel_name"]


def channel_name(number: int, title: str) -> str:
    """``inc-7-checkout-failing``: lowercase ``[a-z0-9_-]``, at most 80 characters."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", title.lower()).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)
    base = f"inc-{number}"
    return f"{base}-{slug}"[:80].rstrip("-_") if slug else base


class SlackGateway(EffectKinds, DrillEffectKinds):
    def __init__(
        self,
        *,
        store: OutboxStore,
        client: WebClient,
        incidents: IncidentService,
        catalog: Catalog,
        clock: Callable[[], datetime],
        pacer: Pacer | None = None,
        budget: MethodBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
        leader: LeaderLock | None = None,
        on_api_error: Callable[[str, str], None] | None = None,
        on_dead_letter: Callable[[str], None] | None = None,
        postmortems: PostmortemArchive | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.incidents = incidents
        self.catalog = catalog
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.budget = budget or MethodBudget()
        self.sleep = sleep
        self.leader = leader
        self.on_api_error = on_api_error
        self.on_dead_letter = on_dead_letter
        self.postmortems = postmortems
        self.wake = threading.Event()
        self._lock = threading.Lock()
        # Effects waiting for their pacing turn: effect id → monotonic time. Kept in memory
        # and on the monotonic clock (not the outbox's ``next_attempt_at``), so pacing works
        # the same under a test clock and is not an attempt.
        self._not_before: dict[int, float] = {}

    # ------------------------------------------------------------------ running

    def drain(self) -> int:
        """Deliver every effect that is due now; returns how many were delivered.

        Effects of one incident go strictly in order: one waiting for a retry holds back the
        ones recorded after it, never another incident's. With a ``leader`` lock, only the
        replica holding it delivers, and it checks it still does before each effect.
        """
        with self._lock:
            delivered = 0
            while True:  # a pass delivers at most the oldest effect of each incident
                held: set[int | None] = set()  # their oldest effect is not due, or failed
                advanced: set[int | None] = set()  # their oldest effect was delivered
                heads, superseded = self.store.heads(FLOATING_KINDS)
                if superseded and (self.leader is None or self.leader.held()):
                    self.store.close_superseded(superseded, FLOATING_KINDS, self.clock())
                for effect in heads:
                    if self.leader is not None and not self.leader.held():
                        return delivered
                    key = effect.incident
                    floating = effect.kind in FLOATING_KINDS
                    if key in held or (floating and key in advanced):
                        continue  # a card update waits for the effects recorded before it
                    if (effect.next_attempt_at > self.clock()
                            or self._not_before.get(effect.id, 0.0) > time.monotonic()):
                        if not floating:
                            held.add(key)
                        continue
                    loaded = self.store.load(effect)
                    if loaded is None:
                        continue  # delivered or given up meanwhile
                    if self._deliver(loaded):
                        delivered += 1
                        if not floating:
                            advanced.add(key)
                    elif key is not None and not floating:
                        held.add(key)
                if not advanced:
                    return delivered

    def run(self, stop: threading.Event, *, poll: float = 1.0, gap: float = DRAIN_GAP) -> None:
        """Deliver until ``stop`` is set; woken early by ``wake`` after each commit, at most
        once every ``gap`` seconds (the commits in between are delivered together)."""
        while not stop.is_set():
            began = time.monotonic()
            try:
                self.drain()
            except Exception:  # noqa: BLE001 - the dispatcher must survive a database outage
                log.exception("outbox drain failed; retrying")
            self.wake.wait(timeout=poll)
            stop.wait(began + gap - time.monotonic())
            self.wake.clear()
        if self.leader is not None:
            self.leader.release()

    def start(self) -> tuple[threading.Thread, threading.Event]:
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), name="slack-gateway", daemon=True)
        thread.start()
        return thread, stop

    # ------------------------------------------------------------------ delivery

    def _deliver(self, effect: Effect) -> bool:
        incident = f"INC-{effect.incident}" if effect.incident is not None else None
        with log_context(incident=incident, effect=effect.id):
            self._drill_now = self._is_drill(effect.incident)  # every message of a drill is marked
            return self._deliver_now(effect)

    def _deliver_now(self, effect: Effect) -> bool:
        attempts = effect.attempts + 1
        try:
            handler = getattr(self, f"_do_{effect.kind}")
            handler(effect)
        except RetryLater as exc:
            if not exc.counted:
                log.debug("effect %s (%s) waits %.1fs: %s", effect.id, effect.kind, exc.delay, exc)
                self._not_before[effect.id] = time.monotonic() + exc.delay
            elif attempts >= MAX_ATTEMPTS:
                self._give_up(effect, attempts, str(exc))
            else:
                self._retry(effect, attempts, exc.delay, str(exc))
            return False
        except SlackApiError as exc:
            error = str(exc.response.get("error", "")) if exc.response is not None else ""
            status = exc.response.status_code if exc.response is not None else 0
            if self.on_api_error is not None:
                self.on_api_error(_api_method(exc), error or str(status))
            if error in PERMANENT_ERRORS or attempts >= MAX_ATTEMPTS:
                self._give_up(effect, attempts, error or str(status))
                return False
            if status == 429:
                retry_after = float(exc.response.headers.get("Retry-After", "1") or 1)
                self.budget.rate_limited(_api_method(exc), retry_after)
                self._retry(effect, attempts, retry_after, f"429 rate limited ({effect.kind})")
                return False
            self._retry(effect, attempts, _backoff(attempts), f"{status} {error}")
            return False
        except (OSError, TimeoutError, ValueError) as exc:  # network trouble, garbled responses
            if attempts >= MAX_ATTEMPTS:
                self._give_up(effect, attempts, f"network: {exc}")
            else:
                self._retry(effect, attempts, _backoff(attempts), f"network: {exc}")
            return False
        self.store.mark_sent(effect.id, self.clock())
        self._not_before.pop(effect.id, None)
        return True

    def _retry(self, effect: Effect, attempts: int, delay: float, reason: str) -> None:
        log.warning("effect %s (%s) retry in %.1fs: %s", effect.id, effect.kind, delay, reason)
        self.store.mark_retry(
            effect.id, attempts=attempts, at=self.clock() + timedelta(seconds=delay), error=reason
        )

    def _give_up(self, effect: Effect, attempts: int, error: str) -> None:
        """A dead letter: marked failed, counted, and said in the incident channel."""
        log.error("effect %s (%s) failed after %d attempts: %s", effect.id, effect.kind,
                  attempts, error)
        self.store.mark_failed(effect.id, attempts=attempts, error=error)
        self._not_before.pop(effect.id, None)
        if self.on_dead_letter is not None:
            self.on_dead_letter(effect.kind)
        if effect.incident is None or effect.payload.get("dead_letter_notice"):
            return  # nowhere to say it, or the notice itself failed: no loop
        if self.store.place(effect.incident) is None:
            return
        self.store.add(
            "post_message", {"text": messages.effect_failed(
                kind=effect.kind, attempts=attempts, error=error, effect_id=effect.id),
                "dead_letter_notice": True},
            incident=effect.incident, at=self.clock(), dedupe_key=f"dead-letter:{effect.id}",
        )

    def _call(self, method: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Call ``fn`` once ``method``'s budget allows; a long wait requeues the effect."""
        wait = self.budget.wait_time(method)
        if wait > MAX_SLEEP:
            raise RetryLater(wait, f"pacing {method}", counted=False)
        if wait > 0:
            self.sleep(wait)
        try:
            return fn(**self._drill_marked(method, kwargs))
        finally:
            self.budget.take(method)

    def _post(self, channel: str, **kwargs: Any) -> dict[str, Any]:
        wait = self.pacer.wait_time(channel)
        if wait > MAX_SLEEP:
            raise RetryLater(wait, f"pacing messages into {channel}", counted=False)
        if wait > 0:
            self.sleep(wait)
        try:
            return self.client.chat_postMessage(
                channel=channel, **self._drill_marked("chat.postMessage", kwargs)).data  # type: ignore[return-value]
        finally:
            # Counted when Slack has answered, so network jitter can never squeeze two
            # messages into one pacing interval.
            self.pacer.take(channel)

    def _channel(self, effect: Effect) -> str:
        place = self.store.place(effect.incident) if effect.incident is not None else None
        if place is None:
            raise RetryLater(1.0, f"incident {effect.incident} has no channel yet")
        return place.channel_id

    def _step(self, effect: Effect, name: str) -> bool:
        """True when step ``name`` of a multi-call effect was done by an earlier attempt."""
        return bool(effect.payload.get("done", {}).get(name))

    def _done(self, effect: Effect, name: str, value: Any = True) -> None:
        effect.payload.setdefault("done", {})[name] = value
        self.store.save_payload(effect.id, effect.payload)


def _api_method(exc: SlackApiError) -> str:
    """``chat.postMessage`` from the failed response's URL (``unknown`` if it has none)."""
    url = getattr(exc.response, "api_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or "unknown"


def _backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0 ** (attempts - 1))
