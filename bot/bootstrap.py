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
from bot.services.postmortems import PostmortemService
from bot.settings import Settings
from bot.siteconfig import SiteConfig, load_site_config
from bot.web import Metrics, build_web


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

    def close(self) -> None:
        self.core.close()


def build_bot(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    pacer: Pacer | None = None,
    start_gateway: bool = True,
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
    postmortems = build_postmortems(core, site=site)
    gateway.postmortems = postmortems.archive
    handler = CommandHandler(incidents=core.incidents, store=store, catalog=core.catalog,
                             site=site, clock=clock, postmortems=postmortems)
    app = build_app(handler=handler, api_url=settings.slack_api_url,
                    bot_token=settings.slack_bot_token, signing_secret=settings.slack_signing_secret)
    metrics = Metrics(store=store)
    running: dict[str, Any] = {}

    def startup() -> None:
        if start_gateway:
            running["thread"], running["stop"] = gateway.start()

    def shutdown() -> None:
        if "stop" in running:
            running["stop"].set()
            gateway.wake.set()
            running["thread"].join(timeout=10)

    web = build_web(app=app, engine=core.engine, metrics=metrics, on_startup=startup,
                    on_shutdown=shutdown)
    return Bot(core=core, site=site, handler=handler, gateway=gateway, slack_app=app, web=web,
               metrics=metrics)


def build_postmortems(core: Core, *, site: SiteConfig | None = None) -> PostmortemService:
    """The post-mortem use cases over the core's database (pandas/matplotlib load lazily)."""
    from bot.adapters.db.postmortems import SqlPostmortemArchive
    from bot.adapters.rendering.postmortem.renderer import PostmortemRenderer

    return PostmortemService(
        archive=SqlPostmortemArchive(session_factory(core.engine)),
        renderer=PostmortemRenderer(catalog=core.catalog), incidents=core.incidents,
        clock=core.clock, default_lang=(site or SiteConfig()).postmortem_lang,
    )
