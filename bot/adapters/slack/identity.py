"""Who the bot is in Slack, learned once by ``auth.test`` in the background at start-up.

Requests never wait for it: bolt's ``authorize`` answers from the configured token and
whatever this holds (the ids stay None until the check succeeds, which only matters for
ignoring the bot's own events). A failed check is logged and shown on ``/healthz``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_sdk import WebClient

log = logging.getLogger(__name__)


class SlackIdentity:
    def __init__(self, *, client: WebClient) -> None:
        self.client = client
        self.bot_user_id: str | None = None
        self.bot_id: str | None = None
        self.team_id: str | None = None
        self.error: str | None = None
        self.checked = threading.Event()

    def check(self) -> None:
        """Call auth.test once; remember the ids, or the error."""
        try:
            found = self.client.auth_test()
            self.bot_user_id, self.bot_id = found.get("user_id"), found.get("bot_id")
            self.team_id, self.error = found.get("team_id"), None
        except Exception as exc:  # noqa: BLE001 - any failure is reported, none is fatal
            error = getattr(getattr(exc, "response", None), "data", None)
            self.error = (error.get("error") if isinstance(error, dict) else None) or \
                exc.__class__.__name__
            log.warning("Slack auth.test failed: %s (commands are still answered)", self.error)
        finally:
            self.checked.set()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.check, name="slack-auth-test", daemon=True)
        thread.start()
        return thread

    def status(self) -> dict[str, Any]:
        """For ``/healthz``: ``pending``, ``ok`` with the bot's ids, or ``failed`` with why."""
        if not self.checked.is_set():
            return {"auth_test": "pending"}
        if self.error is not None:
            return {"auth_test": "failed", "error": self.error}
        return {"auth_test": "ok", "bot_user_id": self.bot_user_id, "team_id": self.team_id}
