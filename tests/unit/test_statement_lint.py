"""Statement lint: every rule, in English and in Chinese, with messages in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.records import Fact, FactStatus
from bot.domain.statement_lint import Level, LintRules, Variant, find_phrases, lint_text, measure
from tests.conftest import T0

RULES = LintRules(
    absolute_claims=(
        "lowest price",
        "100% safe",
        "guaranteed",
        "最低價",
        "最低价",
        "獨家",
        "绝对",
        "絕對",
    ),
    speculation=("might", "probably", "可能", "疑似"),
    progress_markers=("we have", "investigating", "已", "正在"),
    contact_markers=("hotline", "客服"),
    channel_variants={"sms": Variant.SMS, "weibo": Variant.SOCIAL},
)
CONFIRMED = Fact(1, "Batch 2411-B is affected", "U1", T0, status=FactStatus.CONFIRMED)
CONFIRMED_ZH = Fact(2, "批次2411-B受影响", "U1", T0, status=FactStatus.CONFIRMED)
UNCONFIRMED = Fact(3, "The supplier changed the formula", "U1", T0)
RETRACTED = Fact(
    4, "仓库发生火灾", "U1", T0, status=FactStatus.RETRACTED, decided_at=T0 + timedelta(hours=1)
)
FACTS = [CONFIRMED, CONFIRMED_ZH, UNCONFIRMED, RETRACTED]

GOOD_EN = "Batch 2411-B is affected. We have stopped sales. Call our hotline 400-800-1234."
GOOD_ZH = "批次2411-B受影响。我们已暂停销售。请联系客服：400-800-1234。"


def codes(
    text: str, *, kind: str = "holding", lang: str = "en", variant=None, contact: str = ""
) -> list[str]:
    return [
        f.code
        for f in lint_text(
            text, kind=kind, lang=lang, facts=FACTS, contact=contact, rules=RULES, variant=variant
        )
        if f.is_error
    ]


@pytest.mark.parametrize("text,lang", [(GOOD_EN, "en"), (GOOD_ZH, "zh")])
def test_a_complete_holding_statement_has_no_errors(text, lang):
    assert codes(text, lang=lang) == []


@pytest.mark.parametrize(
    "text,lang,missing",
    [
        ("We have stopped sales. Call our hotline.", "en", "holding_missing_facts"),
        ("我们已暂停销售。请联系客服。", "zh", "holding_missing_facts"),
        ("Batch 2411-B is affected. Call our hotline.", "en", "holding_missing_progress"),
        ("批次2411-B受影响。请联系客服。", "zh", "holding_missing_progress"),
        ("Batch 2411-B is affected. We have stopped sales.", "en", "holding_missing_contact"),
        ("批次2411-B受影响。我们已暂停销售。", "zh", "holding_missing_contact"),
    ],
)
def test_a_holding_statement_says_which_of_the_three_elements_is_missing(text, lang, missing):
    assert codes(text, lang=lang) == [missing]


def test_the_three_elements_are_only_required_of_holding_statements():
    assert codes("Thank you for your patience.", kind="update") == []


def test_the_site_contact_counts_as_a_contact_channel():
    text = "Batch 2411-B is affected. We have stopped sales. Write to acme-care."
    assert codes(text, contact="acme-care") == []


@pytest.mark.parametrize(
    "text,lang,claim",
    [
        ("We offer the lowest price. " + GOOD_EN, "en", "lowest price"),
        ("Our cream is 100% safe. " + GOOD_EN, "en", "100% safe"),
        ("Refunds are GUARANTEED. " + GOOD_EN, "en", "guaranteed"),
        ("全网最低價。" + GOOD_ZH, "zh", "最低價"),
        ("獨家配方。" + GOOD_ZH, "zh", "獨家"),
        ("产品绝对安全。" + GOOD_ZH, "zh", "绝对"),
    ],
)
def test_absolute_claims_are_errors_in_both_languages(text, lang, claim):
    findings = [
        f
        for f in lint_text(text, kind="holding", lang=lang, facts=FACTS, contact="", rules=RULES)
        if f.code == "absolute_claim"
    ]
    assert len(findings) == 1 and findings[0].level is Level.ERROR
    assert claim in findings[0].message.en and claim in findings[0].message.zh
    assert "绝对化" in findings[0].message.zh and "Absolute" in findings[0].message.en


def test_latin_claims_match_whole_words_only():
    assert find_phrases("We guaranteed nothing", ["guaranteed"]) == ["guaranteed"]
    assert find_phrases("unguaranteedly", ["guaranteed"]) == []


@pytest.mark.parametrize(
    "text,lang,code,fact_no",
    [
        ("The supplier changed the formula. " + GOOD_EN, "en", "unconfirmed_fact", 3),
        ("仓库发生火灾。" + GOOD_ZH, "zh", "retracted_fact", 4),
    ],
)
def test_unconfirmed_and_retracted_facts_are_errors(text, lang, code, fact_no):
    findings = [
        f
        for f in lint_text(text, kind="holding", lang=lang, facts=FACTS, contact="", rules=RULES)
        if f.code == code
    ]
    assert len(findings) == 1
    assert f"#{fact_no}" in findings[0].message.en and f"#{fact_no}" in findings[0].message.zh


@pytest.mark.parametrize(
    "text,lang,marker",
    [
        ("It might be the supplier. " + GOOD_EN, "en", "might"),
        ("原因可能是供应商。" + GOOD_ZH, "zh", "可能"),
    ],
)
def test_speculation_markers_are_errors_in_both_languages(text, lang, marker):
    findings = [
        f
        for f in lint_text(text, kind="holding", lang=lang, facts=FACTS, contact="", rules=RULES)
        if f.code == "speculation"
    ]
    assert len(findings) == 1 and marker in findings[0].text(lang)
    assert "推测" in findings[0].message.zh and "Speculation" in findings[0].message.en


@pytest.mark.parametrize(
    "text",
    [
        "<!channel> " + GOOD_EN,
        "@here " + GOOD_EN,
        "cc <@U123ABC> " + GOOD_ZH,
        "<!here|here> " + GOOD_ZH,
    ],
)
def test_slack_broadcasts_and_mentions_are_errors(text):
    assert codes(text, lang="zh" if "客服" in text else "en") == ["slack_mention"]


def test_an_email_address_is_not_a_mention():
    assert codes(GOOD_EN + " Write to care@acme.example.") == []


@pytest.mark.parametrize("lang,unit", [("en", "x"), ("zh", "字")])
def test_sms_limit_applies_when_publishing_to_an_sms_channel(lang, unit):
    limit = RULES.limit(Variant.SMS, lang)
    base = GOOD_EN if lang == "en" else GOOD_ZH
    long_text = base + unit * (limit - len(base) + 1)
    assert codes(base, lang=lang, variant=RULES.variant_for("sms")) == []
    assert codes(long_text, lang=lang, variant=RULES.variant_for("SMS")) == ["too_long_sms"]
    assert codes(long_text, lang=lang, variant=RULES.variant_for("website")) == []


def test_social_posts_count_chinese_characters_twice():
    assert measure("批次", Variant.SOCIAL) == 4 and measure("ab", Variant.SOCIAL) == 2
    text = GOOD_ZH + "字" * 120
    assert codes(text, lang="zh", variant=Variant.SOCIAL) == ["too_long_social"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_long_form_limit_always_applies(lang):
    text = (GOOD_EN if lang == "en" else GOOD_ZH) + "x" * RULES.limit(Variant.LONG, lang)
    assert codes(text, lang=lang) == ["too_long_long"]


def test_a_draft_too_long_for_sms_gets_a_warning_not_an_error():
    findings = lint_text(
        GOOD_EN + " " + "x" * 200, kind="holding", lang="en", facts=FACTS, contact="", rules=RULES
    )
    warning = [f for f in findings if f.code == "too_long_sms"]
    assert warning and warning[0].level is Level.WARNING and not any(f.is_error for f in findings)
    assert "短信" in warning[0].message.zh


def test_word_lists_are_configurable():
    custom = LintRules(
        absolute_claims=("best deal",), progress_markers=("we have",), contact_markers=("hotline",)
    )
    findings = lint_text(
        "Best deal. " + GOOD_EN, kind="holding", lang="en", facts=FACTS, contact="", rules=custom
    )
    assert [f.code for f in findings if f.is_error] == ["absolute_claim"]
    assert (
        lint_text("lowest price", kind="update", lang="en", facts=[], contact="", rules=custom)
        == []
    )


def test_every_finding_has_a_message_in_both_languages():
    text = "<!channel> lowest price, it might be 仓库发生火灾 " + "x" * 4000
    findings = lint_text(text, kind="holding", lang="en", facts=FACTS, contact="", rules=RULES)
    assert len(findings) >= 6
    for finding in findings:
        assert (
            finding.message.en and finding.message.zh and finding.message.en != finding.message.zh
        )
