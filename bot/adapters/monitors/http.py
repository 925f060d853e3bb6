"""The webhook endpoint: authenticate, bound the body, parse, then hand alerts to the service.

Refusals, in order, each storing nothing: no secret configured -> 401; body over 1 MiB ->
413; none of ``Authorization: Bearer <secret>``, ``X-Crisisbot-Signature: sha256=<hex
HMAC-SHA256 of "<timestamp>.<raw body>">`` with ``X-Crisisbot-Timestamp: <Unix seconds>``
within 5 minutes of now, or Grafana's HMAC (``grafana_auth.py``) is valid (constant-time
compares; any one valid credential is enough, an invalid one never overrides a valid one)
-> 401; JSON nested too deeply, not JSON, or not the payload the endpoint takes -> 400 naming
the problem. A signature of the bare body (no timestamp, so replayable forever) is accepted
only while the site config's ``monitors.allow_signatures_without_timestamp`` is true.
Accepted payloads get 202 with ``{"incident", "action"}`` (a list of them for batched
Alertmanager / Grafana / custom payloads). Grafana's contact-point test gets 202
``{"action": "test"}``: a confirmation goes to the announce channel and nothing is opened.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.adapters.monitors.config import GrafanaHmac
from bot.adapters.monitors.custom import Mapping as CustomMapping
from bot.adapters.monitors.grafana_auth import grafana_signed
from bot.adapters.monitors.webhooks import PARSERS, PayloadError, TestNotification
from bot.domain.alerts import DEFAULT_SEVERITY_LABELS, Alert, AlertOutcome
from bot.domain.errors import DomainError
from bot.edge import json_too_deep

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
SIGNATURE_HEADER = "x-crisisbot-signature"
TIMESTAMP_HEADER = "x-crisisbot-timestamp"
#: A signed request older or newer than this is refused (a captured one cannot be replayed later).
REPLAY_WINDOW_SECONDS = 5 * 60


def valid_signature(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def valid_timestamped_signature(secret: str, body: bytes, *, signature: str, timestamp: str,
                                now: float) -> bool:
    """``signature`` signs ``<timestamp>.<body>`` and ``timestamp`` is within the window."""
    timestamp = timestamp.strip()
    if not (timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return valid_signature(secret, timestamp.encode() + b"." + body, signature)


def authenticated(secret: str, body: bytes, *, authorization: str, signature: str,
                  timestamp: str = "", now: float = 0.0, allow_bare_signature: bool = False) -> bool:
    if signature and timestamp:
        return valid_timestamped_signature(secret, body, signature=signature,
                                           timestamp=timestamp, now=now)
    if signature:
        return allow_bare_signature and valid_signature(secret, body, signature)
    scheme, _, token = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), secret.encode())


def bearer_ok(secret: str, authorization: str) -> bool:
    scheme, _, token = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), secret.encode())


def monitor_endpoint(
    *,
    secret: str | None,
    ingest: Callable[[Sequence[Alert]], list[AlertOutcome | DomainError]],
    clock: Callable[[], datetime],
    on_outcome: Callable[[str, int], None] | None = None,
    allow_bare_signature: bool = False,
    wall_clock: Callable[[], float] = time.time,
    severities: Mapping[str, str] = DEFAULT_SEVERITY_LABELS,
    grafana_hmac: GrafanaHmac | None = None,
    custom: Mapping[str, CustomMapping] | None = None,
    on_test: Callable[[str], None] | None = None,
) -> Callable[[Request], object]:
    """The ASGI handler of ``POST /monitors/{kind}`` (alertmanager, grafana, generic) and
    ``POST /monitors/custom/{name}`` (a mapping of the site config). ``on_test`` confirms a
    source's test notification (``"grafana"``) in Slack.

    ``ingest`` is :meth:`AlertService.ingest_batch`; requests arriving while a batch is in
    the database are handled together as the next batch (see :class:`AlertBatcher`).
    While the database is unreachable the answer is 503 with ``Retry-After``, so Alertmanager
    and Grafana send the alert again later. ``on_outcome`` counts the alerts of each action
    (metrics). ``allow_bare_signature`` is the site config's
    ``monitors.allow_signatures_without_timestamp``; signature timestamps are checked
    against ``wall_clock`` (real Unix time, like the sender's).
    """
    batcher = AlertBatcher(ingest)
    grafana_config = grafana_hmac or GrafanaHmac()
    mappings = dict(custom or {})

    async def endpoint(request: Request) -> Response:
        name = request.path_params.get("name")
        kind = "custom" if name is not None else request.path_params.get("kind", "")
        if name is not None:
            mapping = mappings.get(name)
            if mapping is None:
                known = ", ".join(sorted(mappings)) or "none is configured"
                return _error(404, f"no custom monitor mapping {name[:60]!r} ({known}); "
                                   "add it under monitors.custom in the site config")
            parser: Callable[..., list[Alert]] = mapping.parse
        elif kind in PARSERS:
            parser = PARSERS[kind]
        else:
            return _error(404, f"no monitor webhook {kind[:60]!r}; use alertmanager, grafana, "
                               "generic or custom/<name>")
        if not secret:
            return _error(401, "monitor webhooks are disabled: CRISISBOT_MONITOR_SECRET is not set")
        body = await _read_bounded(request)
        if body is None:
            return _error(413, f"the body is larger than {MAX_BODY} bytes")
        authorization = request.headers.get("authorization", "")
        if not (authenticated(secret, body, authorization=authorization,
                              signature=request.headers.get(SIGNATURE_HEADER, ""),
                              timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                              now=wall_clock(), allow_bare_signature=allow_bare_signature)
                or bearer_ok(secret, authorization)
                or grafana_signed(secret, body, request.headers, config=grafana_config, now=clock())):
            log.warning("monitor webhook %s refused: bad credentials", kind)
            return _error(401, "missing or wrong bearer secret, X-Crisisbot-Signature not signing "
                               "<X-Crisisbot-Timestamp>.<body> within 5 minutes, or a wrong "
                               "Grafana HMAC signature")
        if json_too_deep(body.decode("utf-8", errors="replace")):
            return _error(400, "the JSON in the body is nested too deeply")
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _error(400, f"the body is not valid JSON: {exc}")
        try:
            alerts = parser(payload, now=clock(), severities=severities)
        except TestNotification:
            return await _confirm_test(kind, on_test)
        except PayloadError as exc:
            return _error(400, str(exc))
        try:
            outcomes = await batcher.submit(alerts)
        except OperationalError as exc:
            log.error("monitor webhook %s: database unavailable (%s)", kind, exc.__class__.__name__)
            return JSONResponse({"error": "the database is unavailable; nothing was stored, "
                                          "send the alert again"},
                                status_code=503, headers={"Retry-After": "30"})
        if on_outcome is not None:
            for action, count in Counter(o.action.value for o in outcomes
                                         if isinstance(o, AlertOutcome)).items():
                on_outcome(action, count)
        failed = [o for o in outcomes if isinstance(o, DomainError)]
        if failed:
            return _error(422, failed[0].message)
        entries = [o.as_json() for o in outcomes if isinstance(o, AlertOutcome)]
        single = (kind == "generic" and not isinstance(payload, list)) or (
            name is not None and mappings[name].list_path is None)
        return JSONResponse(entries[0] if single else entries, status_code=202)

    return endpoint


async def _confirm_test(kind: str, on_test: Callable[[str], None] | None) -> Response:
    log.info("monitor webhook %s: test notification received", kind)
    if on_test is not None:
        try:
            await asyncio.to_thread(on_test, kind)
        except OperationalError:
            return JSONResponse({"error": "the database is unavailable; send the test again"},
                                status_code=503, headers={"Retry-After": "30"})
    return JSONResponse({"incident": None, "action": "test"}, status_code=202)


class AlertBatcher:
    """Runs ``ingest`` on one dedicated thread, one batch at a time; alerts of requests that
    arrive meanwhile wait and go together in the next batch.

    Batching is what lets an alert storm be counted at thousands per second: one short
    transaction per batch of repeats instead of one per request. One thread also suits
    SQLite, whose writers queue on the database lock anyway. Correctness never depends on
    it: dedup rests on database keys and row locks, across threads and processes.
    """

    def __init__(self, ingest: Callable[[Sequence[Alert]], list[AlertOutcome | DomainError]]) -> None:
        self.ingest = ingest
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alerts")
        self.waiting: list[tuple[Sequence[Alert], asyncio.Future]] = []
        self.running = False

    async def submit(self, alerts: Sequence[Alert]) -> list[AlertOutcome | DomainError]:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((alerts, future))
        if not self.running:
            self.running = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                flat = [alert for alerts, _ in batch for alert in alerts]
                try:
                    results = await loop.run_in_executor(self.executor, self.ingest, flat)
                except Exception as exc:  # noqa: BLE001 - every waiting request gets the error
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                start = 0
                for alerts, future in batch:
                    if not future.done():
                        future.set_result(results[start:start + len(alerts)])
                    start += len(alerts)
        finally:
            self.running = False


async def _read_bounded(request: Request) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
