"""The Slack gateway: every Web API call that changes Slack goes through here.

Effects come from the outbox (written in the command's transaction) and are delivered after
commit, in the order they were recorded per incident. A Slack outage loses nothing: 429s wait
for ``Retry-After``, 5xx and network errors back off exponentially, and pending effects are
picked up again after a restart. Messages into one channel are paced (token bucket: a burst of
``burst`` then one per ``pace`` seconds). Cards and checklists are rendered when sent, from the
incident's current state, so a late delivery never shows stale data.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.db.leader import LeaderLock
from bot.adapters.db.outbox import Effect, OutboxStore
from bot.adapters.slack import blocks
from bot.adapters.slack import messages
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
}
MAX_ATTEMPTS = 12
MAX_BACKOFF = 300.0


class RetryLater(Exception):
    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay


def channel_name(number: int, title: str) -> str:
    """``inc-7-checkout-failing``: lowercase ``[a-z0-9_-]``, at most 80 characters."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", title.lower()).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)
    base = f"inc-{number}"
    return f"{base}-{slug}"[:80].rstrip("-_") if slug else base


@dataclass
class Pacer:
    """Per-channel token bucket: ``burst`` messages at once, then one per ``pace`` seconds."""

    pace: float = 1.0
    burst: int = 1
    clock: Callable[[], float] = time.monotonic
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def wait_time(self, channel: str) -> float:
        tokens, stamp = self._tokens(channel)
        return 0.0 if tokens >= 1 else (1 - tokens) * self.pace

    def take(self, channel: str) -> None:
        tokens, stamp = self._tokens(channel)
        self._state[channel] = (tokens - 1, stamp)

    def _tokens(self, channel: str) -> tuple[float, float]:
        now = self.clock()
        tokens, stamp = self._state.get(channel, (float(self.burst), now))
        if self.pace > 0:
            tokens = min(float(self.burst), tokens + (now - stamp) / self.pace)
        else:
            tokens = float(self.burst)
        return tokens, now


