"""Grafana's webhook HMAC, as Grafana sends it: HMAC-SHA256 with the shared secret, hex-encoded
with no prefix, in a configurable header (default ``X-Grafana-Alerting-Signature``). When a
timestamp header is configured in Grafana, Grafana puts a Unix timestamp there and signs
``<timestamp>:<body>``; the timestamp must then be within ``max_skew`` of now.

Kept apart from crisisbot's own ``X-Crisisbot-Signature`` check so each can change alone.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.adapters.monitors.config import GrafanaHmac


def grafana_signature(secret: str, body: bytes, *, timestamp: str = "") -> str:
    """The hex signature Grafana would send for ``body`` (and ``timestamp``, when set)."""
    message = f"{timestamp}:".encode() + body if timestamp else body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def grafana_signed(
    secret: str, body: bytes, headers: Mapping[str, str], *, config: GrafanaHmac, now: datetime,
) -> bool:
    """True when the request carries a valid Grafana signature (an absent one is not valid)."""
    sent = headers.get(config.header.lower(), "").strip().lower()
    if not sent:
        return False
    stamp = ""
    if config.timestamp_header:
        stamp = headers.get(config.timestamp_header.lower(), "").strip()
        if not stamp.isdigit():
            return False
        try:
            signed_at = datetime.fromtimestamp(int(stamp), tz=now.tzinfo)
        except (OverflowError, OSError, ValueError):
            return False
        if abs(now - signed_at) > max(config.max_skew, timedelta(0)):
            return False
    expected = grafana_signature(secret, body, timestamp=stamp)
    return hmac.compare_digest(expected.encode(), sent.encode())
