"""Statement drafts from templates (``playbooks/templates/statements/``).

Lookup order for audience ``A``, kind ``K``, language ``L`` in an incident of crisis type ``T``
(the first file that exists wins):

1. ``templates/statements/T/A/K.L.j2`` — the crisis type's own version;
2. ``templates/statements/A/K.L.j2`` — the general one.

Templates exist in ``en`` and ``zh`` (Simplified). ``zh-Hant``, ``zh-HK`` and ``zh-TW`` render the
``zh`` template and convert the result with OpenCC (:mod:`bot.adapters.rendering.chinese`).

The context is plain data (never domain objects): the incident, confirmed facts only (in the
statement's language, falling back to the original), what the record lets the company claim
(``progress``: the public claims of done and open tasks), the next update time from the cadence
clock, impact figures, the company name, the audience's contact channel and the regulator
(site config), and times in the audience's time zone, written the language's way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.adapters.rendering.chinese import to_variant
from bot.adapters.rendering.formatting import figure_value
from bot.adapters.rendering.formatting.dates import format_datetime
from bot.adapters.rendering.jinja_env import build_environment, render
from bot.adapters.rendering.statement_config import StatementSettings
from bot.domain.clocks import update_cadence_clock
from bot.domain.errors import InvalidInput
from bot.domain.incident import Incident
from bot.domain.playbook import Catalog
from bot.domain.records import FactStatus
from bot.domain.statement_lint import base_lang
from bot.domain.statements import check_new

ROOT = "templates/statements"
#: Kinds every audience has in both languages; the notices exist where they make sense.
CORE_KINDS = ("holding", "update", "resolution")
NOTICES = (
    ("customers", "recall"),
    ("regulators", "recall"),
    ("customers", "breach"),
    ("regulators", "breach"),
    ("customers", "clarification"),
    ("media", "clarification"),
    ("media", "qa"),
)
#: What a claim names when no regulator is configured.
DEFAULT_AUTHORITY = ("the competent authority", "主管部门")


@dataclass(frozen=True)
class Rendered:
    text: str
    template: str


def template_lang(lang: str) -> str:
    """The template file's language: every Chinese variant renders the ``zh`` template."""
    return base_lang(lang)


class StatementTemplates:
    """Finds and renders statement templates with the one sandboxed environment."""

    def __init__(
        self,
        *,
        directory: Path,
        settings: StatementSettings,
        catalog: Catalog | None = None,
        env: ImmutableSandboxedEnvironment | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.settings = settings
        self.catalog = catalog
        self.env = env or build_environment(directory=self.directory)

    def template_for(self, *, crisis_type: str, audience: str, kind: str, lang: str) -> str:
        """The template name the lookup order picks; :class:`InvalidInput` when none exists."""
        check_new(audience=audience, kind=kind, lang=lang, text="-")
        source = template_lang(lang)
        for name in (
            f"{ROOT}/{crisis_type}/{audience}/{kind}.{source}.j2",
            f"{ROOT}/{audience}/{kind}.{source}.j2",
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
            incident, settings=self.settings, audience=audience, kind=kind, lang=lang, now=now,
            catalog=self.catalog,
        )
        text = render(self.env, name, context).strip()
        return Rendered(to_variant(text, lang), name)


def next_update_at(incident: Incident, *, catalog: Catalog | None, now: datetime) -> datetime | None:
    """When the next update is due by the cadence clock: counted from the last published
    statement, or — before the first — from now (the statement being drafted)."""
    if catalog is None:
        return None
    policy = catalog.policy
    clock = update_cadence_clock(incident, policy, now)
    if clock is not None and clock.due_at > now:
        return clock.due_at
    return now + policy.level(incident.severity).update_every


def public_claims(
    incident: Incident, *, catalog: Catalog | None, lang: str, when: Any, authority: str
) -> tuple[list[str], dict[str, str]]:
    """The claims the record supports: done tasks in the past tense with their time, then the
    pending form of open ones (when the playbook gives one). Also keyed by task template."""
    if catalog is None or incident.crisis_type not in catalog.playbooks:
        return [], {}
    playbook = catalog.playbook(incident.crisis_type)
    done: list[str] = []
    pending: list[str] = []
    by_task: dict[str, str] = {}
    for task in sorted(incident.tasks, key=lambda t: (t.done_at is None, t.done_at or t.created_at)):
        template = playbook.task_template(task.template)
        if template is None or template.public_claim is None:
            continue
        text = template.public_claim.render(
            lang=base_lang(lang), done=not task.is_open,
            time=when(task.done_at) if task.done_at else "", authority=authority,
        )
        if text:
            (pending if task.is_open else done).append(text)
            by_task[template.id] = text
    return done + pending, by_task


def statement_context(
    incident: Incident,
    *,
    settings: StatementSettings,
    audience: str,
    kind: str,
    lang: str,
    now: datetime,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    zone = settings.zone(audience)
    source = template_lang(lang)

    def local(at: datetime) -> str:
        return format_datetime(at, zone=zone, lang=source)

    impact = {key: "" for key in ("orders", "customers", "revenue", "regions", "compensation")}
    for key, value in incident.impact.items():
        impact[key] = _figure(value)
    regulator = settings.regulator[1 if source == "zh" else 0]
    authority = regulator or DEFAULT_AUTHORITY[1 if source == "zh" else 0]
    progress, claims = public_claims(
        incident, catalog=catalog, lang=source, when=local, authority=authority
    )
    upcoming = next_update_at(incident, catalog=catalog, now=now)
    contact = settings.contact_for(audience) if audience != "employees" else settings.contact
    return {
        "company": {"name": settings.company, "contact": contact,
                    "press_contact": settings.press_contact},
        "contact": contact,
        "press_contact": settings.press_contact,
        "customer_contact": settings.contact,
        "regulator": regulator,
        "authority": authority,
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
        "facts": [f.text_in(source) or f.text for f in incident.confirmed_facts()],
        "false_claims": [
            f.text_in(source) or f.text for f in incident.facts if f.status is FactStatus.RETRACTED
        ],
        "progress": progress,
        "claims": claims,
        "next_update": local(upcoming) if upcoming else "",
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


from bot.adapters.rendering.statements_validate import (
    SAMPLE_COMPANY,
    sample_incident,
    validate_statement_templates,
    validate_templates,
)

__all__ = [
    "CORE_KINDS",
    "NOTICES",
    "SAMPLE_COMPANY",
    "Rendered",
    "StatementTemplates",
    "next_update_at",
    "public_claims",
    "sample_incident",
    "statement_context",
    "validate_statement_templates",
    "validate_templates",
]
