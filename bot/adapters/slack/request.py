"""The request object handed to bolt, with one parsing fix.

bolt 1.x decides a form body is an interactivity payload when the body merely *contains* the
letters "payload" — so `/crisis note the payload service is down` (or any text, user name or
channel name with that word) reached no listener and Slack showed the user an error. Here a
form body without a ``payload`` field is always read as plain form fields, as Slack sends
slash commands.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context


class SlackRequest(AsyncBoltRequest):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.mode != "http" or self.body or not self.raw_body:
            return
        if self.content_type == "application/json" or self.raw_body.startswith("{"):
            return
        fields = dict(parse_qsl(self.raw_body, keep_blank_values=True))
        if fields and "payload" not in fields:
            self.body = fields
            self.context = build_async_context(AsyncBoltContext({}), self.body)
