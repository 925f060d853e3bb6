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
from bot.adapters.db.alerts import SqlSampleStore
from bot.adapters.db.inbox import SlackInbox
from bot.adapters.db.leader import LeaderLock
from bot.adapters.db.oncall import SqlOverrides
from bot.adapters.db.outbox import OutboxStore
from bot.adapters.db.uow import read_uow_factory, session_factory, uow_factory
from bot.adapters.drills.alerts import real_alerts_only
from bot.adapters.knowledge.projector import KnowledgeProjector
from bot.adapters.monitors.http import monitor_endpoint
from bot.adapters.monitors.poller import Poller
from bot.adapters.monitors.routing import Router
from bot.adapters.outbound.store import OutboundStore
from bot.adapters.outbound.worker import OutboundWorker
from bot.adapters.paging.ack import AckLinks, ack_routes
from bot.adapters.paging.listeners import register_paging_listeners
from bot.adapters.paging.planner import PagingPlanner
from bot.adapters.paging.store import SqlPages
from bot.adapters.paging.ticker import start_loop
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.adapters.publishing.planner import PublishPlanner, card_with_deliveries
from bot.adapters.publishing.senders import send_site, slack_sender
from bot.adapters.rendering.formatting import UserNames
from bot.adapters.rendering.statement_config import load_statement_settings
from bot.adapters.rendering.statements import StatementTemplates
from bot.adapters.scheduler import ReminderTicker
from bot.adapters.site.routes import DarkSite
from bot.adapters.slack.app import build_app
from bot.adapters.slack.gateway import Pacer, SlackGateway
from bot.adapters.slack.handlers import CommandHandler
from bot.adapters.slack.identity import SlackIdentity
from bot.adapters.slack.inbox import InboxSweeper
from bot.adapters.slack.knowledge.handler import KnowledgeHandler
from bot.adapters.slack.knowledge.planner import KnowledgeEffects
from bot.adapters.slack.members import ChannelMembers
from bot.adapters.slack.messages.monitors import monitor_test_received
from bot.adapters.slack.oncall.handler import OncallHandler
from bot.adapters.slack.pacing import MethodBudget
from bot.adapters.slack.planner import SlackEffects
from bot.adapters.slack.reminder_effects import SlackReminderEffects
from bot.adapters.slack.statement_handler import StatementHandler
from bot.adapters.slack.statement_planner import StatementEffects
from bot.adapters.slack.workers import AckPressure, InFlight, KeyedWorkers
from bot.domain.playbook import Catalog
from bot.domain.roles import Role
from bot.oncall_config import load_oncall
from bot.paging_config import PagingConfig, load_paging
from bot.publish_config import PublishConfig, load_publish
from bot.services import IncidentService
from bot.services.alerts import AlertPolicy, AlertService
from bot.services.knowledge import KnowledgeService
from bot.services.oncall import DutyService
from bot.services.paging import PagingService
from bot.services.postmortems import PostmortemService
from bot.services.publishing import PublishService
from bot.services.reminders import ReminderPlanner, ReminderService
from bot.services.statements import StatementService
from bot.settings import Settings
from bot.siteconfig import SiteConfig, load_site_config
from bot.web import Metrics, build_web

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
    drills: Any = None  # the DrillService
    drill_ticker: Any = None
    listening: Listening | None = None
    paging: Paging | None = None
    #: The pool running acknowledged slash commands (incidents in parallel, each in order).
    workers: KeyedWorkers | None = None

    def close(self) -> None:
        if self.gateway.leader is not None:
            self.gateway.leader.release()  # held on a connection of its own, outside the pool
        if self.poller is not None:
            if self.poller.leader is not None:
                self.poller.leader.release()
            self.poller.close()
        if self.listening is not None:
            self.listening.poller.close()
        self.core.close()


