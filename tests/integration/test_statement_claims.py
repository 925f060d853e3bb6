"""Claims come from the record: the bundled templates and playbooks rendered for real incidents
(public claims of tasks, next update from the cadence clock, Traditional Chinese by OpenCC,
clarification and Q&A kinds, tracks and per-type invites)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.adapters.rendering.statement_config import load_statement_settings
from bot.adapters.rendering.statements import StatementTemplates
from bot.domain.incident import Incident
from bot.domain.lifecycle import Phase
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.domain.statement_lint import lint_text
from bot.siteconfig import parse_site_config
from tests.conftest import T0

BUNDLED = bundled_playbooks_dir()
CATALOG = load_catalog(BUNDLED)
SITE = parse_site_config({
    "company": {"name": "Acme Shop", "contact": "help.acme.example · 400-800-1234",
                "press_contact": "press@acme.example", "regulator_contact": "dpo@acme.example",
                "regulator": {"en": "the Shanghai Cyberspace Administration", "zh": "上海市网信办"}},
    "statements": {"timezone": "Asia/Shanghai"},
})
SETTINGS = load_statement_settings(playbooks=BUNDLED, site=SITE)
TEMPLATES = StatementTemplates(directory=BUNDLED, settings=SETTINGS, catalog=CATALOG)
LEGAL = Actor("ULEGAL")
COMMANDER = Actor("UCMD")


def breach_incident() -> Incident:
    inc = Incident.declare(number=1, title="Customer data exposed", severity=Severity.S,
                           playbook=CATALOG.playbook("data_security"), description="",
                           actor=COMMANDER, at=T0)
    inc.assign_role(Role.COMMANDER, COMMANDER.id, actor=COMMANDER, at=T0)
    inc.assign_role(Role.LEGAL, LEGAL.id, actor=COMMANDER, at=T0)
    inc.add_fact("Email addresses of 950 customers were exposed", actor=LEGAL, at=T0)
    inc.translate_fact(1, lang="zh", text="950名用户的邮箱地址被泄露", actor=LEGAL, at=T0)
    inc.confirm_fact(1, actor=COMMANDER, at=T0)
    return inc


def task_no(inc: Incident, template: str) -> int:
    return next(t.no for t in inc.tasks if t.template == template)


def render(inc: Incident, audience: str, kind: str, lang: str, at):
    return TEMPLATES.render(inc, audience=audience, kind=kind, lang=lang, now=at).text


CLAIMED = {"en": "We reported the incident to the Shanghai Cyberspace Administration at",
           "zh": "已于2026年11月20日 18:00（北京时间）向上海市网信办报告此事件",
           "zh-Hant": "已於2026年11月20日 18:00（北京時間）向上海市網信辦報告此事件"}
PENDING = {"en": "We are reporting the incident to the Shanghai Cyberspace Administration as the "
                 "law requires", "zh": "正在依法向上海市网信办报告", "zh-Hant": "正在依法向上海市網信辦報告"}


@pytest.mark.parametrize("lang", ["en", "zh", "zh-Hant"])
def test_a_breach_notice_claims_the_regulator_report_only_once_the_task_is_done(lang):
    inc = breach_incident()
    before = render(inc, "customers", "breach", lang, T0 + timedelta(hours=1))
    assert "reported the incident" not in before and "已于" not in before and "已於" not in before
    assert PENDING[lang] in before  # the pending form, no claim
    done_at = T0 + timedelta(hours=1)  # T0 is 09:00 UTC → 18:00 Beijing time
    inc.complete_task(task_no(inc, "notify-regulator"), actor=LEGAL, at=done_at)
    after = render(inc, "customers", "breach", lang, done_at + timedelta(minutes=5))
    assert CLAIMED[lang] in after and PENDING[lang] not in after
    if lang == "en":
        assert "at 20 November 2026, 18:00 (Beijing time, UTC+08:00)" in after
    findings = lint_text(after, kind="breach", lang=lang, facts=inc.facts,
                         contact=SETTINGS.contact_for("customers"), rules=SETTINGS.lint,
                         audience="customers")
    assert not [f for f in findings if f.is_error], findings


def test_no_template_hard_codes_an_action_or_admits_liability():
    for path in (BUNDLED / "templates" / "statements").rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        for phrase in ("承担全部责任", "closed the access route", "informed the data-protection",
                       "已封堵访问途径", "our customer service", "我们的客服", "removed the affected product"):
            assert phrase not in text, (path, phrase)


def test_a_regulator_letter_is_addressed_to_the_configured_regulator():
    text = render(breach_incident(), "regulators", "breach", "zh", T0)
    assert text.startswith("致：上海市网信办") and "dpo@acme.example" in text


def test_holding_statements_state_the_next_update_from_the_cadence_clock():
    inc = breach_incident()  # severity S: an update every hour
    text = render(inc, "customers", "holding", "zh", T0 + timedelta(minutes=30))
    assert "我们将于2026年11月20日 18:30（北京时间）前发布下一次更新" in text
    inc.record_statement_published(statement_id=1, audience="customers", kind="holding",
                                   lang="zh", channel="website", actor=COMMANDER,
                                   at=T0 + timedelta(minutes=40))
    text = render(inc, "media", "update", "en", T0 + timedelta(minutes=50))
    assert "by 20 November 2026, 18:40 (Beijing time, UTC+08:00)" in text


@pytest.mark.parametrize("lang,regional", [("zh-Hant", "數據"), ("zh-HK", "數據"), ("zh-TW", "資料")])
def test_traditional_chinese_is_converted_with_regional_wording_and_lints_clean(lang, regional):
    inc = breach_incident()
    text = render(inc, "customers", "holding", lang, T0 + timedelta(minutes=30))
    assert "北京時間" in text and "950名" in text and "北京时间" not in text
    breach = render(inc, "customers", "breach", lang, T0 + timedelta(minutes=30))
    assert regional in breach
    for kind, body in (("holding", text), ("breach", breach)):
        findings = lint_text(body, kind=kind, lang=lang, facts=inc.facts,
                             contact=SETTINGS.contact_for("customers"), rules=SETTINGS.lint,
                             audience="customers")
        assert not [f for f in findings if f.is_error], (kind, findings)


def test_a_clarification_denies_retracted_claims_and_states_confirmed_facts_only():
    inc = breach_incident()
    inc.add_fact("Payment card numbers were stolen", actor=LEGAL, at=T0)
    inc.translate_fact(2, lang="zh", text="支付卡号被盗", actor=LEGAL, at=T0)
    inc.retract_fact(2, actor=COMMANDER, at=T0, reason="no card data is stored")
    inc.add_fact("The attacker is a former employee", actor=LEGAL, at=T0)  # unconfirmed
    for lang, false, true in (("en", "It is not true that “Payment card numbers were stolen”",
                               "Email addresses of 950 customers were exposed"),
                              ("zh", "关于“支付卡号被盗”的说法不实", "950名用户的邮箱地址被泄露")):
        text = render(inc, "customers", "clarification", lang, T0)
        assert false in text and true in text and "former employee" not in text
        findings = lint_text(text, kind="clarification", lang=lang, facts=inc.facts,
                             contact=SETTINGS.contact_for("customers"), rules=SETTINGS.lint,
                             audience="customers")
        assert not [f for f in findings if f.is_error], findings


def test_the_media_qa_kit_answers_from_facts_and_tasks_only():
    inc = breach_incident()
    inc.record_impact({"customers": "950"}, actor=COMMANDER, at=T0)
    inc.complete_task(task_no(inc, "contain-breach"), actor=COMMANDER, at=T0 + timedelta(hours=1))
    text = render(inc, "media", "qa", "en", T0 + timedelta(hours=2))
    assert "Q: What happened?" in text and "Email addresses of 950 customers" in text
    assert "we contained the incident" in text and "950 customers so far" in text
    assert "We will not speculate" in text and "press@acme.example" in text
    findings = lint_text(text, kind="qa", lang="en", facts=inc.facts,
                         contact=SETTINGS.contact_for("media"), rules=SETTINGS.lint, audience="media")
    assert not [f for f in findings if f.is_error], findings


def test_communication_tasks_run_from_declaration_not_behind_respond():
    for key, tasks in (("data_security", {"holding-statement", "notify-affected-users",
                                          "notify-regulator"}),
                       ("product_quality", {"holding-statement", "notify-buyers", "report-regulator"})):
        inc = Incident.declare(number=1, title="x", playbook=CATALOG.playbook(key), severity=None,
                               description="", actor=COMMANDER, at=T0)
        present = {t.template: t for t in inc.tasks}
        assert inc.stage is Phase.ASSESS and tasks <= set(present), key
        holding = present["holding-statement"]
        assert holding.stage is Phase.COMMUNICATE and holding.due_at == T0 + timedelta(hours=4)


def test_per_type_invites_and_exec_lead_and_restore_targets():
    assert Role.SECURITY in CATALOG.invite_for("data_security", Severity.A)
    assert {Role.LEGAL, Role.OPS} <= set(CATALOG.invite_for("product_quality", Severity.A))
    assert Role.SECURITY not in CATALOG.invite_for("brand_reputation", Severity.A)
    for key, playbook in CATALOG.playbooks.items():
        lead = playbook.task_template("exec-takes-lead")
        assert lead is not None and lead.severities == {Severity.SS}, key
    restore = CATALOG.playbook("service_logistics").task_template("restore-service")
    assert restore.due == timedelta(minutes=30)
    ds = CATALOG.playbook("data_security")
    assert ds.task_template("forensic-scoping").due == timedelta(hours=24)
    assert ds.task_template("forensic-report").due == timedelta(days=30)
    pq = CATALOG.playbook("product_quality")
    for task in ("pause-promotions", "ad-claims-review", "compensation-injury-policy", "report-samr"):
        assert pq.task_template(task) is not None, task
    br = CATALOG.playbook("brand_reputation")
    assert br.task_template("brief-partners-kols").due == timedelta(hours=4)
    assert br.task_template("rebuild-reputation") is not None
    assert {c.key for c in ds.clocks} >= {"cac-report"} and "samr-report" in {c.key for c in pq.clocks}


def test_the_team_is_assembled_only_with_the_crisis_types_own_roles():
    from bot.domain.clocks import ClockState, all_clocks

    playbook = CATALOG.playbook("data_security")
    inc = Incident.declare(number=1, title="x", playbook=playbook, severity=Severity.S,
                           description="", actor=COMMANDER, at=T0)
    for minutes, role in enumerate((Role.COMMANDER, Role.COMMS, Role.SPOKESPERSON, Role.LEGAL)):
        user = COMMANDER.id if role is Role.COMMANDER else f"U{role.value}"
        inc.assign_role(role, user, actor=COMMANDER, at=T0 + timedelta(minutes=minutes))

    def team():
        clocks = all_clocks(inc, playbook=playbook, policy=CATALOG.policy, now=T0 + timedelta(hours=2))
        return next(c for c in clocks if c.key == "team_assembly")

    assert team().state is ClockState.MISSED  # no security lead yet
    inc.assign_role(Role.SECURITY, "USEC", actor=COMMANDER, at=T0 + timedelta(minutes=20))
    assert team().state is ClockState.MET and team().met_at == T0 + timedelta(minutes=20)
