"""What each outbox effect kind does in Slack (a mixin of the gateway).

Each handler makes its calls through the gateway's ``_call`` (paced to the method's tier) or
``_post`` (paced per channel) and records finished steps with ``_done``, so a retry after a 429
or a crash resumes where the last attempt stopped.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.adapters.db.outbox import Effect
from bot.adapters.slack import blocks, messages
from bot.adapters.slack.escape import cut_plain

log = logging.getLogger("bot.adapters.slack.gateway")

#: Longest pacing wait the gateway sleeps through; longer ones requeue the effect.
MAX_SLEEP = 0.25
#: Users in one conversations.invite call (Slack's maximum).
INVITE_BATCH = 1000
#: Topic and purpose length (Slack counts characters; 250 is its limit).
MAX_TOPIC = 250
#: Invite errors about one user that retrying cannot fix: logged and skipped.
BENIGN_INVITE_ERRORS = frozenset({"already_in_channel", "cant_invite_self", "user_not_found",
                                  "cant_invite", "user_is_restricted", "user_is_deactivated"})


class RetryLater(Exception):
    """Try again in ``delay`` seconds; counts as an attempt unless ``counted`` is False."""

    def __init__(self, delay: float, reason: str, *, counted: bool = True) -> None:
        super().__init__(reason)
        self.delay = delay
        self.counted = counted



class EffectKinds:
    """``_do_<kind>`` for every effect kind; the gateway supplies the attributes used here."""

    client: Any
    store: Any
    incidents: Any
    catalog: Any
    pacer: Any
    postmortems: Any
    clock: Any
    sleep: Any

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
                benign = BENIGN_INVITE_ERRORS
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
        catalog = self.catalog.for_source(incident.source)  # a drill's clocks are compressed
        return blocks.incident_card(
            incident, playbook=catalog.playbook(incident.crisis_type),
            policy=catalog.policy, now=self.clock(),
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


