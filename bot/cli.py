"""``crisisbot`` — the command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from bot.adapters.knowledge.cli import add_kb_parser, run_kb
from bot.cli_errors import EXIT_EXPECTED, explain
from bot.settings import Settings, withhold_from_libraries

DESCRIPTION = """\
crisisbot coordinates an e-commerce crisis in Slack: incident channels, staged playbooks
(assess → respond → communicate → recover), statements, deadline clocks and post-mortems.
Configuration comes from environment variables (and ./.env); see README.md."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crisisbot", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of any failure (or set CRISISBOT_DEBUG=1)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    commands.add_parser(
        "demo", help="run a scripted crisis against the built-in Slack emulator",
        description="Run a complete scripted crisis with no Slack workspace, no token and no "
        "network: the local Slack Web API emulator and the real bot in one process, on a "
        "throw-away SQLite database. Prints the incident channel's transcript.",
    )

    drill = commands.add_parser(
        "drill", help="drill scenarios: list them, or rehearse one against the local emulator",
        description="List the drill scenarios (playbooks/drills), or run one against the built-in "
        "Slack emulator for a facilitator rehearsing it: the clock jumps from inject to inject, "
        "the drill channel is printed, and the scorecard files are kept.",
    )
    drill_commands = drill.add_subparsers(dest="drill_command", metavar="ACTION")
    drill_commands.required = True
    drill_commands.add_parser("list", help="list the drill scenarios")
    drill_run = drill_commands.add_parser("run", help="rehearse a scenario against the emulator")
    drill_run.add_argument("scenario", help="the scenario, e.g. courier-strike-festival")
    drill_run.add_argument("--scale", metavar="DURATION",
                           help="the drill's length on the wall clock (default: the scenario's)")

    serve = commands.add_parser(
        "serve", help="run the bot: Slack endpoint, webhooks, scheduler",
        description="Serve POST /slack/events, GET /healthz and GET /metrics (HTTP mode), or "
        "connect with Socket Mode (SLACK_APP_TOKEN). Applies pending migrations first.",
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    serve.add_argument("--socket-mode", action="store_true",
                       help="receive Slack traffic over Socket Mode instead of HTTP")

    db = commands.add_parser("db", help="database schema management")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_commands.required = True
    db_commands.add_parser(
        "upgrade", help="apply pending migrations to CRISISBOT_DATABASE_URL",
        description="Apply every pending Alembic migration to CRISISBOT_DATABASE_URL.",
    )
    grant = db_commands.add_parser(
        "grant-runtime", help="give ROLE only what `serve` needs (PostgreSQL)",
        description="Run as the schema owner: ROLE gets SELECT/INSERT on the timeline and what "
                    "else the bot needs; see docs/deploy.md.",
    )
    grant.add_argument("role", metavar="ROLE")

    verify = commands.add_parser(
        "verify", help="check the timeline's hash chain and the snapshots",
        description="Recompute each incident's timeline hash chain; print its head, or the first "
                    "event that was changed, removed or reordered. Compare each incident's stored "
                    "snapshot (plus the events after it) with a replay of its whole timeline. "
                    "Exit 1 if any chain is broken or any snapshot differs from the replay.",
    )
    verify.add_argument("incident", nargs="?", metavar="INC-N", help="one incident (default: all)")
    verify.add_argument("--events", type=int, metavar="N",
                        help="only the first N events: the head a post-mortem quoted")

    playbooks = commands.add_parser("playbooks", help="check playbooks and severities")
    playbook_commands = playbooks.add_subparsers(dest="playbooks_command", metavar="ACTION")
    playbook_commands.required = True
    validate = playbook_commands.add_parser(
        "validate", help="validate a playbook directory",
        description="Validate severities.yaml, every playbook and every statement template "
        "(rendered with a sample context in both languages and linted). Exit 0 when valid; "
        "otherwise print each problem as FILE:LINE: (WHERE) MESSAGE and exit 1.",
    )
    validate.add_argument(
        "directory", nargs="?", type=Path,
        help="directory to check (default: CRISISBOT_PLAYBOOKS or the bundled playbooks/)",
    )

    monitors = commands.add_parser("monitors", help="try and check monitor webhooks and mappings")
    monitor_commands = monitors.add_subparsers(dest="monitors_command", metavar="ACTION")
    monitor_commands.required = True
    monitor_test = monitor_commands.add_parser(
        "test", help="print what a webhook body would become, storing nothing",
        description="Parse FILE as the webhook NAME receives it (alertmanager, grafana, generic "
        "or a custom mapping of the site config) and print the alerts, their route and group. "
        "Nothing is stored and nothing is posted.",
    )
    monitor_test.add_argument("name", help="alertmanager, grafana, generic or a custom mapping name")
    monitor_test.add_argument("file", type=Path, help="a JSON body, as the tool would send it")
    monitor_validate = monitor_commands.add_parser(
        "validate", help="check the monitors section of the site config",
        description="Check the monitors: section (custom mappings included); print each problem "
        "as FILE:LINE: WHERE: MESSAGE and exit 1, or exit 0 when valid.",
    )
    monitor_validate.add_argument("config", nargs="?", type=Path,
                                  help="the site config (default: CRISISBOT_CONFIG)")

    incidents = commands.add_parser(
        "incidents", help="list incidents", description="List incidents, newest first."
    )
    incidents.add_argument("--open", action="store_true", help="only incidents not yet resolved")

    postmortem = commands.add_parser(
        "postmortem", help="build an incident's post-mortem",
        description="Build the post-mortem of one incident from its stored timeline (the stored "
        "version when the data has not changed) and print it, or write it to FILE.",
    )
    postmortem.add_argument("incident", help="the incident, e.g. INC-7")
    postmortem.add_argument("--format", choices=("md", "html", "json"), default="md",
                            help="md (default), self-contained html with charts, or json")
    postmortem.add_argument("-o", "--output", type=Path, metavar="FILE",
                            help="write to FILE instead of standard output")
    postmortem.add_argument("--lang", choices=("en", "zh", "both"),
                            help="headings language (default: postmortem_lang of the site config, or en)")

    outbox = commands.add_parser(
        "outbox", help="Slack effects not yet delivered; retry a failed one",
        description="List the Slack effects waiting for delivery and those given up on "
        "(dead letters), or put a failed one back in the queue: crisisbot outbox retry ID.",
    )
    outbox.add_argument("--failed", action="store_true", help="only effects given up on")
    outbox.add_argument("action", nargs="?", choices=("retry",), help="retry a failed effect")
    outbox.add_argument("effect", nargs="?", type=int, metavar="ID", help="the effect to retry")

    report = commands.add_parser(
        "report", help="compare the response across incidents",
        description="Per crisis type and severity: incidents, time to team, time to first "
        "statement, share of first statements within 4 h, time to resolve, clocks missed.",
    )
    report.add_argument("--since", metavar="DATE",
                        help="only incidents declared on or after DATE (YYYY-MM-DD, UTC)")
    report.add_argument("--format", choices=("md", "html", "csv"), default="md")
    report.add_argument("--drills", action="store_true",
                        help="drill readiness per team and scenario over time (drills are "
                             "otherwise left out of the report)")
    report.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write to FILE instead of standard output")

    site = commands.add_parser("site", help="the crisis dark site")
    site_commands = site.add_subparsers(dest="site_command", required=True)
    site_export = site_commands.add_parser(
        "export", help="write the dark site as static files for a CDN",
        description="Write the dark site (index.html, en/, zh/, feed.atom, feed.json) into DIR, "
        "as `crisisbot serve` would show it now.",
    )
    site_export.add_argument("directory", type=Path, metavar="DIR")
    site_export.add_argument("--base-url", metavar="URL",
                             help="absolute URL the files will be served from (feed links); "
                             "default: dark_site.base_url")
    add_kb_parser(commands)
    report.add_argument("--alerts", action="store_true",
                        help="signal rules: precision, lead time and a suggested threshold")
    report.add_argument("--apply", action="store_true",
                        help="with --alerts: write suggestions into the site config, each after a y/N")
    from bot.adapters.oncall.check import add_parser as add_oncall_parser
    add_oncall_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("CRISISBOT_DEBUG", "").strip().lower() in ("1", "true", "yes")
    handler = {
        "demo": _demo,
        "drill": _drill,
        "serve": _serve,
        "db": _db,
        "playbooks": _playbooks,
        "monitors": _monitors,
        "incidents": _incidents,
        "postmortem": _postmortem,
        "report": _report,
        "verify": _verify,
        "outbox": _outbox,
        "site": _site,
        "kb": run_kb,
        "oncall": _oncall,
    }[args.command]
    settings: Settings | None = None
    try:
        settings = Settings.from_env()
        withhold_from_libraries()
        return handler(args, settings)
    except (Exception, SystemExit) as exc:  # expected failures: one line (bolt's own exits pass)
        message = None if debug else explain(exc, settings=settings)
        if message is None:
            raise
        print(f"crisisbot: {message}", file=sys.stderr)
        return EXIT_EXPECTED


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    return run_demo(settings=settings)


def _site(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.site.command import export_command

    return export_command(directory=args.directory, base_url=args.base_url, settings=settings)


def _drill(args: argparse.Namespace, settings: Settings) -> int:
    from bot.domain.durations import parse_duration
    from bot.drill_rehearsal import list_scenarios, run_rehearsal

    if args.drill_command == "list":
        return list_scenarios(settings=settings)
    try:
        scale = parse_duration(args.scale) if args.scale else None
    except ValueError as exc:
        print(f"crisisbot: --scale: {exc}", file=sys.stderr)
        return 2
    return run_rehearsal(args.scenario, settings=settings, scale=scale)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.collector import paused_for_startup

    with paused_for_startup():  # start-up makes long-lived objects, not garbage
        from bot.server import serve

    return serve(settings, host=args.host, port=args.port, socket_mode=args.socket_mode)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.db import make_engine, upgrade

    engine = make_engine(settings.database_url)
    try:
        if args.db_command == "grant-runtime":
            return _grant_runtime(engine, args.role)
        revision = upgrade(engine)
    finally:
        engine.dispose()
    print(f"database at revision {revision}")
    return 0


def _grant_runtime(engine, role: str) -> int:
    from bot.adapters.db.grants import GrantError, grant_runtime

    try:
        grant_runtime(engine, role)
    except GrantError as exc:
        print(f"crisisbot: {exc}", file=sys.stderr)
        return 2
    print(f"role {role} may now read everything, append to the timeline (never change it) and "
          "update the working tables; re-run after each `crisisbot db upgrade`")
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.db import make_engine
    from bot.adapters.db.chain import verify_all
    from bot.adapters.db.snapshots import SNAPSHOT_STATUS, check_all

    numbers = None
    if args.events is not None and (args.events < 0 or not args.incident):
        print("crisisbot: --events needs one incident and a number of events >= 0", file=sys.stderr)
        return 2
    if args.incident:
        text = args.incident.strip().upper().removeprefix("INC-")
        if not text.isdigit():
            print(f"crisisbot: {args.incident!r} is not an incident id like INC-7", file=sys.stderr)
            return 2
        numbers = [int(text)]
    engine = make_engine(settings.database_url)
    try:
        reports = verify_all(engine, numbers, first=args.events)
        snapshots = {s.incident: s for s in check_all(engine, numbers)}
    finally:
        engine.dispose()
    broken = 0
    for report in reports:
        snapshot = snapshots.get(report.incident)
        if snapshot is not None:
            print(f"INC-{report.incident}: {SNAPSHOT_STATUS[snapshot.status].format(tail=snapshot.tail)}")
            broken += 0 if snapshot.consistent else 1
        if report.intact:
            print(f"INC-{report.incident}: intact, {report.events} events, chain head {report.head}")
            continue
        broken += 1
        event = report.broken
        assert event is not None
        print(f"INC-{report.incident}: BROKEN at event {report.broken_index} (row id {event.row_id}, "
              f"{event.name}, {event.at.isoformat()}): its stored hash does not follow from the "
              f"event before it and its own content, so this event was changed or one before it "
              f"was removed or reordered; the {report.events} events before it are intact, "
              f"head {report.head}")
    if not reports:
        print("no incidents to verify" if numbers is None else f"there is no incident INC-{numbers[0]}")
        return 0 if numbers is None else 2
    return 1 if broken else 0


def _playbooks(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.playbooks import validate_dir
    from bot.adapters.rendering.statements import validate_statement_templates
    from bot.bootstrap import playbooks_dir

    directory = args.directory or playbooks_dir(settings)
    problems = validate_dir(directory)
    problems += validate_statement_templates(directory) if Path(directory).is_dir() else []
    problems += _drill_problems(directory, problems)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"{directory}: all playbooks valid")
    return 0


def _drill_problems(directory: Path, problems: list) -> list:
    """Problems of the drill scenarios under ``DIRECTORY/drills`` (checked against the
    playbooks when those are valid)."""
    from bot.adapters.drills.loader import validate_scenarios
    from bot.adapters.playbooks import load_catalog

    catalog = None if problems else load_catalog(directory)
    return validate_scenarios(directory, catalog=catalog)


def _monitors(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.monitors.commands import test_body, validate_config
    from bot.adapters.playbooks import load_catalog
    from bot.bootstrap import playbooks_dir
    from bot.domain.errors import InvalidInput
    from bot.siteconfig import load_site_config

    if args.monitors_command == "validate":
        path = args.config or settings.config_path
        if path is None:
            print("crisisbot: name the site config (or set CRISISBOT_CONFIG)", file=sys.stderr)
            return 2
        return validate_config(path, out=sys.stdout)
    try:
        site = load_site_config(settings.config_path)
        catalog = load_catalog(playbooks_dir(settings))
    except InvalidInput as exc:
        print(f"crisisbot: {exc.message}", file=sys.stderr)
        return 2
    return test_body(name=args.name, body_path=args.file, config=site.monitors,
                     crisis_types=catalog.playbooks.keys(), out=sys.stdout)


def _incidents(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bootstrap import build_core

    core = build_core(settings)
    try:
        rows = core.incidents.list(open_only=args.open)
    finally:
        core.close()
    if not rows:
        print("no open incidents" if args.open else "no incidents")
        return 0
    print(f"{'ID':<8} {'SEV':<3} {'STAGE':<12} {'STATUS':<9} {'TASKS':>5}  {'DECLARED (UTC)':<16}  TITLE")
    for row in rows:
        print(
            f"{row.id:<8} {row.severity:<3} {row.stage:<12} {row.status:<9} {row.open_tasks:>5}  "
            f"{row.declared_at:%Y-%m-%d %H:%M}  {row.title}"
        )
    return 0


def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.db import make_engine, upgrade
    from bot.adapters.db.outbox import OutboxStore

    if args.action == "retry" and args.effect is None:
        print("crisisbot outbox retry needs the effect's ID (see `crisisbot outbox --failed`)",
              file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        store = OutboxStore.on(engine)
        if args.action == "retry":
            if not store.retry(args.effect):
                print(f"no failed effect {args.effect} (see `crisisbot outbox --failed`)",
                      file=sys.stderr)
                return 1
            print(f"effect {args.effect} queued again; the running bot delivers it")
            return 0
        rows = store.listing(failed_only=args.failed)
    finally:
        engine.dispose()
    if not rows:
        print("no failed effects" if args.failed else "nothing waiting: every effect was delivered")
        return 0
    print(f"{'ID':>7}  {'INCIDENT':<9} {'KIND':<22} {'STATUS':<8} {'TRIES':>5}  "
          f"{'RECORDED (UTC)':<16}  LAST ERROR")
    for row in rows:
        label = f"INC-{row.incident}" if row.incident is not None else "-"
        print(f"{row.id:>7}  {label:<9} {row.kind:<22} {row.status:<8} {row.attempts:>5}  "
              f"{row.created_at:%Y-%m-%d %H:%M}  {(row.last_error or '').splitlines()[0][:80] if row.last_error else ''}")
    return 0


def _write(text: str, output: Path | None, what: str) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"{what} written to {output}", file=sys.stderr)


def _postmortem(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bootstrap import build_core, build_postmortems
    from bot.domain.errors import DomainError
    from bot.domain.incident import parse_incident_id
    from bot.siteconfig import load_site_config

    try:
        number = parse_incident_id(args.incident)
        site = load_site_config(settings.config_path)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    core = build_core(settings)
    try:
        stored = build_postmortems(core, site=site).generate(number, by="cli", lang=args.lang)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        core.close()
    rendered = stored.rendered
    text = {"md": rendered.markdown, "html": rendered.html, "json": rendered.json}[args.format]
    _write(text, args.output, f"{stored.incident_label} post-mortem v{stored.version}")
    return 0


def _report(args: argparse.Namespace, settings: Settings) -> int:
    if args.alerts or args.apply:
        from bot.alert_report import report_alerts

        return report_alerts(args, settings)
    from datetime import datetime, timezone

    from bot.adapters.db.drills import SqlDrillStore
    from bot.adapters.db.uow import session_factory
    from bot.adapters.drills.readiness import render_readiness
    from bot.adapters.knowledge.report import add_repeated
    from bot.adapters.rendering.postmortem import portfolio
    from bot.bootstrap import build_core, build_knowledge, build_postmortems

    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            print(f"--since `{args.since}` is not a date; write it as YYYY-MM-DD", file=sys.stderr)
            return 2
        since = since if since.tzinfo else since.replace(tzinfo=timezone.utc)
    core = build_core(settings)
    try:
        drills = SqlDrillStore(session_factory(core.engine))
        if args.drills:
            runs = [r for r in drills.runs() if since is None or r[0].started_at >= since]
            _write(render_readiness(runs, fmt=args.format), args.output,
                   f"readiness of {len(runs)} drill run(s)")
            return 0
        excluded = drills.drill_incidents()  # drills never count in the real figures
        service = build_postmortems(core)
        reports = [
            service.renderer.report(service.source(row.number))
            for row in core.incidents.list()
            if (since is None or row.declared_at >= since) and row.number not in excluded
        ]
        repeated = build_knowledge(core).repeated(since=since.date() if since else None)
    finally:
        core.close()
    frame = portfolio.portfolio_frame(reports)
    text = {
        "md": lambda: portfolio.render_portfolio_markdown(frame, since=since),
        "html": lambda: portfolio.render_portfolio_html(frame, since=since),
        "csv": lambda: portfolio.render_portfolio_csv(frame),
    }[args.format]()
    text = add_repeated(text, repeated, fmt=args.format)
    _write(text, args.output, f"report of {len(reports)} incident(s)")
    return 0


def _oncall(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.oncall.check import check_config

    path = args.config or settings.config_path
    if path is None:
        print("crisisbot: name the site config (or set CRISISBOT_CONFIG)", file=sys.stderr)
        return 2
    return check_config(path, out=sys.stdout, err=sys.stderr, days=args.days)


if __name__ == "__main__":
    sys.exit(main())

