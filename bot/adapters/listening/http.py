"""``POST /monitors/posts``: batches of raw posts from a listening tool or scraper.

Authenticated like every monitor webhook (``Authorization: Bearer <CRISISBOT_MONITOR_SECRET>``
or ``X-Crisisbot-Signature`` over ``<X-Crisisbot-Timestamp>.<body>``). The body is a list of
post records or ``{"posts": [...]}`` (fields: ``records.py``), at most 5,000 posts and 8 MiB.

Answers ``202`` with ``{"stored": n, "rejected": [{"index", "id", "error"}], "alerts":
[{"incident", "action"}]}``: each bad record is named and skipped, the good ones are stored
(a post sent again updates its engagement). When no record is valid: ``400`` with the same
``rejected`` list and nothing stored. Bodies that are not JSON: ``400``; the database down:
``503`` with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.adapters.listening.records import RecordProblem, parse_records, records_from_json
from bot.adapters.monitors.http import SIGNATURE_HEADER, TIMESTAMP_HEADER, authenticated, bearer_ok
from bot.edge import BadContentLength, BodyTooLarge, json_too_deep, read_bounded
from bot.services.listening import ListeningService

log = logging.getLogger(__name__)

MAX_POSTS_BODY = 8 * 1024 * 1024


def posts_endpoint(
    *,
    secret: str | None,
    service: Callable[[], ListeningService],
    allow_bare_signature: bool = False,
    wall_clock: Callable[[], float] = time.time,
) -> Callable[[Request], object]:
    """The ASGI handler. ``service`` builds (once) the listening service: the segmenter and
    models load on the first batch, not at start-up. Batches are handled one at a time on a
    dedicated thread (SQLite has one writer anyway)."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="listening")

    async def endpoint(request: Request) -> Response:
        if not secret:
            return _error(401, "monitor webhooks are disabled: CRISISBOT_MONITOR_SECRET is not set")
        try:
            body = await read_bounded(request, limit=MAX_POSTS_BODY)
        except BodyTooLarge:
            return _error(413, f"the body is larger than {MAX_POSTS_BODY} bytes; send smaller batches")
        except BadContentLength:
            return _error(400, "Content-Length is not a number")
        authorization = request.headers.get("authorization", "")
        if not (authenticated(secret, body, authorization=authorization,
                              signature=request.headers.get(SIGNATURE_HEADER, ""),
                              timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                              now=wall_clock(), allow_bare_signature=allow_bare_signature)
                or bearer_ok(secret, authorization)):
            log.warning("posts webhook refused: bad credentials")
            return _error(401, "missing or wrong bearer secret, or X-Crisisbot-Signature not "
                               "signing <X-Crisisbot-Timestamp>.<body> within 5 minutes")
        text = body.decode("utf-8", errors="replace")
        if json_too_deep(text):
            return _error(400, "the JSON in the body is nested too deeply")
        try:
            records = records_from_json(json.loads(body))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _error(400, f"the body is not valid JSON: {exc}")
        except RecordProblem as exc:
            return _error(400, str(exc))
        posts, rejected = parse_records(records)
        errors = [r.as_json() for r in rejected]
        if not posts:
            return JSONResponse({"error": f"none of the {len(records)} posts is valid; nothing "
                                          "was stored", "rejected": errors}, status_code=400)
        loop = asyncio.get_running_loop()
        try:
            listening = await loop.run_in_executor(executor, service)
            report = await loop.run_in_executor(
                executor, lambda: listening.ingest(posts, source="webhook"))
        except OperationalError as exc:
            log.error("posts webhook: database unavailable (%s)", exc.__class__.__name__)
            return JSONResponse({"error": "the database is unavailable; nothing was stored, "
                                          "send the posts again"},
                                status_code=503, headers={"Retry-After": "30"})
        return JSONResponse({"stored": report.stored, "rejected": errors,
                             "alerts": [o.as_json() for o in report.outcomes],
                             **({"alert_errors": report.rule_errors} if report.rule_errors else {})},
                            status_code=202)

    return endpoint


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