class SlackGateway:
    def __init__(
        self,
        *,
        store: OutboxStore,
        client: WebClient,
        incidents: IncidentService,
        catalog: Catalog,
        clock: Callable[[], datetime],
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        leader: LeaderLock | None = None,
        on_api_error: Callable[[str, str], None] | None = None,
        postmortems: PostmortemArchive | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.incidents = incidents
        self.catalog = catalog
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.sleep = sleep
        self.leader = leader
        self.on_api_error = on_api_error
        self.postmortems = postmortems
        self.wake = threading.Event()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ running

    def drain(self) -> int:
        """Deliver every effect that is due now; returns how many were delivered.

        Effects of one incident go strictly in order: one waiting for a retry holds back the
        ones recorded after it. With a ``leader`` lock, only the replica holding it delivers,
        and it checks it still does before each effect.
        """
        with self._lock:
            delivered = 0
            held: set[int | None] = set()
            for effect in self.store.pending():
                if self.leader is not None and not self.leader.held():
                    break
                key = effect.incident
                if key in held:
                    continue
                if effect.next_attempt_at > self.clock():
                    held.add(key)
                    continue
                if self._deliver(effect):
                    delivered += 1
                elif key is not None:
                    held.add(key)
            return delivered

    def run(self, stop: threading.Event, *, poll: float = 1.0) -> None:
        """Deliver until ``stop`` is set; woken early by ``wake`` after each commit."""
        while not stop.is_set():
            try:
                self.drain()
            except Exception:  # noqa: BLE001 - the dispatcher must survive a database outage
                log.exception("outbox drain failed; retrying")
            self.wake.wait(timeout=poll)
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
            return self._deliver_now(effect)

    def _deliver_now(self, effect: Effect) -> bool:
        attempts = effect.attempts + 1
        try:
            handler = getattr(self, f"_do_{effect.kind}")
            handler(effect)
        except RetryLater as exc:
            self._retry(effect, attempts, exc.delay, str(exc))
            return False
        except SlackApiError as exc:
            error = str(exc.response.get("error", "")) if exc.response is not None else ""
            status = exc.response.status_code if exc.response is not None else 0
            if self.on_api_error is not None:
                self.on_api_error(_api_method(exc), error or str(status))
            if status == 429:
                retry_after = float(exc.response.headers.get("Retry-After", "1") or 1)
                self._retry(effect, attempts, retry_after, f"429 rate limited ({effect.kind})")
                return False
            if error in PERMANENT_ERRORS or attempts >= MAX_ATTEMPTS:
                log.error("effect %s (%s) failed: %s", effect.id, effect.kind, error or status)
                self.store.mark_failed(effect.id, attempts=attempts, error=error or str(status))
                return False
            self._retry(effect, attempts, _backoff(attempts), f"{status} {error}")
            return False
        except (OSError, TimeoutError, ValueError) as exc:  # network trouble, garbled responses
            self._retry(effect, attempts, _backoff(attempts), f"network: {exc}")
            return False
        self.store.mark_sent(effect.id, self.clock())
        return True

    def _retry(self, effect: Effect, attempts: int, delay: float, reason: str) -> None:
        log.warning("effect %s (%s) retry in %.1fs: %s", effect.id, effect.kind, delay, reason)
        self.store.mark_retry(
            effect.id, attempts=attempts, at=self.clock() + timedelta(seconds=delay), error=reason
        )

    def _post(self, channel: str, **kwargs: Any) -> dict[str, Any]:
        wait = self.pacer.wait_time(channel)
        if wait > 0:
            self.sleep(wait)
        try:
            return self.client.chat_postMessage(channel=channel, **kwargs).data  # type: ignore[return-value]
        finally:
            # Counted when Slack has answered, so network jitter can never squeeze two
            # messages into one pacing interval.
            self.pacer.take(channel)

    def _channel(self, effect: Effect) -> str:
        place = self.store.place(effect.incident) if effect.incident is not None else None
        if place is None:
            raise RetryLater(1.0, f"incident {effect.incident} has no channel yet")
        return place.channel_id

    # ------------------------------------------------------------------ effect kinds

    def _do_open_channel(self, effect: Effect) -> None:
        number = effect.incident
        assert number is not None
        if self.store.place(number) is not None:
            return  # already opened by an earlier delivery of this effect
        base = effect.payload["name"]
        name = base
        # A confidential incident gets a private channel (groups:write).
        private = bool(effect.payload.get("is_private"))
        for suffix in range(2, 50):
            try:
                created = self.client.conversations_create(name=name, is_private=private)
                break
            except SlackApiError as exc:
                if exc.response.get("error") != "name_taken":
                    raise
                name = f"{base[: 80 - len(str(suffix)) - 1]}-{suffix}"
        else:
            raise RetryLater(60, f"no free channel name for {base}")
        channel = created["channel"]["id"]
        self.store.save_place(number, channel_id=channel, channel_name=name, now=self.clock())
        self.client.conversations_setTopic(channel=channel, topic=effect.payload.get("topic", "")[:250])
        self.client.conversations_setPurpose(channel=channel, purpose=effect.payload.get("purpose", "")[:250])

    def _do_invite(self, effect: Effect) -> None:
        channel = self._channel(effect)
        for user in effect.payload.get("users", []):
            try:
                self.client.conversations_invite(channel=channel, users=user)
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error in ("already_in_channel", "cant_invite_self"):
                    continue
                if error in ("user_not_found", "cant_invite", "user_is_restricted"):
                    log.warning("could not invite %s to %s: %s", user, channel, error)
                    continue
                raise

    def _render_card(self, number: int) -> dict[str, Any]:
        incident = self.incidents.get(number)
        return blocks.incident_card(
            incident, playbook=self.catalog.playbook(incident.crisis_type),
            policy=self.catalog.policy, now=self.clock(),
        )

    def _do_post_card(self, effect: Effect) -> None:
        number = effect.incident
        assert number is not None
        channel = self._channel(effect)
        place = self.store.place(number)
        card = self._render_card(number)
        if place and place.card_ts:
            self.client.chat_update(channel=channel, ts=place.card_ts, **card)
            return
        posted = self._post(channel, **card)
        self.store.set_message(number, card_ts=posted["ts"])
        try:
            self.client.pins_add(channel=channel, timestamp=posted["ts"])
        except SlackApiError as exc:
            if exc.response.get("error") != "already_pinned":
                raise

    def _do_update_card(self, effect: Effect) -> None:
        number = effect.incident
        assert number is not None
        place = self.store.place(number)
        if place is None or not place.card_ts:
            raise RetryLater(1.0, "card not posted yet")
        self.client.chat_update(channel=place.channel_id, ts=place.card_ts, **self._render_card(number))

    def _do_post_checklist(self, effect: Effect) -> None:
        number = effect.incident
        assert number is not None
        channel = self._channel(effect)
        incident = self.incidents.get(number)
        posted = self._post(channel, **blocks.stage_checklist(incident, now=self.clock()))
        self.store.set_message(number, checklist_ts=posted["ts"])

    def _do_post_message(self, effect: Effect) -> None:
        channel = effect.payload.get("channel") or self._channel(effect)
        self._post(channel, text=effect.payload["text"],
                   **({"blocks": effect.payload["blocks"]} if effect.payload.get("blocks") else {}))

    def _do_announce(self, effect: Effect) -> None:
        place = self.store.place(effect.incident) if effect.incident is not None else None
        text = effect.payload["text"]
        if place is not None:
            text += f" → <#{place.channel_id}>"
        self._post(effect.payload["channel"], text=text)

    def _do_update_statement_card(self, effect: Effect) -> None:
        """Refresh a statement card after a review step: the card is the recent message whose
        actions block has ``block_id``; none found (scrolled away, already published) is fine."""
        channel = self._channel(effect)
        history = self.client.conversations_history(channel=channel, limit=200)
        for message in history.get("messages") or []:
            if any(b.get("block_id") == effect.payload["block_id"] for b in message.get("blocks") or []):
                self.client.chat_update(channel=channel, ts=message["ts"],
                                        text=effect.payload["text"], blocks=effect.payload["blocks"])
                return


    def _do_upload_postmortem(self, effect: Effect) -> None:
        """The summary message with the report attached as Markdown and HTML files
        (``files.getUploadURLExternal`` → upload → ``files.completeUploadExternal``)."""
        number = effect.incident
        assert number is not None
        channel = self._channel(effect)
        stored = self.postmortems.get(number, int(effect.payload["version"])) if self.postmortems else None
        if stored is None:
            raise ValueError(f"post-mortem v{effect.payload.get('version')} of incident {number} "
                             "is not stored")
        incident = self.incidents.get(number)
        comment = messages.postmortem_summary(
            incident_label=stored.incident_label, title=incident.title, version=stored.version,
            lines=list(stored.rendered.summary))
        wait = self.pacer.wait_time(channel)
        if wait > 0:
            self.sleep(wait)
        try:
            self.client.files_upload_v2(
                channel=channel, initial_comment=comment,
                file_uploads=[
                    {"content": stored.rendered.markdown, "filename": stored.filename("md"),
                     "title": f"{stored.incident_label} post-mortem v{stored.version} (Markdown)"},
                    {"content": stored.rendered.html, "filename": stored.filename("html"),
                     "title": f"{stored.incident_label} post-mortem v{stored.version} (HTML)"},
                ],
            )
        finally:
            self.pacer.take(channel)


def _api_method(exc: SlackApiError) -> str:
    """``chat.postMessage`` from the failed response's URL (``unknown`` if it has none)."""
    url = getattr(exc.response, "api_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or "unknown"


def _backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0 ** (attempts - 1))
