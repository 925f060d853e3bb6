"""What ``crisisbot playbooks validate`` checks for statements: every template renders with a
sample incident in every language (the ``zh`` ones also converted to ``zh-Hant``, ``zh-HK`` and
``zh-TW``) and lints clean, with every contact channel configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.rendering.chinese import CONVERTED, to_variant
from bot.adapters.rendering.jinja_env import TemplateProblem, build_environment, render
from bot.adapters.rendering.statement_config import StatementSettings
from bot.domain.incident import Incident
from bot.domain.playbook import Catalog
from bot.domain.roles import Actor
from bot.domain.statement_lint import LintRules, lint_text
from bot.domain.statements import AUDIENCES, KINDS

ROOT = "templates/statements"
TEMPLATE_LANGS = ("en", "zh")
#: Company details used to render templates during validation.
SAMPLE_COMPANY = ("Sample Shop", "help.sample.example · 400-800-1234")
SAMPLE_PRESS = "press@sample.example · 021-5555-0100"
SAMPLE_REGULATOR = "dpo@sample.example"


def sample_incident(
    crisis_type: str, *, now: datetime, catalog: Catalog | None = None
) -> Incident:
    """A believable incident used to render every template during validation: a confirmed fact
    (English and Chinese), a retracted one (a rumour), impact figures and — with a catalog —
    the playbook's tasks, the first one with a public claim done."""
    from bot.domain.events import (
        FactAdded,
        FactConfirmed,
        FactRetracted,
        FactTranslated,
        ImpactRecorded,
        IncidentDeclared,
    )

    system = Actor.system("validate")
    declared = now - timedelta(hours=2)
    if catalog is not None and crisis_type in catalog.playbooks:
        incident = Incident.declare(
            number=1, title="Sample incident", playbook=catalog.playbook(crisis_type),
            severity=None, description="", actor=system, at=declared,
        )
        events = list(incident.pending)
    else:
        events = [IncidentDeclared(incident=1, actor=system.id, at=declared,
                                   title="Sample incident", crisis_type=crisis_type, severity="S")]
    events += [
        FactAdded(incident=1, actor=system.id, at=now, fact_no=1,
                  text="Batch 2411-B of the 50 ml moisturiser is affected"),
        FactTranslated(incident=1, actor=system.id, at=now, fact_no=1, lang="zh",
                       text="50毫升保湿霜2411-B批次受影响"),
        FactConfirmed(incident=1, actor=system.id, at=now, fact_no=1),
        FactAdded(incident=1, actor=system.id, at=now, fact_no=2,
                  text="The cream contains lead"),
        FactTranslated(incident=1, actor=system.id, at=now, fact_no=2, lang="zh",
                       text="该面霜含铅"),
        FactRetracted(incident=1, actor=system.id, at=now, fact_no=2, reason="lab test"),
        ImpactRecorded(incident=1, actor=system.id, at=now, figures={
            "orders": 1200, "customers": 950, "regions": ["east", "north"],
            "revenue": {"amount": 35000.0, "currency": "USD"},
            "compensation": "a full refund and a 50 CNY coupon",
        }),
    ]
    incident = Incident.replay(events)
    if catalog is not None and crisis_type in catalog.playbooks:
        playbook = catalog.playbook(crisis_type)
        for task in incident.tasks:
            template = playbook.task_template(task.template)
            if template is not None and template.public_claim is not None:
                incident.complete_task(task.no, actor=system, at=now - timedelta(minutes=30))
                break
    return incident


