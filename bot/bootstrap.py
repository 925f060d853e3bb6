"""The one place that picks concrete adapters and wires them together."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from sqlalchemy import Engine
from starlette.applications import Starlette

from bot.adapters.db import make_engine, upgrade
from bot.adapters.db.leader import LeaderLock
from bot.adapters.db.inbox import SlackInbox
from bot.adapters.db.outbox import OutboxStore
from bot.adapters.db.engine import single_statements
from bot.adapters.db.uow import read_uow_factory, session_factory, uow_factory
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.adapters.scheduler import ReminderTicker
from bot.adapters.slack.app import build_app
from bot.adapters.slack.gateway import Pacer, SlackGateway
from bot.adapters.slack.inbox import InboxSweeper
from bot.adapters.slack.identity import SlackIdentity
from bot.adapters.slack.pacing import MethodBudget
from bot.adapters.slack.workers import AckPressure, InFlight, KeyedWorkers
from bot.adapters.slack.handlers import CommandHandler
from bot.adapters.slack.members import ChannelMembers
from bot.adapters.slack.planner import SlackEffects
from bot.adapters.slack.reminder_effects import SlackReminderEffects
from bot.adapters.rendering.statement_config import load_statement_settings
from bot.adapters.rendering.formatting import UserNames
from bot.adapters.rendering.statements import StatementTemplates
from bot.adapters.slack.statement_handler import StatementHandler
from bot.adapters.slack.statement_planner import StatementEffects
from bot.services.statements import StatementService
from bot.domain.playbook import Catalog
from bot.domain.roles import Role
from bot.services import IncidentService
from bot.services.reminders import ReminderPlanner, ReminderService
from bot.services.postmortems import PostmortemService
from bot.settings import Settings
from bot.siteconfig import SiteConfig, load_site_config
from bot.web import Metrics, build_web
from bot.adapters.db.alerts import SqlSampleStore
from bot.adapters.monitors.http import monitor_endpoint
from bot.adapters.monitors.poller import Poller
from bot.adapters.monitors.routing import Router
from bot.adapters.slack.messages.monitors import monitor_test_received
from bot.services.alerts import AlertPolicy, AlertService


#: Monitor webhooks are open to the network: a guessable secret would let anyone open incidents.
MIN_MONITOR_SECRET = 16
#: Threads running acknowledged Slack work (2-core hosts: more only adds GIL contention).
COMMAND_WORKERS = 4
#: Jobs that may wait for a worker; a slash command beyond that waits in the inbox instead.
COMMAND_BACKLOG = 10_000


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
    catalog = load_catalog(playbooks_dir(settings))  # before any migration: nothing half-done
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    service = IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock,
                              read_uow_factory=read_uow_factory(engine))
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
    reminders: ReminderService | None = None
    ticker: ReminderTicker | None = None
    alerts: AlertService | None = None
    poller: Poller | None = None
    sweeper: InboxSweeper | None = None
    identity: SlackIdentity | None = None

    def close(self) -> None:
        if self.gateway.leader is not None:
            self.gateway.leader.release()  # held on a connection of its own, outside the pool
        if self.poller is not None:
            if self.poller.leader is not None:
                self.poller.leader.release()
            self.poller.client.close()
        self.core.close()


def build_alerts(core: Core, site: SiteConfig) -> AlertService:
    """The alert use case with the site's routing, snoozes and roster."""
    config = site.monitors
    return AlertService(
        incidents=core.incidents,
        router=Router(config, crisis_types=core.catalog.playbooks.keys()),
        roles_for=lambda crisis_type, severity: site.default_holders(
            core.catalog.invite_for(crisis_type, severity)),
        policy=AlertPolicy(refire_window=config.refire_window, raise_severity=config.raise_severity,
                           max_opened_per_minute=config.max_opened_per_minute),
        config_snoozes=config.snoozed,
    )


def test_confirmation(core: Core, site: SiteConfig, *, clock: Callable[[], datetime]) -> Callable[[str], None]:
    """Posts "Grafana contact point works" to the announce channel (through the outbox)."""

    def confirm(source: str) -> None:
        if not site.announce_channel:
            return
        with core.incidents.uow_factory() as uow:
            uow.outbox.add("announce", {"channel": site.announce_channel,
                                        "text": monitor_test_received(source)}, at=clock())
            uow.commit()

    return confirm


