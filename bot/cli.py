"""``crisisbot`` — the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from bot.settings import Settings

DESCRIPTION = """\
crisisbot coordinates an e-commerce crisis in Slack: incident channels, staged playbooks
(assess → respond → communicate → recover), statements, deadline clocks and post-mortems.
Configuration comes from environment variables (and ./.env); see README.md."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crisisbot", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    commands.add_parser(
        "demo", help="run a scripted crisis against the built-in Slack emulator",
        description="Run a complete scripted crisis with no Slack workspace, no token and no "
        "network: the local Slack Web API emulator and the real bot in one process, on a "
        "throw-away SQLite database. Prints the incident channel's transcript.",
    )

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

    report = commands.add_parser(
        "report", help="compare the response across incidents",
        description="Per crisis type and severity: incidents, time to team, time to first "
        "statement, share of first statements within 4 h, time to resolve, clocks missed.",
    )
    report.add_argument("--since", metavar="DATE",
                        help="only incidents declared on or after DATE (YYYY-MM-DD, UTC)")
    report.add_argument("--format", choices=("md", "html", "csv"), default="md")
    report.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write to FILE instead of standard output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    handler = {
        "demo": _demo,
        "serve": _serve,
        "db": _db,
        "playbooks": _playbooks,
        "incidents": _incidents,
        "postmortem": _postmortem,
        "report": _report,
        "verify": _verify,
    }[args.command]
    try:
        return handler(args, settings)
    except OperationalError as exc:
        print(f"crisisbot: cannot reach the database {safe_url(settings.database_url)}: "
              f"{_first_line(exc.orig or exc)}", file=sys.stderr)
        return 2


def safe_url(url: str) -> str:
    """The database URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    return run_demo()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
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
    if args.incident:
        text = args.incident.strip().upper().removeprefix("INC-")
        if not text.isdigit():
            print(f"crisisbot: {args.incident!r} is not an incident id like INC-7", file=sys.stderr)
            return 2
        numbers = [int(text)]
    engine = make_engine(settings.database_url)
    try:
        reports = verify_all(engine, numbers)
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
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"{directory}: all playbooks valid")
    return 0


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
    from datetime import datetime, timezone

    from bot.adapters.rendering.postmortem import portfolio
    from bot.bootstrap import build_core, build_postmortems

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
        service = build_postmortems(core)
        reports = [
            service.renderer.report(service.source(row.number))
            for row in core.incidents.list()
            if since is None or row.declared_at >= since
        ]
    finally:
        core.close()
    frame = portfolio.portfolio_frame(reports)
    text = {
        "md": lambda: portfolio.render_portfolio_markdown(frame, since=since),
        "html": lambda: portfolio.render_portfolio_html(frame, since=since),
        "csv": lambda: portfolio.render_portfolio_csv(frame),
    }[args.format]()
    _write(text, args.output, f"report of {len(reports)} incident(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
