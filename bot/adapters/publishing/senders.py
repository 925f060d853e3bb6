"""Senders of the two targets that are not HTTP/SMTP vendors.

* ``site``: the dark site reads published statements from the timeline, so the delivery is
  live as soon as it is recorded; the sender only confirms it.
* ``slack``: the text goes through the Slack outbox and gateway like every Web API call
  (paced, retried); "sent" here means handed to the gateway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.adapters.outbound.vendors import DeliveryFailed


def send_site(channel: Any, message: dict[str, Any], **_: Any) -> None:
    if not message.get("site"):
        raise DeliveryFailed("not a dark-site delivery", retry=False)


def slack_sender(add_effect: Callable[..., None], clock: Callable[[], datetime]) -> Callable[..., None]:
    def send_slack(channel: Any, message: dict[str, Any], **_: Any) -> None:
        target = str(message.get("channel") or "")
        if not target:
            raise DeliveryFailed("no Slack channel named", retry=False)
        # A retry after a crash between handing over and recording adds nothing twice.
        key = hashlib.sha256(f"{target}\n{message['text']}".encode()).hexdigest()[:40]
        add_effect("post_message", {"channel": target, "text": message["text"]}, at=clock(),
                   dedupe_key=f"publish-slack:{key}")
    return send_slack
