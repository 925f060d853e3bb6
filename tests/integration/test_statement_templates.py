"""Statement templates: the bundled set, the lookup order, the sandbox, and validation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.playbooks import bundled_playbooks_dir
from bot.adapters.rendering.jinja_env import TemplateProblem, build_environment, render
from bot.adapters.rendering.statement_config import load_statement_settings
from bot.adapters.rendering.statements import (
    CORE_KINDS,
    NOTICES,
    StatementTemplates,
    sample_incident,
    validate_statement_templates,
)
from bot.domain.errors import InvalidInput
from bot.domain.events import FactAdded
from bot.domain.statements import AUDIENCES
from bot.siteconfig import parse_site_config
from tests.conftest import T0

BUNDLED = bundled_playbooks_dir()
SITE = parse_site_config(
    {
        "company": {"name": "Acme Shop", "contact": "help.acme.example"},
        "statements": {"timezone": "Asia/Shanghai", "timezones": {"regulators": "Europe/Berlin"}},
    }
)


def templates(directory: Path = BUNDLED, site=SITE) -> StatementTemplates:
    return StatementTemplates(
        directory=directory, settings=load_statement_settings(playbooks=directory, site=site)
    )


def incident(crisis_type: str = "brand_reputation"):
    return sample_incident(crisis_type, now=T0)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "playbooks"
    shutil.copytree(BUNDLED, target)
    return target


def write(directory: Path, rel: str, text: str) -> Path:
    path = directory / "templates/statements" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_templates_render_and_lint_clean_in_both_languages():
    assert validate_statement_templates(BUNDLED) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_audience_has_every_kind_and_the_notices_exist(lang):
    t = templates()
    pairs = [(a, k) for a in AUDIENCES for k in CORE_KINDS] + list(NOTICES)
    for audience, kind in pairs:
        rendered = t.render(incident(), audience=audience, kind=kind, lang=lang, now=T0)
        assert "2411-B" in rendered.text, (audience, kind)
        assert rendered.template == f"templates/statements/{audience}/{kind}.{lang}.j2"


def test_a_crisis_type_overrides_the_general_template():
    t = templates()
    breach = t.render(
        incident("data_security"), audience="customers", kind="holding", lang="en", now=T0
    )
    general = t.render(
        incident("brand_reputation"), audience="customers", kind="holding", lang="en", now=T0
    )
    assert breach.template == "templates/statements/data_security/customers/holding.en.j2"
    assert "change your password" in breach.text
    assert general.template == "templates/statements/customers/holding.en.j2"


def test_a_missing_template_is_refused_with_the_kinds_that_exist():
    with pytest.raises(InvalidInput, match="no recall statement template for media in en.*holding"):
        templates().render(incident(), audience="media", kind="recall", lang="en", now=T0)


def test_the_context_holds_confirmed_facts_only_impact_and_times_in_the_audience_zone():
    inc = incident()
    inc._apply(FactAdded(incident=1, actor="U1", at=T0, fact_no=2, text="Rumour about the CEO"))
    text = templates().render(inc, audience="customers", kind="update", lang="en", now=T0).text
    assert "Batch 2411-B" in text and "Rumour about the CEO" not in text
    assert "1,200 orders" in text and "a full refund and a 50 CNY coupon" in text
    assert "20 November 2026, 17:00 (Beijing time, UTC+08:00)" in text
    regulators = (
        templates()
        .render(inc, audience="regulators", kind="update", lang="en", now=T0 + timedelta(days=300))
        .text
    )
    assert "UTC+02:00" in regulators  # Berlin in summer


@pytest.mark.parametrize(
    "source,reason",
    [
        ("{{ ''.__class__.__mro__ }}", "__class__"),
        ("{{ incident.__class__ }}", "__class__"),
        ("{{ cycler.__init__.__globals__ }}", "__init__"),
        ("{{ ().__class__.__base__.__subclasses__() }}", "__class__"),
        ("{{ facts.append('x') }}", "append"),
        ("{{ self._TemplateReference__context }}", "_TemplateReference__context"),
        ("{{ 'x' * 10**10 }}", "more than 100000"),
        ("{{ 2 ** 100000 }}", "exponent"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "RecursionError"),
    ],
)
def test_sandbox_escape_attempts_fail_safely_with_a_clear_error(copy, source, reason):
    write(copy, "customers/holding.en.j2", "Hello\n" + source + "\n")
    with pytest.raises(TemplateProblem) as refused:
        templates(copy).render(incident(), audience="customers", kind="holding", lang="en", now=T0)
    message = refused.value.message
    assert (
        "templates/statements/customers/holding.en.j2" in message
        and "Nothing was drafted" in message
    )
    assert reason in message or "unsafe" in message or "not allowed" in message


def test_a_misspelt_variable_is_an_error_not_an_empty_string(copy):
    write(copy, "customers/holding.en.j2", "A\n{{ incidnet.title }}\n")
    with pytest.raises(TemplateProblem, match="holding.en.j2:2 is broken: 'incidnet' is undefined"):
        templates(copy).render(incident(), audience="customers", kind="holding", lang="en", now=T0)


def test_one_environment_is_the_immutable_sandbox_with_strict_undefined(tmp_path):
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = build_environment(directory=tmp_path)
    assert isinstance(env, ImmutableSandboxedEnvironment) and env.undefined is StrictUndefined
    (tmp_path / "x.j2").write_text("{{ items.pop() }}")
    with pytest.raises(TemplateProblem, match="x.j2"):
        render(env, "x.j2", {"items": [1]})


def test_site_config_replaces_a_lint_word_list():
    site = parse_site_config({"statements": {"lint": {"absolute_claims": {"en": ["best deal"]}}}})
    rules = load_statement_settings(playbooks=BUNDLED, site=site).lint
    assert rules.absolute_claims == ("best deal",)
    assert rules.speculation  # the other lists still come from the data file


def test_an_unknown_time_zone_in_the_site_config_is_refused():
    with pytest.raises(InvalidInput, match="unknown time zone `Mars/Base`"):
        load_statement_settings(
            playbooks=BUNDLED, site=parse_site_config({"statements": {"timezone": "Mars/Base"}})
        )


def run_validate(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "playbooks", "validate", str(directory)],
        capture_output=True,
        text=True,
    )


def test_validate_reports_broken_templates_by_file_and_exits_1(copy):
    write(copy, "media/update.en.j2", "Update\n{% if facts %}\nno endif\n")
    write(copy, "partners/update.zh.j2", "{{ ''.__class__.__mro__ }}")
    write(copy, "employees/update.en.j2", "We offer the lowest price. {{ company.name }}")
    write(copy, "product_quality/customers/recall.en.j2", "{{ nothing_here }}")
    write(copy, "nowhere/customers/holding.en.j2", "x")
    (copy / "templates/statements/customers/holding.zh.j2").unlink()
    result = run_validate(copy)
    assert result.returncode == 1
    err = result.stderr
    assert "media/update.en.j2:" in err and "endif" in err
    assert "partners/update.zh.j2" in err and "__class__" in err
    assert "employees/update.en.j2 (en): lint: Absolute or unverifiable claim: “lowest price”" in err
    assert "product_quality/customers/recall.en.j2:1: 'nothing_here' is undefined" in err
    assert "`nowhere` is not a crisis type" in err
    assert "customers/holding.zh.j2: missing template" in err


def test_validate_reports_a_broken_lint_word_list(copy):
    (copy / "templates/statements/lint.yaml").write_text("absolute_claims: [oops]\nfoo: 1\n")
    result = run_validate(copy)
    assert result.returncode == 1
    assert "lint.yaml: absolute_claims must map en and zh" in result.stderr
    assert "lint.yaml: unknown key `foo`" in result.stderr
