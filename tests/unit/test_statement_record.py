"""Statements that a spokesperson can sign: per-audience contact channels, facts in two
languages, the golden 4 hours met only by an external statement, channel counting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.slack.commands import FactTranslate, parse_command
from bot.domain.clocks import ClockState, first_statement_clock
from bot.domain.errors import Conflict, InvalidInput, NotPermitted
from bot.domain.records import Fact, FactStatus
from bot.domain.statement_length import Variant, measure
from bot.domain.statement_lint import LintRules, lint_text
from bot.domain.statements import StatementBlocked
from tests.conftest import T0
from tests.unit.factories import COMMANDER, policy
from tests.unit.test_statements import AT, COMMS, CS, LEGAL, S_RULE, SPOKE, incident

LINT = LintRules(
    absolute_claims=("100% safe",), speculation=("可能",), progress_markers=("we have", "已"),
    contact_markers=("hotline",), allow=("尽可能",),
)
CONTACTS = {"customers": "help.acme.example", "partners": "help.acme.example",
            "media": "", "regulators": "dpo@acme.example"}
MEDIA_TEXT = "Batch 2411-B is affected. We have stopped sales. Media: press@acme.example."


def drafted_for(audience: str, text: str = MEDIA_TEXT, lang: str = "en"):
    inc = incident()
    inc.draft_statement(audience=audience, kind="holding", lang=lang, text=text, template="",
                        actor=SPOKE, at=AT)
    inc.submit_statement(1, actor=SPOKE, at=AT)
    return inc


def test_a_media_statement_cannot_be_approved_without_a_press_contact():
    inc = drafted_for("media")
    with pytest.raises(StatementBlocked) as refused:
        inc.approve_statement(1, rule=S_RULE, lint=LINT, contact=CONTACTS, actor=COMMS, at=AT)
    assert [f.code for f in refused.value.findings] == ["contact_not_configured"]
    assert "company.press_contact" in str(refused.value)
    with_press = {**CONTACTS, "media": "press@acme.example"}
    inc.approve_statement(1, rule=S_RULE, lint=LINT, contact=with_press, actor=COMMS, at=AT)
    inc.approve_statement(1, rule=S_RULE, lint=LINT, contact=with_press, actor=LEGAL, at=AT)
    assert inc.statement(1).is_approved(S_RULE)


def test_each_audience_needs_its_own_contact_and_employees_need_none():
    for audience, needed in (("customers", False), ("regulators", False), ("media", True),
                             ("employees", False)):
        inc = drafted_for(audience)
        codes = [f.code for f in inc.lint_statement(1, rules=LINT, contact=CONTACTS)]
        assert ("contact_not_configured" in codes) is needed, audience


def test_our_customer_service_is_not_a_contact_channel():
    text = "Batch 2411-B is affected. We have stopped sales. Please contact our customer service."
    codes = [f.code for f in lint_text(text, kind="holding", lang="en", facts=[], contact="",
                                       rules=LINT, audience="customers")]
    assert "contact_not_configured" in codes and "holding_missing_contact" in codes


def test_an_apology_alone_is_not_handling_progress():
    fact = Fact(1, "Batch 2411-B is affected", "U1", T0, status=FactStatus.CONFIRMED)
    rules = LintRules(progress_markers=("suspended", "investigating"))
    text = "Batch 2411-B is affected. We are sorry. Call 400-800-1234."
    codes = [f.code for f in lint_text(text, kind="holding", lang="en", facts=[fact],
                                       contact="", rules=rules)]
    assert codes == ["holding_missing_progress"]


def test_a_fact_translation_needs_confirming_standing_and_one_confirmation_covers_both():
    inc = incident()
    inc.add_fact("Refunds start on Monday", actor=COMMS, at=AT)
    with pytest.raises(NotPermitted, match="commander, comms lead, legal counsel or an executive"):
        inc.translate_fact(2, lang="zh", text="退款将于周一开始", actor=CS, at=AT)
    with pytest.raises(NotPermitted):
        inc.translate_fact(2, lang="zh", text="退款将于周一开始", actor=SPOKE, at=AT)
    inc.translate_fact(2, lang="zh", text="退款将于周一开始", actor=LEGAL, at=AT)
    assert inc.fact(2).text_in("zh") == "退款将于周一开始" and inc.fact(2).text_in("en")
    inc.confirm_fact(2, actor=COMMANDER, at=AT)
    assert inc.fact(2).status is FactStatus.CONFIRMED  # both versions are confirmed
    with pytest.raises(InvalidInput, match="en or zh"):
        inc.translate_fact(2, lang="fr", text="x", actor=COMMS, at=AT)
    with pytest.raises(Conflict):
        inc.translate_fact(2, lang="zh", text="退款将于周一开始", actor=COMMS, at=AT)
    inc.retract_fact(2, actor=COMMANDER, at=AT)
    with pytest.raises(Conflict, match="retracted"):
        inc.translate_fact(2, lang="zh", text="新的译文", actor=COMMS, at=AT)


def test_the_lint_matches_facts_per_language_and_warns_on_the_untranslated_fallback():
    confirmed = Fact(1, "Batch 2411-B is affected", "U1", T0, status=FactStatus.CONFIRMED)
    pending = Fact(2, "The supplier changed the formula", "U1", T0,
                   translations={"zh": "供应商更换了配方"})
    facts = [confirmed, pending]

    def codes(text: str, lang: str) -> list[tuple[str, str]]:
        return [(f.code, f.level.value) for f in lint_text(
            text, kind="holding", lang=lang, facts=facts, contact="", rules=LINT)]

    fallback = codes("事件情况：Batch 2411-B is affected。我们已暂停销售。热线 400-800-1234。", "zh")
    assert ("fact_untranslated", "warning") in fallback
    assert not [c for c in fallback if c[1] == "error"]
    confirmed.translations["zh"] = "2411-B批次受影响"
    assert codes("2411-B批次受影响。我们已暂停销售。热线 400-800-1234。", "zh") == []
    assert ("unconfirmed_fact", "error") in codes(
        "2411-B批次受影响。供应商更换了配方。我们已暂停销售。热线 400-800-1234。", "zh")


def test_a_traditional_statement_matches_facts_through_the_converter():
    fact = Fact(1, "批次受影响", "U1", T0, status=FactStatus.CONFIRMED)
    rules = LintRules(progress_markers=("已",), convert=lambda text, lang: text.replace("响", "響"))
    findings = lint_text("批次受影響。我們已暫停。熱線 400-800-1234。", kind="holding", lang="zh-Hant",
                         facts=[fact], contact="", rules=rules)
    assert [f.code for f in findings] == []


def test_the_golden_four_hours_are_met_only_by_an_external_statement():
    inc = incident()
    inc.record_statement_published(statement_id=9, audience="employees", kind="holding",
                                   lang="en", channel="#all-staff", actor=COMMS, at=AT)
    clock = first_statement_clock(inc, policy(), AT + timedelta(hours=5))
    assert clock.state is ClockState.MISSED and clock.met_at is None
    later = AT + timedelta(hours=1)
    inc.record_statement_published(statement_id=10, audience="partners", kind="holding",
                                   lang="en", channel="email", actor=COMMS, at=later)
    clock = first_statement_clock(inc, policy(), AT + timedelta(hours=5))
    assert clock.state is ClockState.MET and clock.met_at == later


def test_weibo_counts_a_chinese_character_as_one_and_latin_as_half():
    assert measure("批次ab", Variant.WEIBO) == 3 and measure("abc", Variant.WEIBO) == 2
    assert measure("批次ab", Variant.SOCIAL) == 6
    assert measure("see https://acme.example/a/very/long/path/to/the/refund", Variant.SOCIAL) == 27
    chinese = "我" * 1200  # a long Chinese customer statement
    weibo = [f.code for f in lint_text(chinese, kind="update", lang="zh", facts=[], contact="",
                                       rules=LintRules(limits={Variant.LONG: {"zh": 3000},
                                                               Variant.WEIBO: {"zh": 2000}}),
                                       variant=Variant.WEIBO)]
    assert weibo == []
    x = [f.code for f in lint_text(chinese, kind="update", lang="zh", facts=[], contact="",
                                   rules=LintRules(limits={Variant.LONG: {"zh": 3000}}),
                                   variant=Variant.SOCIAL)]
    assert x == ["too_long_social"]


def test_sms_segments_follow_the_encoding_not_the_statement_language():
    rules = LintRules()
    ascii_text = "Refunds start Monday. " * 7  # 154 GSM-7 characters
    assert [f.code for f in lint_text(ascii_text, kind="update", lang="zh", facts=[], contact="",
                                      rules=rules, variant=Variant.SMS)] == []
    assert "too_long_sms" in [f.code for f in lint_text(
        ascii_text + "退款", kind="update", lang="en", facts=[], contact="", rules=rules,
        variant=Variant.SMS)]


def test_the_fact_translation_subcommand_parses():
    command = parse_command("INC-1 fact 3 zh 批次2411-B受影响")
    assert command == FactTranslate(no=3, lang="zh", text="批次2411-B受影响", incident=1)
    with pytest.raises(InvalidInput, match="the translated fact"):
        parse_command("fact 3 zh")
    assert parse_command("fact 3 cartons were lost").name == "fact"  # not a translation


def test_an_unfilled_template_placeholder_blocks_the_statement():
    text = "Claims circulating are false:\n- ⟦no claim in the facts register has been retracted yet⟧"
    findings = lint_text(text, kind="clarification", lang="en", facts=[], contact="", rules=LINT)
    assert [f.code for f in findings if f.is_error] == ["unfilled_placeholder"]
    assert "占位" in findings[0].message.zh


def test_an_english_draft_of_a_chinese_only_fact_warns_too():
    fact = Fact(1, "华东仓库停电", "U1", T0, status=FactStatus.CONFIRMED)
    findings = lint_text("华东仓库停电. We have paused orders. Call 400-800-1234.", kind="holding",
                         lang="en", facts=[fact], contact="", rules=LINT)
    assert [(f.code, f.level.value) for f in findings] == [("fact_untranslated", "warning")]
    assert "/crisis fact 1 en" in findings[0].message.en
