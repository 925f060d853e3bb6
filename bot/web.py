"""The ASGI app: ``/slack/events``, ``/monitors/{alertmanager,grafana,generic}``,
``/monitors/custom/<name>``, ``/healthz``, ``/metrics``."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Callable, Iterator

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
from starlette.routing import Route

from bot.adapters.db.outbox import OutboxStore
from bot.adapters.db.stats import open_by_severity
from bot.adapters.slack.request import SlackRequest
from bot.logs import log_context


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

    def alert_action(self, action: str) -> None:
        self.alerts.labels(action=action).inc()

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
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex[:16]

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
    on_startup: Callable[[], Any] | None = None,
    on_shutdown: Callable[[], Any] | None = None,
    monitor_webhook: Callable[[Request], Any] | None = None,
) -> Starlette:
    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        try:
            body = (await request.body()).decode("utf-8", errors="replace")
            bolt_request = SlackRequest(body=body, query=str(request.query_params),
                                        headers=dict(request.headers))
            return to_starlette_response(await app.async_dispatch(bolt_request))
        finally:
            metrics.ack_latency.observe(time.perf_counter() - started)

    async def healthz(_: Request) -> Response:
        def ping() -> None:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))

        try:
            await asyncio.to_thread(ping)
        except Exception:  # noqa: BLE001 - any failure means not healthy
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def metrics_endpoint(_: Request) -> Response:
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
            *([Route("/monitors/custom/{name}", monitor_webhook, methods=["POST"]),
               Route("/monitors/{kind}", monitor_webhook, methods=["POST"])] if monitor_webhook else []),
        ],
        lifespan=lifespan,
        middleware=[Middleware(RequestIds)],
    )