def build_bot(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    pacer: Pacer | None = None,
    budget: MethodBudget | None = None,
    start_gateway: bool = True,
    start_ticker: bool | None = None,
    start_pollers: bool = True,
) -> Bot:
    """Wire the whole bot; the gateway thread and the reminder ticker start and stop with the
    web app's lifespan (the ticker with the gateway unless ``start_ticker`` says otherwise)."""
    if not settings.slack_signing_secret:
        raise SystemExit("SLACK_SIGNING_SECRET is not set: crisisbot refuses to run unverified.")
    if settings.monitor_secret and len(settings.monitor_secret) < MIN_MONITOR_SECRET:
        raise SystemExit(f"CRISISBOT_MONITOR_SECRET is too short: use at least {MIN_MONITOR_SECRET} "
                         "characters (e.g. `openssl rand -hex 32`).")
    site = load_site_config(settings.config_path)
    core = build_core(settings, clock=clock)
    wake = threading.Event()
    planner = SlackEffects(site=site, catalog=core.catalog, wake=wake)
    core.incidents.planners = (planner,)
    reminders, ticker = build_reminders(core, site=site, wake=wake)
    store = OutboxStore(session_factory(core.engine))
    sync_client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10)
    metrics = Metrics(store=store, engine=core.engine, clock=clock)
    gateway = SlackGateway(store=store, client=sync_client, incidents=core.incidents,
                           catalog=core.catalog, clock=clock, pacer=pacer, budget=budget,
                           leader=LeaderLock(core.engine, "slack-outbox"),
                           on_api_error=metrics.slack_api_error,
                           on_dead_letter=metrics.dead_letter)
    identity = SlackIdentity(client=sync_client)
    gateway.wake = wake
    postmortems = build_postmortems(core, site=site, names=slack_user_names(sync_client))
    gateway.postmortems = postmortems.archive
    handler = CommandHandler(incidents=core.incidents, store=store, catalog=core.catalog,
                             site=site, clock=clock, postmortems=postmortems,
                             members=ChannelMembers(client=sync_client, store=store))
    statements = build_statements(core, site=site, handler=handler)
    inbox = SlackInbox(session_factory(single_statements(core.engine)))
    in_flight = InFlight()
    sweeper = InboxSweeper(inbox=inbox, handler=handler, clock=clock, in_flight=in_flight)
    # Acknowledged work runs here, off the event loop: incidents in parallel, each in order.
    # While Slack requests wait for their ack, the workers hold back (AckPressure) on SQLite,
    # where a job is Python work holding the GIL from start to end. On PostgreSQL a job mostly
    # waits for the database with the GIL released: holding it back only slowed the queue
    # (one incident's burst is serial) without making acks faster.
    pressure = AckPressure()
    workers = KeyedWorkers(workers=COMMAND_WORKERS, capacity=COMMAND_BACKLOG,
                           pause=pressure.wait_quiet if core.engine.dialect.name == "sqlite"
                           else None)
    app = build_app(handler=handler, api_url=settings.slack_api_url,
                    bot_token=settings.slack_bot_token, signing_secret=settings.slack_signing_secret,
                    statements=statements, inbox=inbox, identity=identity, workers=workers,
                    in_flight=in_flight)
    alerts = build_alerts(core, site)
    handler.alerts = alerts
    poller = Poller(sources=site.monitors.sources, ingest=alerts.ingest_many,
                    samples=SqlSampleStore(core.engine), clock=clock,
                    leader=LeaderLock(core.engine, "monitor-pollers"))
    running: dict[str, Any] = {}

    def startup() -> None:
        identity.start()  # auth.test once, in the background: no request waits for it
        if start_gateway:
            running["thread"], running["stop"] = gateway.start()
        if start_gateway if start_ticker is None else start_ticker:
            ticker.start()
            sweeper.start()
        if start_pollers and poller.sources:
            running["poller"], running["poller_stop"] = poller.start()

    def shutdown() -> None:
        workers.close(wait=True)  # running work finishes; queued commands stay in the inbox
        ticker.stop()
        sweeper.stop()
        if "stop" in running:
            running["stop"].set()
            gateway.wake.set()
            running["thread"].join(timeout=10)
        if "poller_stop" in running:
            running["poller_stop"].set()
            running["poller"].join(timeout=10)

    ticker.on_sent = metrics.reminder_lag.observe
    webhook = monitor_endpoint(secret=settings.monitor_secret, ingest=alerts.ingest_batch,
                               clock=clock, on_outcome=metrics.alert_action,
                               allow_bare_signature=site.monitors.allow_signatures_without_timestamp,
                               severities=site.monitors.severity_labels,
                               grafana_hmac=site.monitors.grafana_hmac, custom=site.monitors.custom,
                               on_test=test_confirmation(core, site, clock=clock))
    web = build_web(app=app, engine=core.engine, metrics=metrics, on_startup=startup,
                    on_shutdown=shutdown, monitor_webhook=webhook,
                    signing_secret=settings.slack_signing_secret,
                    metrics_token=settings.metrics_token, slack_status=identity.status,
                    pressure=pressure)
    return Bot(core=core, site=site, handler=handler, gateway=gateway, slack_app=app, web=web,
               metrics=metrics, reminders=reminders, ticker=ticker, alerts=alerts,
               poller=poller, sweeper=sweeper, identity=identity)


