"""Answers posted to a slash command's ``response_url``, from the worker threads.

Every ``/crisis`` command ends with one such POST, so its cost is paid per command: measured
on the ack benchmark's closed loop, httpx's client layer (URL model, cookie jar, auth and
redirect hooks) cost about 1 ms of CPU per answer on top of the HTTP exchange itself, an
eighth of all the CPU a command used. The answers therefore go through httpcore, the
connection pool underneath httpx, directly: the same connections, TLS verification, timeouts
and keep-alive expiry, without that layer. When the environment names a proxy (``HTTPS_PROXY``
and the like), the full httpx client is used instead, which honours it and ``NO_PROXY`` as
every other outbound call does.

Redirects are not followed (a 3xx is returned to the caller, which leaves the command to the
inbox sweeper), as with httpx's default.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable
from typing import Any

import httpcore
import httpx

#: Seconds for each of connect, write, read and waiting for a pooled connection.
TIMEOUT = 10.0
MAX_CONNECTIONS = 32
MAX_KEEPALIVE = 16
#: Seconds an idle kept-alive connection is reused for (httpx's default): one a NAT or firewall
#: dropped silently would otherwise hang an answer until the read timeout.
KEEPALIVE_EXPIRY = 5.0

_EXTENSIONS = {"timeout": {"connect": TIMEOUT, "read": TIMEOUT, "write": TIMEOUT, "pool": TIMEOUT}}
_HEADERS = [(b"Content-Type", b"application/json")]
#: A kept-alive connection the other end had closed: worth one more try on a fresh one.
_STALE = (httpcore.RemoteProtocolError, httpcore.ConnectError,
          httpx.RemoteProtocolError, httpx.ConnectError)


class ResponseUrlPoster:
    """One pool of kept-alive connections for every answer (thread-safe): a burst answers
    hundreds of commands a second, and a reused connection to Slack saves a TCP and TLS
    handshake each."""

    def __init__(self) -> None:
        self.client: httpx.Client | None = None
        self.pool: httpcore.ConnectionPool | None = None
        if urllib.request.getproxies():
            self.client = httpx.Client(timeout=TIMEOUT, limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_KEEPALIVE,
                keepalive_expiry=KEEPALIVE_EXPIRY))
        else:
            self.pool = httpcore.ConnectionPool(max_connections=MAX_CONNECTIONS,
                                                max_keepalive_connections=MAX_KEEPALIVE,
                                                keepalive_expiry=KEEPALIVE_EXPIRY)

    def post(self, url: str, body: dict[str, Any]) -> int:
        """POST ``body`` as JSON; returns the HTTP status."""
        try:
            return self._post(url, body)
        except _STALE:
            return self._post(url, body)

    def _post(self, url: str, body: dict[str, Any]) -> int:
        if self.client is not None:
            return self.client.post(url, json=body).status_code
        assert self.pool is not None
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self.pool.request("POST", url, headers=_HEADERS, content=content,
                                 extensions=_EXTENSIONS).status

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.pool is not None:
            self.pool.close()


_poster: ResponseUrlPoster | None = None
_poster_lock = threading.Lock()


def post_to_response_url(url: str, body: dict[str, Any]) -> int:
    """POST an answer to a slash command's response_url; returns the HTTP status."""
    global _poster
    if _poster is None:
        with _poster_lock:
            if _poster is None:
                _poster = ResponseUrlPoster()  # made on first use, after the settings are read
    return _poster.post(url, body)


class AnswerBatch:
    """The answers of commands run together, each posted by its own job: the job that ends
    last marks every command whose answer went out as done, in one write (``finish(keys)``),
    instead of one write per command."""

    def __init__(self, size: int, finish: Callable[[list[str]], None]) -> None:
        self._left = size
        self._answered: list[str] = []
        self._finish = finish
        self._lock = threading.Lock()

    def ended(self, answered_key: str | None) -> None:
        """One answer's job ended: with its command's key when the answer was posted, None
        when it was not (the command stays pending; the inbox sweeper retries it)."""
        with self._lock:
            if answered_key is not None:
                self._answered.append(answered_key)
            self._left -= 1
            if self._left:
                return
            answered, self._answered = self._answered, []
        if answered:
            self._finish(answered)