def build_alerts(core: Core, site: SiteConfig, *, duty: DutyService | None = None) -> AlertService:
    """The alert use case with the site's routing, snoozes and roster (on duty now, with a rota)."""
    config = site.monitors
    holders = duty.holders if duty is not None else site.default_holders
    return AlertService(
        incidents=core.incidents,
        router=real_alerts_only(Router(config, crisis_types=core.catalog.playbooks.keys())),
        roles_for=lambda crisis_type, severity: holders(
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
    duty = build_duty(core, site=site, settings=settings, clock=clock)
    planner = SlackEffects(site=site, catalog=core.catalog, wake=wake, invitees=duty.invitees)
    paging = build_paging(core, site=site, settings=settings, duty=duty, clock=clock)
    core.incidents.planners = (planner, paging.planner)
    reminders, ticker = build_reminders(core, site=site, wake=wake)
    store = OutboxStore.on(core.engine)
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
    listening_config = listening_settings(core, site)
    listening_incidents = build_listening_incidents(core, listening_config)
    handler = CommandHandler(incidents=core.incidents, store=store, catalog=core.catalog,
                             site=site, clock=clock, postmortems=postmortems,
                             members=ChannelMembers(client=sync_client, store=store),
                             listening=listening_incidents.view if listening_config.keywords else None,
                             duty=OncallHandler(duty=duty, zone=duty.rota.tz))
    statements = build_statements(core, site=site, handler=handler, publishing=paging.publish)
    knowledge = build_knowledge_slack(core, handler=handler, contacts=statements.service.contact)
    inbox = SlackInbox(core.engine)
    in_flight = InFlight()
    sweeper = InboxSweeper(inbox=inbox, handler=handler, clock=clock, in_flight=in_flight)
    # Acknowledged work runs here, off the event loop: incidents in parallel, each in order,
    # what is queued for one incident taken together. While Slack requests wait for their
    # ack, the workers hold back (AckPressure): a job is mostly Python work holding the GIL.
    # (On PostgreSQL this once slowed one incident's burst, run one command at a time; taken
    # together, a burst no longer waits on it: 50 clients back to back went from x0.38 of the
    # floor's throughput to x0.80.)
    pressure = AckPressure()
    workers = KeyedWorkers(workers=COMMAND_WORKERS, capacity=COMMAND_BACKLOG,
                           pause=pressure.wait_quiet)
    app = build_app(handler=handler, api_url=settings.slack_api_url,
                    bot_token=settings.slack_bot_token, signing_secret=settings.slack_signing_secret,
                    statements=statements, inbox=inbox, identity=identity, workers=workers,
                    in_flight=in_flight, knowledge=knowledge, extra_listeners=(paging.listeners,))
    alerts = build_alerts(core, site, duty=duty)
    handler.alerts = alerts
    drills, drill_ticker = build_drills(core, site=site, handler=handler, wake=wake)
    poller = Poller(sources=site.monitors.sources, ingest=alerts.ingest_many,
                    samples=SqlSampleStore(core.engine), clock=clock,
                    leader=LeaderLock(core.engine, "monitor-pollers"))
    listening = build_listening(core, site, alerts=alerts, config=listening_config,
                                incidents=listening_incidents)
    running: dict[str, Any] = {}

    def startup() -> None:
        identity.start()  # auth.test once, in the background: no request waits for it
        knowledge.knowledge.store.warm()  # the knowledge index, built in the background
        if start_gateway:
            running["thread"], running["stop"] = gateway.start()
        if start_gateway if start_ticker is None else start_ticker:
            ticker.start()
            sweeper.start()
            drill_ticker.start()
        if start_pollers and poller.sources:
            running["poller"], running["poller_stop"] = poller.start()
        if start_pollers and listening.config.enabled:
            running["listening"], running["listening_stop"] = listening.poller.start()
        if ((paging.config.enabled or paging.publish.audiences)
                and (start_gateway if start_ticker is None else start_ticker)):
            running["paging"] = paging.start()

    def shutdown() -> None:
        workers.close(wait=True)  # running work finishes; queued commands stay in the inbox
        ticker.stop()
        drill_ticker.stop()
        sweeper.stop()
        if "stop" in running:
            running["stop"].set()
            gateway.wake.set()
            running["thread"].join(timeout=10)
        if "poller_stop" in running:
            running["poller_stop"].set()
            running["poller"].join(timeout=10)
        if "listening_stop" in running:
            running["listening_stop"].set()
            running["listening"].join(timeout=10)
        for thread, stop in running.get("paging", ()):
            stop.set()
            paging.wake.set()
            thread.join(timeout=10)

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
                    extra_routes=[*paging.routes, *(dark_site(core, site).routes()
                                                    if site.dark_site.configured else ())],
                    posts_webhook=listening.webhook,
                    pressure=pressure)
    return Bot(core=core, site=site, handler=handler, gateway=gateway, slack_app=app, web=web,
               metrics=metrics, reminders=reminders, ticker=ticker, alerts=alerts,
               poller=poller, sweeper=sweeper, identity=identity, drills=drills,
               drill_ticker=drill_ticker, listening=listening, paging=paging, workers=workers)


def dark_site(core: Core, site: SiteConfig) -> DarkSite:
    """The crisis dark site over the core's database (served, or exported as files). With a
    ``publish:`` section, it shows only the audiences that have a ``site`` target."""
    config = site.dark_site
    publish = load_publish(core.settings.config_path, site.raw)
    if publish.audiences:
        config = replace(config, audiences=tuple(a for a in config.audiences
                                                 if a in publish.site_audiences()))
    return DarkSite(engine=core.engine, policy=core.catalog.policy, config=config,
                    clock=core.clock)


def build_duty(core: Core, *, site: SiteConfig, settings: Settings,
               clock: Callable[[], datetime]) -> DutyService:
    """The duty rota of the site config (``oncall:``), its calendars and Slack overrides."""
    oncall = load_oncall(settings.config_path, site.raw)
    shifts = None
    if oncall.ical:  # icalendar loads only when a calendar rota is configured
        from bot.adapters.oncall.ical import IcalShifts

        shifts = IcalShifts(oncall).shifts
    duty = DutyService(rota=oncall.rota, store=SqlOverrides(session_factory(core.engine)),
                       clock=clock, roster=site.roster, shifts=shifts)
    duty.refresh()  # before any transaction may look (the planner, monitors)
    return duty


@dataclass
class Paging:
    """Paging outside Slack: the threads' planner, the service that sends due pages, the
    outbound worker (vendor deliveries) and the acknowledgement links."""

    config: PagingConfig
    publish: PublishConfig
    planner: PagingPlanner
    service: PagingService
    worker: OutboundWorker
    links: AckLinks
    wake: threading.Event
    routes: list

    def listeners(self, app: AsyncApp) -> None:
        register_paging_listeners(app, acknowledge=self.acknowledge_in_slack)

    def acknowledge_in_slack(self, number: int, user: str) -> list[str]:
        return self.service.acknowledge(number, user=user, via="slack")

    def acknowledge_by_link(self, number: int, user: str) -> list[str]:
        return self.service.acknowledge(number, user=user, via="link")

    def step(self) -> None:
        """One pass: refresh the duty overrides, send due pages, deliver due messages."""
        self.service.duty.refresh()
        self.service.tick()
        self.worker.run_due()

    def start(self) -> list:
        return [start_loop("crisisbot-paging", self.step, wake=self.wake, interval=5.0)]


def build_paging(core: Core, *, site: SiteConfig, settings: Settings, duty: DutyService,
                 clock: Callable[[], datetime]) -> Paging:
    config = load_paging(settings.config_path, site.raw)
    publish = load_publish(settings.config_path, site.raw)
    sessions = session_factory(core.engine)
    wake = threading.Event()
    links = AckLinks(secret=settings.slack_signing_secret or "", public_url=config.public_url)
    planner = PagingPlanner(config=config, catalog=core.catalog, links=links, wake=wake)
    service = PagingService(
        incidents=core.incidents, store=SqlPages(sessions), duty=duty, policy=config.policy,
        clock=clock, channels_of=lambda user: tuple(c.channel for c in config.people.get(user, ())))
    # One outbound outbox for pages and publications; publish targets are `publish:<name>`.
    channels = {**config.channels, **{f"publish:{name}": target
                                      for name, target in publish.targets.items()}}
    published = PublishService(incidents=core.incidents,
                               kind_of=lambda name: publish.targets[name].type
                               if name in publish.targets else "")
    slack_outbox = OutboxStore.on(core.engine)
    worker = OutboundWorker(
        store=OutboundStore(sessions), channels=lambda: channels, clock=clock,
        extra_senders={"site": send_site, "slack": slack_sender(slack_outbox.add, clock)},
        on_result=lambda delivery, status, error: (
            published.record(delivery, status, error) if delivery.purpose == "publish" else None))
    paging = Paging(config=config, publish=publish, planner=planner, service=service,
                    worker=worker, links=links, wake=wake, routes=[])
    paging.routes = ack_routes(links=links, acknowledge=paging.acknowledge_by_link)
    return paging


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


def build_statements(core: Core, *, site: SiteConfig, handler: CommandHandler,
                     publishing: PublishConfig | None = None) -> StatementHandler:
    """Statements: templates, lint settings, the service, its Slack planner and handler."""
    directory = playbooks_dir(core.settings)
    config = load_statement_settings(playbooks=directory, site=site)
    service = StatementService(
        incidents=core.incidents,
        drafter=StatementTemplates(directory=directory, settings=config, catalog=core.catalog),
        lint=config.lint, contact=config.contacts,
    )
    targets = publishing is not None and bool(publishing.audiences)
    effects = StatementEffects(
        catalog=core.catalog, lint=config.lint, contact=config.contacts,
        comms_channel=config.comms_channel,
        extra_blocks=card_with_deliveries if targets else None)
    # The publish planner queues the deliveries before the card is refreshed with their state.
    publisher = (PublishPlanner(config=publishing, company=site.company_name,
                                refresh_card=effects.refresh_card),) if targets else ()
    core.incidents.planners = (*core.incidents.planners, *publisher, effects)
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
        listening=listening_review(core, listening_settings(core, site or SiteConfig())),
    )


