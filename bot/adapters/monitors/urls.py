"""Source addresses as they may be shown."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def public_url(url: str) -> str:
    """``url`` without credentials, query or fragment, for logs, alerts and Slack: sources
    that need an API key carry it in the URL, and it must not travel further."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