def build_reminders(
    core: Core, *, site: SiteConfig, wake: threading.Event
) -> tuple[ReminderService, ReminderTicker]:
    """Reminders: the table kept in sync after every command, their Slack messages, the ticker."""
    settings = replace(
        site.reminders, late_within=core.settings.reminder_late_within,
        exec_sponsors=tuple(site.roster.get(Role.EXEC, ())),
    )
    core.incidents.planners = (
        *core.incidents.planners,
        SlackReminderEffects(catalog=core.catalog, wake=wake),
        ReminderPlanner(catalog=core.catalog, settings=settings),
    )
    service = ReminderService(uow_factory=core.incidents.uow_factory, catalog=core.catalog,
                              clock=core.clock, settings=settings,
                              planners=core.incidents.planners)
    return service, ReminderTicker(service=service, interval=core.settings.reminder_interval)


def clock_for(settings: Settings) -> Callable[[], datetime]:
    """The real clock, or the test clock file named by ``CRISISBOT_TEST_CLOCK_FILE``."""
    if settings.test_clock_file is None:
        return utc_now
    from bot.testclock import FileClock

    return FileClock(settings.test_clock_file)


def build_statements(core: Core, *, site: SiteConfig, handler: CommandHandler) -> StatementHandler:
    """Statements: templates, lint settings, the service, its Slack planner and handler."""
    directory = playbooks_dir(core.settings)
    config = load_statement_settings(playbooks=directory, site=site)
    service = StatementService(
        incidents=core.incidents,
        drafter=StatementTemplates(directory=directory, settings=config, catalog=core.catalog),
        lint=config.lint, contact=config.contacts,
    )
    core.incidents.planners = (*core.incidents.planners, StatementEffects(
        catalog=core.catalog, lint=config.lint, contact=config.contacts,
        comms_channel=config.comms_channel))
    statements = StatementHandler(service=service, commands=handler)
    handler.statements = statements.handle
    return statements


def slack_user_names(client: WebClient | None) -> UserNames:
    """Display names for the post-mortem files: Slack's ``users.info``, cached per process."""
    if client is None:
        return UserNames()
    return UserNames(lambda user: client.users_info(user=user).get("user"))


def build_postmortems(core: Core, *, site: SiteConfig | None = None,
                      names: UserNames | None = None) -> PostmortemService:
    """The post-mortem use cases over the core's database (pandas/matplotlib load lazily).
    Without ``names``, user names come from Slack when a bot token is configured."""
    from bot.adapters.db.postmortems import SqlPostmortemArchive
    from bot.adapters.db.signals import SqlIncidentSignals
    from bot.adapters.rendering.postmortem.renderer import PostmortemRenderer

    settings = core.settings
    if names is None:
        names = slack_user_names(WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url,
                                           timeout=10) if settings.slack_bot_token else None)
    return PostmortemService(
        archive=SqlPostmortemArchive(session_factory(core.engine)),
        renderer=PostmortemRenderer(catalog=core.catalog, names=names), incidents=core.incidents,
        clock=core.clock, default_lang=(site or SiteConfig()).postmortem_lang,
        signals=SqlIncidentSignals(core.engine),
    )
