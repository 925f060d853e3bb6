"""The HTTP edge: what every request from outside passes before anything parses it.

- :func:`read_bounded` reads a body up to a limit, refusing from ``Content-Length`` before a
  byte is read and again while streaming (chunked uploads declare no length);
- :func:`json_too_deep` measures bracket nesting without building anything, so a deeply
  nested document is refused before ``json.loads`` can recurse on it;
- :func:`refusal` is the one shape of an edge refusal: a short JSON error, and
  ``Connection: close`` so a client still uploading is cut off instead of being read.
"""

from __future__ import annotations

import re
from itertools import accumulate

from starlette.requests import Request
from starlette.responses import JSONResponse

#: Slack's own payloads are a few KiB; monitors batch alerts but stay far below this.
DEFAULT_MAX_BODY = 1024 * 1024
#: Deeper than any Slack or monitor payload (Block Kit nests about 8 levels).
MAX_JSON_DEPTH = 64

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class BodyTooLarge(Exception):
    """The body is over the limit (declared or counted while streaming)."""


class BadContentLength(Exception):
    """``Content-Length`` is not a number."""


async def read_bounded(request: Request, *, limit: int = DEFAULT_MAX_BODY) -> bytes:
    """The raw body, at most ``limit`` bytes; raises :class:`BodyTooLarge` as soon as the
    declared length or the bytes received pass it (nothing more is read)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BadContentLength(declared)
        if int(declared) > limit:
            raise BodyTooLarge()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def json_too_deep(text: str, *, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets outside strings nest deeper than ``limit`` (malformed input
    included: it only has to be cheap and never recurse)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _BRACKETS.findall(_STRING.sub("", text))
    return max(accumulate(_STEP[b] for b in brackets), default=0) > limit


def refusal(status: int, message: str) -> JSONResponse:
    """An edge refusal; the connection closes so an unread upload is not read."""
    return JSONResponse({"error": message}, status_code=status, headers={"connection": "close"})
