"""The ASGI app: ``/slack/events``, ``/monitors/{alertmanager,grafana,generic}``, ``/healthz``, ``/metrics``."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.adapters.db.outbox import OutboxStore


class Metrics:
    """Prometheus metrics of one app instance (its own registry, so tests can build many)."""

    def __init__(self, *, store: OutboxStore) -> None:
        self.registry = CollectorRegistry()
        self.ack_latency = Histogram(
            "crisisbot_slack_ack_seconds", "Time from receiving a Slack request to answering it",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3), registry=self.registry,
        )
        depth = Gauge("crisisbot_outbox_pending", "Slack effects waiting for delivery",
                      registry=self.registry)
        depth.set_function(store.pending_count)


def build_web(
    *,
    app: AsyncApp,
    engine: Engine,
    metrics: Metrics,
    on_startup: Callable[[], Any] | None = None,
    on_shutdown: Callable[[], Any] | None = None,
    monitor_webhook: Callable[[Request], Any] | None = None,
) -> Starlette:
    handler = AsyncSlackRequestHandler(app)

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        try:
            return await handler.handle(request)
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
            *([Route("/monitors/{kind}", monitor_webhook, methods=["POST"])] if monitor_webhook else []),
        ],
        lifespan=lifespan,
    )
