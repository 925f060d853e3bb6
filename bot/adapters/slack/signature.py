"""Slack request signatures, checked on the raw bytes before anything parses the body.

Slack signs ``v0:<timestamp>:<body>`` with the app's signing secret (HMAC-SHA256) and sends
``X-Slack-Request-Timestamp`` and ``X-Slack-Signature: v0=<64 hex>``. Headers are checked
for shape first, so an unsigned or garbled request is refused before its body is read.
"""

from __future__ import annotations

import hashlib
import hmac
import re

#: Slack's replay window: a request older (or newer) than this is refused.
WINDOW_SECONDS = 5 * 60

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class BadSignature(Exception):
    """Why a request is refused (401); the message is safe to show the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_headers(*, timestamp: str | None, signature: str | None, now: float) -> None:
    """Raise :class:`BadSignature` unless both headers are well formed and the timestamp is
    within the window (done before the body is read)."""
    if not timestamp or not signature:
        raise BadSignature("missing X-Slack-Request-Timestamp or X-Slack-Signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise BadSignature("X-Slack-Request-Timestamp is not a Unix time")
    if not _SIGNATURE.fullmatch(signature):
        raise BadSignature("X-Slack-Signature is not v0=<hex digest>")
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        raise BadSignature("X-Slack-Request-Timestamp is outside the 5-minute window")


def check_body(*, secret: str, timestamp: str, signature: str, body: bytes) -> None:
    """Raise :class:`BadSignature` unless ``signature`` signs ``body`` (constant-time)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise BadSignature("X-Slack-Signature does not match the body")


def request_key(*, timestamp: str, signature: str) -> str:
    """An idempotency key for one signed request: a replay of it (same timestamp, same body,
    hence same signature) gets the same key, so it has one effect."""
    return "slack:" + hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()[:40]
