"""The ASGI app: ``/slack/events``, ``/monitors/{alertmanager,grafana,generic}``,
``/monitors/custom/<name>``, ``/healthz``, ``/metrics``."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import time
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Callable, Iterator, Sequence
from urllib.parse import parse_qsl

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.adapters.db.outbox import OutboxStore
from bot.adapters.db.stats import open_by_severity
from bot.adapters.slack.request import SlackRequest
from bot.adapters.slack.signature import BadSignature, check_body, check_headers, request_key
from bot.edge import (
    DEFAULT_MAX_BODY,
    BadContentLength,
    BodyTooLarge,
    json_too_deep,
    read_bounded,
    refusal,
)
from bot.logs import log_context

log = logging.getLogger(__name__)


class Metrics:
    """Prometheus metrics of one app instance (its own registry, so tests can build many).

    Gauges that describe stored state (open incidents, outbox depth and age) are read from the
    database when scraped, so every replica reports the same truth.
    """

    def __init__(self, *, store: OutboxStore, engine: Engine,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.registry = CollectorRegistry()
        self.ack_latency = Histogram(
            "crisisbot_slack_ack_seconds", "Time from receiving a Slack request to answering it",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3), registry=self.registry,
        )
        depth = Gauge("crisisbot_outbox_pending", "Slack effects waiting for delivery",
                      registry=self.registry)
        depth.set_function(store.pending_count)
        age = Gauge("crisisbot_outbox_oldest_age_seconds",
                    "Age of the oldest Slack effect waiting for delivery (0 when none)",
                    registry=self.registry)
        age.set_function(lambda: store.oldest_pending_age(clock()))
        self.slack_api_errors = Counter(
            "crisisbot_slack_api_errors", "Slack Web API calls that failed, by method and error",
            ["method", "error"], registry=self.registry,
        )
        self.alerts = Counter(
            "crisisbot_alerts", "Monitor alerts received, by what was done with them",
            ["action"], registry=self.registry,
        )
        self.reminder_lag = Histogram(
            "crisisbot_reminder_lag_seconds", "How late reminders went out after they were due",
            buckets=(1, 5, 15, 30, 60, 300, 900, 3600), registry=self.registry,
        )
        self.registry.register(_OpenIncidents(engine))
        failed = Gauge("crisisbot_outbox_failed",
                       "Slack effects given up on after their last attempt (dead letters)",
                       registry=self.registry)
        failed.set_function(store.failed_count)
        self.dead_letters = Counter(
            "crisisbot_outbox_dead_letters", "Slack effects given up on, by effect kind",
            ["kind"], registry=self.registry,
        )

    def dead_letter(self, kind: str) -> None:
        self.dead_letters.labels(kind=kind).inc()

    def alert_action(self, action: str, count: int = 1) -> None:
        self.alerts.labels(action=action).inc(count)

    def slack_api_error(self, method: str, error: str) -> None:
        self.slack_api_errors.labels(method=method, error=error[:40]).inc()


class _OpenIncidents(Collector):
    """``crisisbot_incidents_open{severity="S"}``: incidents not yet resolved, by severity."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> list[GaugeMetricFamily]:
        return [self._family()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = self._family()
        for severity, count in sorted(open_by_severity(self.engine).items()):
            family.add_metric([severity], count)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily("crisisbot_incidents_open", "Open incidents by severity",
                                 labels=["severity"])


class RequestIds:
    """ASGI middleware: every HTTP request gets an id (``X-Request-Id`` if the caller sent a
    sane one, else a new one), carried by its log lines and echoed in the response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers") or () if k == b"x-request-id"),
                     b"").decode("latin-1")
        # 8 random bytes, as the 16 hex digits of a uuid4 gave, without building a UUID.
        request_id = given if _SANE_ID.fullmatch(given) else os.urandom(8).hex()

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        with log_context(request_id=request_id):
            await self.app(scope, receive, send_with_id)


_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def build_web(
    *,
    app: AsyncApp,
    engine: Engine,
    metrics: Metrics,
    signing_secret: str,
    on_startup: Callable[[], Any] | None = None,
    on_shutdown: Callable[[], Any] | None = None,
    monitor_webhook: Callable[[Request], Any] | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    metrics_token: str | None = None,
    wall_clock: Callable[[], float] = time.time,
    slack_status: Callable[[], dict[str, Any]] | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    posts_webhook: Callable[[Request], Any] | None = None,
    pressure: Any = None,
) -> Starlette:
    """The ASGI app. ``/slack/events`` refuses, in order and before parsing anything:
    malformed or missing signature headers and stale timestamps (401, body unread), a body
    over ``max_body`` (413, by ``Content-Length`` and while streaming), a signature that does
    not match the raw bytes (401), JSON nested past :data:`~bot.edge.MAX_JSON_DEPTH` (400).
    ``/metrics`` wants ``Authorization: Bearer <metrics_token>`` when a token is set.
    ``pressure`` (a context manager, :class:`~bot.adapters.slack.workers.AckPressure`) is
    entered for each Slack request while it is handled."""

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        try:
            if pressure is None:
                return await _slack_events(request)
            with pressure:  # worker threads hold back until the ack is out
                return await _slack_events(request)
        finally:
            metrics.ack_latency.observe(time.perf_counter() - started)

    async def _slack_events(request: Request) -> Response:
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        try:
            check_headers(timestamp=timestamp, signature=signature, now=wall_clock())
            raw = await read_bounded(request, limit=max_body)
            check_body(secret=signing_secret, timestamp=timestamp or "", signature=signature or "",
                       body=raw)
        except BadSignature as exc:
            return refusal(401, exc.message)
        except BodyTooLarge:
            return refusal(413, f"the body is larger than {max_body} bytes")
        except BadContentLength:
            return refusal(400, "Content-Length is not a number")
        body = raw.decode("utf-8", errors="replace")
        if _too_deep(body, request.headers.get("content-type", "")):
            return refusal(400, "the JSON in the body is nested too deeply")
        try:
            bolt_request = SlackRequest(body=body, query=str(request.query_params),
                                        headers=dict(request.headers))
        except (ValueError, TypeError, AttributeError, KeyError):
            return refusal(400, "the body is not a Slack payload (JSON or form fields)")
        bolt_request.context["request_key"] = request_key(timestamp=timestamp or "",
                                                          signature=signature or "")
        try:
            response = await app.async_dispatch(bolt_request)
        except Exception:  # a signed but odd payload must not become a 500
            response = None
        if response is None or response.status >= 500:
            # Bolt answers 500 itself when its middleware trips over a payload of an unexpected
            # shape (``event`` as a string…): for outside input that is a bad request.
            error_id = uuid.uuid4().hex[:8]
            log.error("slack request %s could not be dispatched", error_id)
            return refusal(400, f"the payload could not be handled (error id {error_id})")
        return to_starlette_response(response)

    async def healthz(_: Request) -> Response:
        def ping() -> None:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))

        try:
            await asyncio.to_thread(ping)
        except Exception:  # noqa: BLE001 - any failure means not healthy
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        # Slack's reachability is detail, not health: commands are answered without it.
        return JSONResponse({"status": "ok", **({"slack": slack_status()} if slack_status else {})})

    async def metrics_endpoint(request: Request) -> Response:
        if metrics_token and not _bearer_matches(request.headers.get("authorization", ""),
                                                 metrics_token):
            return JSONResponse({"error": "/metrics needs Authorization: Bearer <token>"},
                                status_code=401, headers={"www-authenticate": "Bearer"})
        body = await asyncio.to_thread(generate_latest, metrics.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if on_startup:
            on_startup()
        try:
            yield
        finally:
            if on_shutdown:
                on_shutdown()

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            *([Route("/monitors/posts", posts_webhook, methods=["POST"])] if posts_webhook else []),
            *([Route("/monitors/custom/{name}", monitor_webhook, methods=["POST"]),
               Route("/monitors/{kind}", monitor_webhook, methods=["POST"])] if monitor_webhook else []),
            *extra_routes,  # the dark site (bot.adapters.site), mounted at its configured path
        ],
        lifespan=lifespan,
        middleware=[Middleware(RequestIds)],
    )


def _too_deep(body: str, content_type: str) -> bool:
    """JSON bodies (events) and the ``payload`` field of forms (interactions) are JSON; a
    slash command's text is not, so brackets typed in it never count."""
    if content_type.startswith("application/json") or body.startswith("{"):
        return json_too_deep(body)
    if "payload=" not in body:  # a form field's name is never encoded: no field, no JSON
        return False
    payload = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
    return payload is not None and json_too_deep(payload)


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
