"""Statement drafts from templates (``playbooks/templates/statements/``).

Lookup order for audience ``A``, kind ``K``, language ``L`` in an incident of crisis type ``T``
(the first file that exists wins):

1. ``templates/statements/T/A/K.L.j2`` — the crisis type's own version;
2. ``templates/statements/A/K.L.j2`` — the general one.

The context is plain data (never domain objects): the incident, confirmed facts only, impact
figures, the compensation offered (impact figure ``compensation``), the company name and
contact channel (site config) and times in the audience's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.adapters.rendering.formatting import figure_value
from bot.adapters.rendering.jinja_env import TemplateProblem, build_environment, render
from bot.adapters.rendering.statement_config import StatementSettings
from bot.domain.incident import Incident
from bot.domain.errors import InvalidInput
from bot.domain.records import Fact
from bot.domain.statement_lint import LintRules, lint_text
from bot.domain.statements import AUDIENCES, KINDS, LANGS, check_new

ROOT = "templates/statements"
#: Kinds every audience has in both languages; the notices exist where they make sense.
CORE_KINDS = ("holding", "update", "resolution")
NOTICES = (
    ("customers", "recall"),
    ("regulators", "recall"),
    ("customers", "breach"),
    ("regulators", "breach"),
)


@dataclass(frozen=True)
class Rendered:
    text: str
    template: str


class StatementTemplates:
    """Finds and renders statement templates with the one sandboxed environment."""

    def __init__(
        self,
        *,
        directory: Path,
        settings: StatementSettings,
        env: ImmutableSandboxedEnvironment | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.settings = settings
        self.env = env or build_environment(directory=self.directory)

    def template_for(self, *, crisis_type: str, audience: str, kind: str, lang: str) -> str:
        """The template name the lookup order picks; :class:`InvalidInput` when none exists."""
        check_new(audience=audience, kind=kind, lang=lang, text="-")
        for name in (
            f"{ROOT}/{crisis_type}/{audience}/{kind}.{lang}.j2",
            f"{ROOT}/{audience}/{kind}.{lang}.j2",
        ):
            if (self.directory / name).is_file():
                return name
        have = sorted(
            {p.name.split(".")[0] for p in (self.directory / ROOT / audience).glob("*.j2")}
            | {
                p.name.split(".")[0]
                for p in (self.directory / ROOT / crisis_type / audience).glob("*.j2")
            }
        )
        hint = f" Kinds for {audience}: {', '.join(have)}." if have else ""
        raise InvalidInput(f"There is no {kind} statement template for {audience} in {lang}.{hint}")

    def render(
        self, incident: Incident, *, audience: str, kind: str, lang: str, now: datetime
    ) -> Rendered:
        name = self.template_for(
            crisis_type=incident.crisis_type, audience=audience, kind=kind, lang=lang
        )
        context = statement_context(
            incident, settings=self.settings, audience=audience, kind=kind, lang=lang, now=now
        )
        return Rendered(render(self.env, name, context).strip(), name)


def statement_context(
    incident: Incident,
    *,
    settings: StatementSettings,
    audience: str,
    kind: str,
    lang: str,
    now: datetime,
) -> dict[str, Any]:
    zone = settings.zone(audience)

    def local(at: datetime) -> str:
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        local_at = at.astimezone(zone)
        offset = local_at.strftime("%z")
        return f"{local_at:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}"

    impact = {key: "" for key in ("orders", "customers", "revenue", "regions", "compensation")}
    for key, value in incident.impact.items():
        impact[key] = _figure(value)
    return {
        "company": {"name": settings.company, "contact": settings.contact},
        "contact": settings.contact,
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "severity": incident.severity.value,
            "crisis_type": incident.crisis_type,
            "stage": incident.stage.value,
            "declared_at": local(incident.declared_at),
            "resolved_at": local(incident.resolved_at) if incident.resolved_at else "",
            "resolution": incident.resolution,
        },
        "facts": [f.text for f in incident.confirmed_facts()],
        "impact": impact,
        "compensation": impact["compensation"],
        "audience": audience,
        "kind": kind,
        "lang": lang,
        "now": local(now),
        "timezone": str(zone.key),
    }


def _figure(value: Any) -> str:
    return figure_value(value)


# ------------------------------------------------------------------------- validation


def sample_incident(crisis_type: str, *, now: datetime) -> Incident:
    """A believable incident used to render every template during validation."""
    from bot.domain.events import FactAdded, FactConfirmed, ImpactRecorded, IncidentDeclared

    events = [
        IncidentDeclared(
            incident=1,
            actor="system:validate",
            at=now - timedelta(hours=2),
            title="Sample incident",
            crisis_type=crisis_type,
            severity="S",
        ),
        FactAdded(
            incident=1,
            actor="system:validate",
            at=now,
            fact_no=1,
            text="Batch 2411-B of the 50 ml moisturiser is affected",
        ),
        FactConfirmed(incident=1, actor="system:validate", at=now, fact_no=1),
        ImpactRecorded(
            incident=1,
            actor="system:validate",
            at=now,
            figures={
                "orders": 1200,
                "customers": 950,
                "regions": ["east", "north"],
                "revenue": {"amount": 35000.0, "currency": "USD"},
                "compensation": "a full refund and a 50 CNY coupon",
            },
        ),
    ]
    return Incident.replay(events)


#: Company details used to render templates during validation.
SAMPLE_COMPANY = ("Sample Shop", "help.sample.example · 400-800-1234")


def validate_templates(directory: Path, *, lint: LintRules, crisis_types: list[str]) -> list[str]:
    """Render every statement template with a sample context (both languages: every template
    exists in en and zh) and lint the result; one line per problem, each starting with the
    template's file name. Files starting with ``_`` are partials, rendered through others."""
    settings = StatementSettings(company=SAMPLE_COMPANY[0], contact=SAMPLE_COMPANY[1], lint=lint)
    problems: list[str] = []
    base = Path(directory) / ROOT
    if not base.is_dir():
        return [f"{base}: missing (statement templates)"]
    for audience in AUDIENCES:
        for kind in CORE_KINDS:
            for lang in LANGS:
                if not (base / audience / f"{kind}.{lang}.j2").is_file():
                    problems.append(f"{base / audience / f'{kind}.{lang}.j2'}: missing template")
    templates = Path(directory)
    env = build_environment(directory=templates)
    now = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)
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
        if audience not in AUDIENCES or kind not in KINDS or lang not in LANGS:
            problems.append(
                f"{path}: unknown audience, kind or language (audiences: "
                f"{', '.join(AUDIENCES)}; kinds: {', '.join(KINDS)}; en or zh)"
            )
            continue
        incident = sample_incident(crisis_type, now=now)
        context = statement_context(
            incident, settings=settings, audience=audience, kind=kind, lang=lang, now=now
        )
        name = path.relative_to(templates).as_posix()
        try:
            text = render(env, name, context).strip()
        except TemplateProblem as exc:
            line = f":{exc.line}" if exc.line else ""
            problems.append(f"{path}{line}: {exc.reason}")
            continue
        facts: list[Fact] = incident.facts
        for finding in lint_text(
            text, kind=kind, lang=lang, facts=facts, contact=settings.contact, rules=lint
        ):
            if finding.is_error:
                problems.append(f"{path}: lint: {finding.text('en')}")
    return problems


__all__ = ["Rendered", "StatementTemplates", "statement_context", "validate_templates"]


def validate_statement_templates(directory: Path) -> list[str]:
    """What ``crisisbot playbooks validate`` adds for statements: the lint word-list file and
    every template rendered (sample context) and linted."""
    from bot.adapters.rendering.statement_config import LINT_FILE, lint_file_problems, lint_rules
    import yaml

    directory = Path(directory)
    problems = lint_file_problems(directory / LINT_FILE)
    if problems:
        return problems
    path = directory / LINT_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    crisis_types = sorted(p.stem for p in directory.glob("*.y*ml") if p.stem != "severities")
    return validate_templates(directory, lint=lint_rules(data or {}), crisis_types=crisis_types)