def build_drills(core: Core, *, site: SiteConfig, handler: CommandHandler | None = None,
                 wake: threading.Event | None = None) -> tuple[Any, Any]:
    """Drills: the scenarios, their store, the drill alert pipeline, the service, its
    ``/crisis drill`` handler and the ticker that fires injects and keeps the calendar."""
    from bot.adapters.db.drills import SqlDrillStore
    from bot.adapters.drills.alerts import drill_router
    from bot.adapters.drills.calendar import DrillCalendar
    from bot.adapters.drills.config import drill_settings
    from bot.adapters.drills.handler import DrillHandler
    from bot.adapters.drills.loader import load_scenarios
    from bot.adapters.drills.messages import SlackDrillNarrator
    from bot.adapters.drills.ticker import DrillTicker
    from bot.services.drills import DrillService

    settings = drill_settings(site, source=str(core.settings.config_path or "site config"))
    directory = playbooks_dir(core.settings)
    scenarios = load_scenarios(directory, catalog=core.catalog)
    store = SqlDrillStore(session_factory(core.engine))
    lint = load_statement_settings(playbooks=directory, site=site)
    pipeline = AlertService(incidents=core.incidents, router=drill_router,
                            policy=AlertPolicy(raise_severity=False))

    def statement_lint_errors(incident: Any, statement_id: int) -> int:
        return sum(1 for f in incident.lint_statement(statement_id, rules=lint.lint,
                                                      contact=lint.contacts) if f.is_error)

    def notify() -> None:
        if wake is not None:
            wake.set()

    service = DrillService(incidents=core.incidents, scenarios=scenarios, store=store,
                           narrator=SlackDrillNarrator(), ingest_alert=pipeline.ingest,
                           statement_lint_errors=statement_lint_errors, wake=notify)

    def outbox_add(kind: str, payload: dict[str, Any], *, at: datetime) -> None:
        with core.incidents.uow_factory() as uow:
            uow.outbox.add(kind, payload, at=at)
            uow.commit()
        notify()

    calendar = DrillCalendar(settings=settings, store=store, outbox_add=outbox_add,
                             clock=core.clock, scenarios=lambda: list(scenarios),
                             execs=tuple(site.roster.get(Role.EXEC, ())))
    if handler is not None:
        handler.drills = DrillHandler(service=service, commands=handler, settings=settings).handle
    return service, DrillTicker(service=service, calendar=calendar,
                                interval=core.settings.reminder_interval)


