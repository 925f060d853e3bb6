"""``crisisbot kb import FILE | list | show ID | export`` — the knowledge base on the command line.

The command line is the operator's view: it lists every case, confidential ones included
(marked), as ``crisisbot postmortem`` shows any incident to whoever holds the database URL.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.settings import Settings


def add_kb_parser(commands: Any) -> None:
    kb = commands.add_parser(
        "kb", help="the knowledge base: import, list, show, export past cases",
        description="Past crises and their lessons: cases built from every resolved incident, "
        "plus historical cases imported from YAML or CSV (columns id, title, crisis_type, "
        "severity, date, summary, worked, didnt, lessons, tags; lists separated by |).",
    )
    actions = kb.add_subparsers(dest="kb_command", metavar="ACTION")
    actions.required = True
    imp = actions.add_parser("import", help="import historical cases (all or nothing)",
                             description="Import the cases of FILE (.yaml/.yml or .csv). Every "
                             "bad entry is reported as FILE:LINE: message; then nothing is "
                             "imported (exit 1). A case with an id already stored replaces it. "
                             "--samples imports the 30 sample cases shipped with crisisbot.")
    imp.add_argument("file", type=Path, metavar="FILE", nargs="?")
    imp.add_argument("--samples", action="store_true",
                     help="import the sample cases shipped with crisisbot (samples/cases.yaml)")
    lst = actions.add_parser("list", help="list the cases")
    lst.add_argument("--type", dest="crisis_type", metavar="TYPE", help="only this crisis type")
    show = actions.add_parser("show", help="show one case")
    show.add_argument("case_id", metavar="ID")
    actions.add_parser("rebuild", help="rebuild the case of every resolved or closed incident",
                       description="Rebuild the cases of our resolved and closed incidents "
                       "from their timelines (cases are kept current as incidents change; "
                       "this catches up a database older than the knowledge base).")
    exp = actions.add_parser("export", help="write every case as YAML or CSV")
    exp.add_argument("--format", choices=("yaml", "csv"), default="yaml")
    exp.add_argument("-o", "--output", type=Path, metavar="FILE",
                     help="write to FILE instead of standard output")


def run_kb(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.knowledge.files import (
        CaseFileError,
        bundled_cases_file,
        export_cases,
        read_cases,
    )
    from bot.bootstrap import build_core, build_knowledge
    from bot.domain.drills import is_drill_source

    core = build_core(settings)
    try:
        knowledge = build_knowledge(core)
        if args.kb_command == "import":
            if (args.file is None) == (not args.samples):
                print("crisisbot: kb import takes either FILE or --samples (the sample cases "
                      "shipped with crisisbot)", file=sys.stderr)
                return 2
            if args.samples:
                args.file = bundled_cases_file()
            try:
                cases = read_cases(args.file, crisis_types=core.catalog.playbooks.keys())
            except CaseFileError as exc:
                for problem in exc.problems:
                    print(problem, file=sys.stderr)
                print(f"nothing was imported ({len(exc.problems)} problem(s))", file=sys.stderr)
                return 1
            count = knowledge.import_cases(cases)
            print(f"imported {count} case(s) from {args.file}")
            return 0
        if args.kb_command == "rebuild":
            count = 0
            for row in core.incidents.list():
                incident = core.incidents.get(row.number)
                if row.status == "active" or is_drill_source(incident.source):
                    continue  # a drill is a rehearsal, never a past crisis to learn from
                case = knowledge.build_case(incident, core.incidents.timeline(row.number))
                count += knowledge.store.save([case], now=core.clock())
            print(f"rebuilt {count} case(s) from resolved incidents")
            return 0
        if args.kb_command == "list":
            known = core.catalog.playbooks.keys()
            if args.crisis_type is not None and args.crisis_type not in known:
                print(f"crisisbot: unknown crisis type `{args.crisis_type}`; known: "
                      f"{', '.join(sorted(known))}", file=sys.stderr)
                return 2
            cases = knowledge.store.all(crisis_type=args.crisis_type)
            for case in cases:
                flag = " [confidential]" if case.confidential else ""
                print(f"{case.id}\t{case.date.isoformat()}\t{case.crisis_type}\t{case.severity}"
                      f"\t{case.title}{flag}")
            print(f"{len(cases)} case(s)")
            return 0
        if args.kb_command == "show":
            case = knowledge.store.get(args.case_id)
            if case is None:
                print(f"crisisbot: there is no case `{args.case_id}`; `crisisbot kb list` lists "
                      "them", file=sys.stderr)
                return 2
            sys.stdout.write(export_cases([case], fmt="yaml"))
            return 0
        text = export_cases(knowledge.store.all(), fmt=args.format)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
            print(f"wrote {args.output}")
        else:
            sys.stdout.write(text)
        return 0
    finally:
        core.close()