def validate_templates(
    directory: Path, *, lint: LintRules, crisis_types: list[str], catalog: Catalog | None = None
) -> list[str]:
    """Render every statement template with a sample context in every language and lint the
    result; one line per problem, each starting with the template's file name. Files starting
    with ``_`` are partials, rendered through others."""
    from bot.adapters.rendering.statements import CORE_KINDS, statement_context

    settings = StatementSettings(
        company=SAMPLE_COMPANY[0], contact=SAMPLE_COMPANY[1], press_contact=SAMPLE_PRESS,
        regulator_contact=SAMPLE_REGULATOR, regulator=("Sample Regulator", "样例监管机构"), lint=lint,
    )
    problems: list[str] = []
    base = Path(directory) / ROOT
    if not base.is_dir():
        return [f"{base}: missing (statement templates)"]
    for audience in AUDIENCES:
        for kind in CORE_KINDS:
            for lang in TEMPLATE_LANGS:
                if not (base / audience / f"{kind}.{lang}.j2").is_file():
                    problems.append(f"{base / audience / f'{kind}.{lang}.j2'}: missing template")
    templates = Path(directory)
    env = build_environment(directory=templates)
    now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    for path in sorted(base.rglob("*")):
        if path.is_dir() or path.name.startswith("_") or path.name == "lint.yaml":
            continue
        rel = path.relative_to(base).parts
        parts = path.name.split(".")
        if path.suffix != ".j2" or len(parts) != 3 or len(rel) not in (2, 3):
            problems.append(
                f"{path}: not a statement template; name them "
                "<audience>/<kind>.<en|zh>.j2 or <crisis_type>/<audience>/<kind>.<en|zh>.j2"
            )
            continue
        crisis_type = rel[0] if len(rel) == 3 else "brand_reputation"
        audience, (kind, lang, _) = rel[-2], parts
        if len(rel) == 3 and crisis_type not in crisis_types:
            problems.append(f"{path}: `{crisis_type}` is not a crisis type (playbook key)")
            continue
        if audience not in AUDIENCES or kind not in KINDS or lang not in TEMPLATE_LANGS:
            problems.append(
                f"{path}: unknown audience, kind or language (audiences: "
                f"{', '.join(AUDIENCES)}; kinds: {', '.join(KINDS)}; en or zh — zh-Hant, zh-HK "
                "and zh-TW are converted from zh)"
            )
            continue
        incident = sample_incident(crisis_type, now=now, catalog=catalog)
        context = statement_context(
            incident, settings=settings, audience=audience, kind=kind, lang=lang, now=now,
            catalog=catalog,
        )
        name = path.relative_to(templates).as_posix()
        try:
            text = render(env, name, context).strip()
        except TemplateProblem as exc:
            line = f":{exc.line}" if exc.line else ""
            problems.append(f"{path}{line}: {exc.reason}")
            continue
        for variant in (lang, *(CONVERTED if lang == "zh" else ())):
            for finding in lint_text(
                to_variant(text, variant), kind=kind, lang=variant, facts=incident.facts,
                contact=settings.contact_for(audience), rules=lint, audience=audience,
            ):
                if finding.is_error:
                    problems.append(f"{path} ({variant}): lint: {finding.text('en')}")
    return problems


def validate_statement_templates(directory: Path) -> list[str]:
    """What ``crisisbot playbooks validate`` adds for statements: the lint word-list file and
    every template rendered (sample context, with the playbooks' tasks when they load) and
    linted."""
    import yaml

    from bot.adapters.playbooks.loader import PlaybookError, load_catalog
    from bot.adapters.rendering.statement_config import LINT_FILE, lint_file_problems, lint_rules

    directory = Path(directory)
    problems = lint_file_problems(directory / LINT_FILE)
    if problems:
        return problems
    path = directory / LINT_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    crisis_types = sorted(p.stem for p in directory.glob("*.y*ml") if p.stem != "severities")
    try:
        catalog: Catalog | None = load_catalog(directory)
    except PlaybookError:
        # The loader reports the playbook problems. Templates draw their progress claims from
        # the playbooks' tasks, so judging them now would only add follow-on noise; they are
        # checked once the playbooks load.
        return []
    return validate_templates(
        directory, lint=lint_rules(data or {}), crisis_types=crisis_types, catalog=catalog
    )
