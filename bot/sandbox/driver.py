"""Plays the part of Slack towards crisisbot: signed HTTP requests shaped like Slack's.

Used by ``crisisbot demo``, the scenario tests and the benchmarks. Response URLs and trigger
ids come from the :class:`~bot.sandbox.emulator.SlackEmulator`, so whatever the bot answers
through them is recorded there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any, Callable
from urllib.parse import urlencode

import httpx

from bot.sandbox.emulator import SlackEmulator


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_command(*, secret: str, emulator: SlackEmulator, text: str, channel: str,
                   user: str = "ULEAD", team_id: str = "T0EMU",
                   now: float | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a signed ``/crisis <text>`` slash command, for clients that
    send it themselves (the async benchmarks)."""
    body = urlencode({
        "team_id": team_id, "channel_id": channel, "user_id": user, "command": "/crisis",
        "text": text, "trigger_id": emulator.new_trigger_id(),
        "response_url": emulator.new_response_url(channel=channel, user=user),
    }).encode()
    ts = str(int(time.time() if now is None else now))
    return body, {"Content-Type": "application/x-www-form-urlencoded",
                  "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(secret, ts, body)}


class SlackDriver:
    def __init__(
        self, *, bot_url: str, emulator: SlackEmulator, signing_secret: str,
        team_id: str = "T0EMU", clock: Callable[[], float] = time.time, timeout: float = 10.0,
    ) -> None:
        self.events_url = bot_url.rstrip("/") + "/slack/events"
        self.emulator = emulator
        self.secret = signing_secret
        self.team_id = team_id
        self.clock = clock
        self.http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self.http.close()

    # ------------------------------------------------------------------ raw

    def post(self, body: bytes, *, content_type: str, signed: bool = True,
             timestamp: str | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        ts = timestamp or str(int(self.clock()))
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers["X-Slack-Request-Timestamp"] = ts
            all_headers["X-Slack-Signature"] = sign(self.secret, ts, body)
        return self.http.post(self.events_url, content=body, headers=all_headers)

    def post_form(self, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.post(urlencode(fields).encode(),
                         content_type="application/x-www-form-urlencoded", **kwargs)

    def post_json(self, document: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.post(json.dumps(document).encode(), content_type="application/json", **kwargs)

    # ------------------------------------------------------------------ waiting

    def replied(self, action: Callable[[], httpx.Response], *, timeout: float = 10.0) -> httpx.Response:
        """Send with ``action`` and wait until the bot has answered through a response URL
        (bolt acks first and answers when the work is done)."""
        before = len(self.emulator.response_url_posts())
        response = action()
        if response.status_code == 200 and not response.content:
            if not self.emulator.wait_for(
                lambda: len(self.emulator.response_url_posts()) > before, timeout=timeout
            ):
                raise TimeoutError("the bot did not answer through the response URL")
        return response

    # ------------------------------------------------------------------ Slack-shaped

    def command(self, text: str, *, user: str, channel: str, **kwargs: Any) -> httpx.Response:
        """``/crisis <text>`` typed by ``user`` in ``channel`` (an id)."""
        return self.post_form({
            "token": "legacy", "team_id": self.team_id, "channel_id": channel,
            "channel_name": channel, "user_id": user, "user_name": user, "command": "/crisis",
            "text": text, "api_app_id": "A0CRISIS",
            "response_url": self.emulator.new_response_url(channel=channel, user=user),
            "trigger_id": self.emulator.new_trigger_id(),
        }, **kwargs)

    def click(self, *, action_id: str, value: str = "", user: str, channel: str,
              message_ts: str = "", block_id: str = "b", selected_user: str | None = None,
              **kwargs: Any) -> httpx.Response:
        action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "value": value,
                                  "type": "button", "action_ts": f"{self.clock():.6f}"}
        if selected_user:
            action.update(type="users_select", selected_user=selected_user)
            action.pop("value")
        payload = {
            "type": "block_actions", "team": {"id": self.team_id}, "user": {"id": user},
            "api_app_id": "A0CRISIS", "channel": {"id": channel},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "message": {"ts": message_ts}, "actions": [action],
            "response_url": self.emulator.new_response_url(
                channel=channel, user=user, message_ts=message_ts or None),
            "trigger_id": self.emulator.new_trigger_id(),
        }
        return self.post_form({"payload": json.dumps(payload)}, **kwargs)

    def submit_view(self, *, view: dict[str, Any], values: dict[str, Any], user: str,
                    **kwargs: Any) -> httpx.Response:
        payload = {
            "type": "view_submission", "team": {"id": self.team_id}, "user": {"id": user},
            "api_app_id": "A0CRISIS", "trigger_id": self.emulator.new_trigger_id(),
            "view": {"type": "modal", **view,
                     "id": view.get("id") or f"V{uuid.uuid4().hex[:8].upper()}",
                     "state": {"values": values}},
        }
        return self.post_form({"payload": json.dumps(payload)}, **kwargs)

    def shortcut(self, *, callback_id: str, user: str, channel: str, message: dict[str, Any],
                 **kwargs: Any) -> httpx.Response:
        payload = {
            "type": "message_action", "callback_id": callback_id, "team": {"id": self.team_id},
            "user": {"id": user}, "channel": {"id": channel}, "message": message,
            "message_ts": message.get("ts"), "api_app_id": "A0CRISIS",
            "response_url": self.emulator.new_response_url(channel=channel, user=user),
            "trigger_id": self.emulator.new_trigger_id(),
        }
        return self.post_form({"payload": json.dumps(payload)}, **kwargs)

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              retry_num: int | None = None, **kwargs: Any) -> httpx.Response:
        document = {
            "token": "legacy", "team_id": self.team_id, "api_app_id": "A0CRISIS",
            "type": "event_callback", "event": event,
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(self.clock()),
        }
        headers = dict(kwargs.pop("headers", {}) or {})
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
        return self.post_json(document, headers=headers, **kwargs)
