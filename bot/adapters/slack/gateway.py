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
from bot.adapters.slack import blocks
from bot.adapters.slack import messages
from bot.adapters.slack.escape import cut_plain
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
}
MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
#: Longest pacing wait the gateway sleeps through; longer ones requeue the effect.
MAX_SLEEP = 0.25
#: Effects that render current state when delivered: one waiting (paced, retried) never holds
#: back the later effects of its incident, since whichever update lands last shows the truth.
FLOATING_KINDS = frozenset({"update_card"})
#: Users in one conversations.invite call (Slack's maximum).
INVITE_BATCH = 1000
#: Topic and purpose length (Slack counts characters; 250 is its limit).
MAX_TOPIC = 250

__all__ = ["MAX_ATTEMPTS", "MethodBudget", "Pacer", "SlackGateway", "channel_name"]


class RetryLater(Exception):
    """Try again in ``delay`` seconds; counts as an attempt unless ``counted`` is False."""

    def __init__(self, delay: float, reason: str, *, counted: bool = True) -> None:
        super().__init__(reason)
        self.delay = delay
        self.counted = counted


def channel_name(number: int, title: str) -> str:
    """``inc-7-checkout-failing``: lowercase ``[a-z0-9_-]``, at most 80 characters."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", title.lower()).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)
    base = f"inc-{number}"
    return f"{base}-{slug}"[:80].rstrip("-_") if slug else base


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
            held: set[int | None] = set()
            pending = self.store.pending()
            # Of several card updates of one incident, only the last needs sending.
            last_update = {e.incident: e.id for e in pending if e.kind in FLOATING_KINDS}
            for effect in pending:
                if self.leader is not None and not self.leader.held():
                    break
                key = effect.incident
                if effect.kind in FLOATING_KINDS and last_update.get(key) != effect.id:
                    self.store.mark_sent(effect.id, self.clock())  # superseded
                    continue
                if key in held:
                    continue
                floating = effect.kind in FLOATING_KINDS
                if (effect.next_attempt_at > self.clock()
                        or self._not_before.get(effect.id, 0.0) > time.monotonic()):
                    if not floating:
                        held.add(key)
                    continue
                if self._deliver(effect):
                    delivered += 1
                elif key is not None and not floating:
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
            return fn(**kwargs)
        finally:
            self.budget.take(method)

    def _post(self, channel: str, **kwargs: Any) -> dict[str, Any]:
        wait = self.pacer.wait_time(channel)
        if wait > MAX_SLEEP:
            raise RetryLater(wait, f"pacing messages into {channel}", counted=False)
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

    def _step(self, effect: Effect, name: str) -> bool:
        """True when step ``name`` of a multi-call effect was done by an earlier attempt."""
        return bool(effect.payload.get("done", {}).get(name))

    def _done(self, effect: Effect, name: str, value: Any = True) -> None:
        effect.payload.setdefault("done", {})[name] = value
        self.store.save_payload(effect.id, effect.payload)

    # ------------------------------------------------------------------ effect kinds

    def _do_open_channel(self, effect: Effect) -> None:
        number = effect.incident
        assert number is not None
        place = self.store.place(number)
        if place is None:
            place = self._create_channel(effect, number)
        channel = place.channel_id
        if not self._step(effect, "topic"):
            self._call("conversations.setTopic", self.client.conversations_setTopic,
                       channel=channel, topic=cut_plain(effect.payload.get("topic", ""), MAX_TOPIC))
            self._done(effect, "topic")
        if not self._step(effect, "purpose"):
            self._call("conversations.setPurpose", self.client.conversations_setPurpose,
                       channel=channel,
                       purpose=cut_plain(effect.payload.get("purpose", ""), MAX_TOPIC))
            self._done(effect, "purpose")

    def _create_channel(self, effect: Effect, number: int) -> Any:
        base = effect.payload["name"]
        extra = {"is_private": True} if effect.payload.get("is_private") else {}
        name = base
        for suffix in range(2, 50):
            try:
                created = self._call("conversations.create", self.client.conversations_create,
                                     name=name, **extra)
                break
            except SlackApiError as exc:
                if exc.response.get("error") != "name_taken":
                    raise
                name = f"{base[: 80 - len(str(suffix)) - 1]}-{suffix}"
        else:
            raise RetryLater(60, f"no free channel name for {base}")
        channel = created["channel"]["id"]
        self.store.save_place(number, channel_id=channel, channel_name=name, now=self.clock())
        place = self.store.place(number)
        assert place is not None
        return place

    def _do_invite(self, effect: Effect) -> None:
        """One call per batch of up to 1,000 users; a retry resumes at the first batch not
        yet done. Users who cannot be invited are logged and skipped, never retried."""
        channel = self._channel(effect)
        users = list(effect.payload.get("users", []))
        start = int(effect.payload.get("done", {}).get("invited", 0))
        while start < len(users):
            batch = users[start:start + INVITE_BATCH]
            try:
                self._call("conversations.invite", self.client.conversations_invite,
                           channel=channel, users=",".join(batch), force=True)
            except SlackApiError as exc:
                errors = exc.response.get("errors") or []
                benign = {"already_in_channel", "cant_invite_self", "user_not_found",
                          "cant_invite", "user_is_restricted", "user_is_deactivated"}
                error = exc.response.get("error")
                if error not in benign or any(e.get("error") not in benign for e in errors):
                    raise
                for item in errors or [{"user": ",".join(batch), "error": error}]:
                    if item.get("error") not in ("already_in_channel", "cant_invite_self"):
                        log.warning("could not invite %s to %s: %s", item.get("user"), channel,
                                    item.get("error"))
            start += len(batch)
            self._done(effect, "invited", start)

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
        if place and place.card_ts:
            if not self._step(effect, "posted"):  # posted by another effect: keep it current
                self._call("chat.update", self.client.chat_update, channel=channel,
                           ts=place.card_ts, **self._render_card(number))
                self._done(effect, "posted")
            card_ts = place.card_ts
        else:
            card_ts = self._post(channel, **self._render_card(number))["ts"]
            self.store.set_message(number, card_ts=card_ts)
            self._done(effect, "posted")
        if self._step(effect, "pinned"):
            return
        try:
            self._call("pins.add", self.client.pins_add, channel=channel, timestamp=card_ts)
        except SlackApiError as exc:
            if exc.response.get("error") != "already_pinned":
                raise
        self._done(effect, "pinned")

    def _do_update_card(self, effect: Effect) -> None:
        number = effect.incident
        assert number is not None
        place = self.store.place(number)
        if place is None or not place.card_ts:
            raise RetryLater(1.0, "card not posted yet")
        self._call("chat.update", self.client.chat_update, channel=place.channel_id,
                   ts=place.card_ts, **self._render_card(number))

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
        history = self._call("conversations.history", self.client.conversations_history,
                             channel=channel, limit=200)
        for message in history.get("messages") or []:
            if any(b.get("block_id") == effect.payload["block_id"] for b in message.get("blocks") or []):
                self._call("chat.update", self.client.chat_update, channel=channel,
                           ts=message["ts"], text=effect.payload["text"],
                           blocks=effect.payload["blocks"])
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
        if wait > MAX_SLEEP:
            raise RetryLater(wait, f"pacing messages into {channel}", counted=False)
        if wait > 0:
            self.sleep(wait)
        try:
            self._call(
                "files.getUploadURLExternal", self.client.files_upload_v2,
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
