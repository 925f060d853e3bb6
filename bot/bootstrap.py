"""The one place that picks concrete adapters and wires them together."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from sqlalchemy import Engine
from starlette.applications import Starlette

from bot.adapters.db import make_engine, upgrade
from bot.adapters.db.outbox import OutboxStore
from bot.adapters.db.uow import session_factory, uow_factory
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.adapters.slack.app import build_app
from bot.adapters.slack.gateway import Pacer, SlackGateway
from bot.adapters.slack.handlers import CommandHandler
from bot.adapters.slack.planner import SlackEffects
from bot.domain.playbook import Catalog
from bot.services import IncidentService
from bot.settings import Settings
from bot.siteconfig import SiteConfig, load_site_config
from bot.web import Metrics, build_web
from bot.adapters.db.alerts import SqlSampleStore
from bot.adapters.monitors.http import monitor_endpoint
from bot.adapters.monitors.poller import Poller
from bot.adapters.monitors.routing import Router
from bot.services.alerts import AlertPolicy, AlertService


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Core:
    """What every entry point needs: storage, playbooks and the incident services."""

    settings: Settings
    engine: Engine
    catalog: Catalog
    incidents: IncidentService
    clock: Callable[[], datetime]

    def close(self) -> None:
        self.engine.dispose()


def playbooks_dir(settings: Settings) -> Path:
    return settings.playbooks_dir or bundled_playbooks_dir()


def build_core(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    migrate: bool = True,
) -> Core:
    """Build the core; ``migrate`` applies pending migrations first (as ``serve`` does)."""
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    catalog = load_catalog(playbooks_dir(settings))
    service = IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock)
    return Core(settings=settings, engine=engine, catalog=catalog, incidents=service, clock=clock)


@dataclass
class Bot:
    """Everything ``crisisbot serve`` runs: the core, the Slack side and the web app."""

    core: Core
    site: SiteConfig
    handler: CommandHandler
    gateway: SlackGateway
    slack_app: AsyncApp
    web: Starlette
    metrics: Metrics
    alerts: AlertService | None = None
    poller: Poller | None = None

    def close(self) -> None:
        if self.poller is not None:
            self.poller.client.close()
        self.core.close()


def build_alerts(core: Core, site: SiteConfig) -> AlertService:
    """The alert use case with the site's routing, snoozes and roster."""
    config = site.monitors
    return AlertService(
        incidents=core.incidents,
        router=Router(config, crisis_types=core.catalog.playbooks.keys()),
        roles_for=lambda severity: site.default_holders(core.catalog.policy.level(severity).invite),
        policy=AlertPolicy(refire_window=config.refire_window, raise_severity=config.raise_severity),
        config_snoozes=config.snoozed,
    )


def build_bot(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    pacer: Pacer | None = None,
    start_gateway: bool = True,
    start_pollers: bool = True,
) -> Bot:
    """Wire the whole bot; the gateway thread starts and stops with the web app's lifespan."""
    if not settings.slack_signing_secret:
        raise SystemExit("SLACK_SIGNING_SECRET is not set: crisisbot refuses to run unverified.")
    site = load_site_config(settings.config_path)
    core = build_core(settings, clock=clock)
    wake = threading.Event()
    planner = SlackEffects(site=site, catalog=core.catalog, wake=wake)
    core.incidents.planners = (planner,)
    store = OutboxStore(session_factory(core.engine))
    sync_client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10)
    gateway = SlackGateway(store=store, client=sync_client, incidents=core.incidents,
                           catalog=core.catalog, clock=clock, pacer=pacer)
    gateway.wake = wake
    handler = CommandHandler(incidents=core.incidents, store=store, catalog=core.catalog,
                             site=site, clock=clock)
    app = build_app(handler=handler, api_url=settings.slack_api_url,
                    bot_token=settings.slack_bot_token, signing_secret=settings.slack_signing_secret)
    metrics = Metrics(store=store)
    alerts = build_alerts(core, site)
    handler.alerts = alerts
    poller = Poller(sources=site.monitors.sources, ingest=alerts.ingest_many,
                    samples=SqlSampleStore(core.engine), clock=clock)
    running: dict[str, Any] = {}

    def startup() -> None:
        if start_gateway:
            running["thread"], running["stop"] = gateway.start()
        if start_pollers and poller.sources:
            running["poller"], running["poller_stop"] = poller.start()

    def shutdown() -> None:
        if "stop" in running:
            running["stop"].set()
            gateway.wake.set()
            running["thread"].join(timeout=10)
        if "poller_stop" in running:
            running["poller_stop"].set()
            running["poller"].join(timeout=10)

    webhook = monitor_endpoint(secret=settings.monitor_secret, ingest=alerts.ingest_batch, clock=clock)
    web = build_web(app=app, engine=core.engine, metrics=metrics, on_startup=startup,
                    on_shutdown=shutdown, monitor_webhook=webhook)
    return Bot(core=core, site=site, handler=handler, gateway=gateway, slack_app=app, web=web,
               metrics=metrics, alerts=alerts, poller=poller)