def build_knowledge(core: Core) -> KnowledgeService:
    """The knowledge base: cases in ``kb_cases`` with this process's in-memory search index."""
    from bot.adapters.knowledge.base import KnowledgeBase

    return KnowledgeService(store=KnowledgeBase(core.engine), catalog=core.catalog,
                            clock=core.clock, incidents=core.incidents)


def build_knowledge_slack(core: Core, *, handler: CommandHandler,
                          contacts: Any) -> KnowledgeHandler:
    """The knowledge base in Slack: resolved incidents become cases (same transaction), new
    incidents get "Similar past crises", ``/crisis lessons`` and its buttons."""
    service = build_knowledge(core)
    slack = KnowledgeHandler(knowledge=service, commands=handler, contacts=contacts)
    core.incidents.planners = (
        *core.incidents.planners,
        KnowledgeProjector(knowledge=service),
        KnowledgeEffects(knowledge=service, public=slack.public, catalog=core.catalog),
    )
    handler.knowledge = slack
    return slack


@dataclass
class Listening:
    """Raw posts in (``POST /monitors/posts``, polled exports) and what they feed."""

    config: Any
    service: Callable[[], Any]
    poller: Any
    webhook: Callable[..., Any]
    incidents: Any


def listening_settings(core: Core, site: SiteConfig) -> Any:
    """The site config's ``listening:`` section (a bad one fails start-up with one line)."""
    from bot.adapters.listening.config import parse_listening

    path = core.settings.config_path
    return parse_listening(site.raw.get("listening"), source=str(path or "site config"),
                           base=path.parent if path else None)


def build_listening_incidents(core: Core, config: Any) -> Any:
    """Digests, KOL callouts, the KOL-pool briefing task and ``/crisis listening`` views."""
    from bot.adapters.db.listening import SqlListeningMarks, SqlPostStore
    from bot.adapters.slack.listening import SlackListeningMessages
    from bot.services.listening_incidents import ListeningIncidents, ListeningSettings

    return ListeningIncidents(
        incidents=core.incidents, posts=SqlPostStore(core.engine).posts,
        marks=SqlListeningMarks(core.engine), messages=SlackListeningMessages(), clock=core.clock,
        settings=ListeningSettings(kol_followers=config.kol_followers, kol_pool=config.kol_pool,
                                   brief_within=config.brief_within, digest_every=config.digest_every,
                                   digest_top=config.digest_top, lang=config.lang))


def listening_review(core: Core, config: Any) -> Callable[[int], Any] | None:
    """The post-mortem's listening figures of an incident (None without a keyword library)."""
    if not config.keywords:
        return None
    from datetime import timedelta

    from bot.adapters.db.listening import SqlPostStore
    from bot.domain.listening_review import LOOKBACK, review

    store = SqlPostStore(core.engine)
    competitors = [e.name for e in config.keywords if e.cls == "competitor"]

    def figures(number: int) -> Any:
        incident = core.incidents.get(number)
        as_of = core.clock()
        end = incident.resolved_at or as_of
        posts = store.posts(since=incident.declared_at - LOOKBACK - timedelta(hours=48),
                            until=end + timedelta(hours=24))
        return review(posts, declared_at=incident.declared_at, resolved_at=incident.resolved_at,
                      as_of=as_of, kol_followers=config.kol_followers, competitors=competitors)

    return figures


def build_listening(core: Core, site: SiteConfig, *, alerts: AlertService, config: Any,
                    incidents: Any) -> Listening:
    """The ``listening:`` section wired up. The classifier (jieba, sentiment models) loads
    with the first batch of posts, pandas with the first evaluation of the post rules;
    neither at start-up."""
    from bot.adapters.db.listening import SqlPostStore
    from bot.adapters.listening.http import posts_endpoint
    from bot.adapters.listening.poller import PostSourcePoller
    from bot.services.listening import ListeningService

    store = SqlPostStore(core.engine)
    lock = threading.Lock()
    built: list[ListeningService] = []

    def service() -> ListeningService:
        with lock:
            if not built:
                from bot.adapters.listening.classify import ClassifierOnFirstPosts, PostClassifier
                from bot.adapters.listening.series import PostRules

                competitors = [e.name for e in config.keywords if e.cls == "competitor"]
                built.append(ListeningService(
                    classifier=ClassifierOnFirstPosts(
                        lambda: PostClassifier(keywords=config.keywords)), store=store,
                    rules=PostRules(rules=config.rules, posts=store.posts,
                                    samples=SqlSampleStore(core.engine), competitors=competitors),
                    alerts=alerts.ingest_batch, clock=core.clock,
                    evaluate_every=config.evaluate_every))
            return built[0]

    periodic: list[Callable[[], object]] = [lambda: service().evaluate()] if config.rules else []
    if config.keywords:
        periodic.append(incidents.tick)
    poller = PostSourcePoller(sources=config.sources, service=service, clock=core.clock,
                              periodic=periodic, leader=LeaderLock(core.engine, "listening"))
    webhook = posts_endpoint(secret=core.settings.monitor_secret, service=service,
                             allow_bare_signature=site.monitors.allow_signatures_without_timestamp)
    return Listening(config=config, service=service, poller=poller, webhook=webhook,
                     incidents=incidents)
