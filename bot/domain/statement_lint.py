"""Lint for statement text: pure rules, word lists passed in.

Every draft and every edit is linted; findings are computed from the text (never stored) so a
fact retracted later shows up on the next look, and blocks approval and publication.

The rules are context-aware (:mod:`bot.domain.statement_phrases`): allowed phrases, the required
wording of a statement kind, negations before an absolute claim and quoted rumours being denied
do not count. Facts are matched in the statement's language (a fact's translation), and a
Traditional Chinese statement is matched against the facts converted by ``LintRules.convert``.

>>> rules = LintRules(absolute_claims=("100% safe",))
>>> [f.code for f in lint_text("It is 100% safe.", kind="update", lang="en", facts=[],
...                            contact="", rules=rules)]
['absolute_claim']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.records import Fact, FactStatus
from bot.domain.statement_length import Variant, is_gsm7, measure
from bot.domain.statement_phrases import Context, inside_quotes, spans_found
from bot.domain.text import LocalText


class Level(StrEnum):
    ERROR = "error"  # blocks approval and publication
    WARNING = "warning"  # shown, blocks nothing


#: Defaults used when no data file is given (templates/statements/lint.yaml overrides them).
#: For SMS, ``en`` is the GSM-7 segment and ``zh`` the UCS-2 one (any Chinese character).
DEFAULT_LIMITS: dict[Variant, dict[str, int]] = {
    Variant.LONG: {"en": 3000, "zh": 1500},
    Variant.SOCIAL: {"en": 280, "zh": 280},
    Variant.WEIBO: {"en": 2000, "zh": 2000},
    Variant.SMS: {"en": 160, "zh": 70},
}

#: Audiences whose statements must carry a contact channel, and the site-config key it comes from.
CONTACT_KEYS: dict[str, str] = {
    "customers": "contact",
    "partners": "contact",
    "media": "press_contact",
    "regulators": "regulator_contact",
}


def base_lang(lang: str) -> str:
    """``zh`` for every Chinese variant (zh, zh-Hant, zh-HK, zh-TW), else ``en``."""
    return "zh" if lang.lower().startswith("zh") else "en"


def _same(text: str, lang: str) -> str:
    return text


@dataclass(frozen=True)
class LintRules:
    """Word lists (every list is checked whatever the statement's language), context (allowed
    phrases, negations, denials, required wording per kind), length limits per variant and
    language, which publication channel is which variant, and ``convert`` (Simplified Chinese to
    a Chinese variant such as ``zh-Hant``; identity when no converter is wired)."""

    absolute_claims: tuple[str, ...] = ()
    speculation: tuple[str, ...] = ()
    progress_markers: tuple[str, ...] = ()
    contact_markers: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    negations: tuple[str, ...] = ()
    denials: tuple[str, ...] = ()
    required_wording: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    limits: Mapping[Variant, Mapping[str, int]] = field(default_factory=lambda: DEFAULT_LIMITS)
    channel_variants: Mapping[str, Variant] = field(default_factory=dict)
    convert: Callable[[str, str], str] = _same

    def variant_for(self, channel: str) -> Variant:
        """The variant of publication channel ``channel`` (``"sms"``, ``"weibo"``…); long form
        when the channel is not listed."""
        key = channel.strip().lower().lstrip("#")
        return self.channel_variants.get(key, Variant.LONG)

    def limit(self, variant: Variant, lang: str) -> int:
        per_lang = self.limits.get(variant) or DEFAULT_LIMITS[variant]
        lang = base_lang(lang)
        return int(per_lang.get(lang) or per_lang.get("en") or DEFAULT_LIMITS[variant]["en"])

    def context(self, kind: str) -> Context:
        return Context(
            allow=(*self.allow, *self.required_wording.get(kind, ())),
            negations=self.negations,
            denials=self.denials,
        )


@dataclass(frozen=True)
class Finding:
    """One lint finding: a stable ``code``, its level and the message in both languages."""

    code: str
    level: Level
    message: LocalText

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def text(self, lang: str = "en") -> str:
        return self.message.get(base_lang(lang))


_MENTION = re.compile(r"<[!@#][^<>]*>|(?<![\w@])@(channel|here|everyone)\b", re.IGNORECASE)
#: Templates mark what they could not fill as ⟦…⟧ (never in real text).
_PLACEHOLDER = re.compile(r"⟦[^⟦⟧]*⟧")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"https?://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|cn|net|org|example|io|shop)\b", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+?\d[\d\s-]{6,}\d)")


def find_phrases(text: str, phrases: Iterable[str], context: Context | None = None) -> list[str]:
    """The phrases of ``phrases`` found in ``text``: whole words for Latin phrases (any case),
    plain substrings for Chinese; ``context`` excuses allowed phrases and denied quotes."""
    return spans_found(text, phrases, context or Context())


def _quoted(items: Sequence[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip("。.!！")


def fact_versions(fact: Fact, lang: str, rules: LintRules) -> list[str]:
    """Every form of ``fact`` a statement in ``lang`` may carry: its own language's text first,
    then the original (and, for a Chinese variant, the Chinese text converted to it)."""
    own = fact.text_in(base_lang(lang))
    forms = [own] if own else []
    if own and base_lang(lang) == "zh" and lang != "zh":
        forms.insert(0, rules.convert(own, lang))
    forms += [text for text in fact.all_texts() if text not in forms]
    return forms


def _fact_in(text: str, forms: Iterable[str]) -> str | None:
    haystack = " ".join(text.split()).casefold()
    for form in forms:
        needle = _norm(form)
        if len(needle) >= 4 and needle in haystack:
            return form
    return None


def _has_contact(text: str, contact: str, rules: LintRules) -> bool:
    if contact and contact.strip() and contact.strip().casefold() in text.casefold():
        return True
    if find_phrases(text, rules.contact_markers):
        return True
    return bool(_EMAIL.search(text) or _URL.search(text) or _PHONE.search(text))


def lint_text(
    text: str,
    *,
    kind: str,
    lang: str,
    facts: Sequence[Fact],
    contact: str,
    rules: LintRules,
    variant: Variant | None = None,
    audience: str | None = None,
) -> list[Finding]:
    """Every finding for ``text``; ``variant`` adds that channel's length limit (the long-form
    limit always applies). ``audience`` given: an audience that needs a contact channel and has
    none configured (``contact`` empty) is an error."""
    findings: list[Finding] = []

    def add(level: Level, code: str, en: str, zh: str) -> None:
        findings.append(Finding(code, level, LocalText(en, zh)))

    def error(code: str, en: str, zh: str) -> None:
        add(Level.ERROR, code, en, zh)

    if audience in CONTACT_KEYS and not (contact or "").strip():
        key = CONTACT_KEYS[audience]
        error(
            "contact_not_configured",
            f"No contact channel for {audience} is configured: set `company.{key}` in the site "
            "config. A statement without a real contact channel cannot go out.",
            f"未配置面向{_AUDIENCE_ZH.get(audience, audience)}的联系渠道：请在站点配置中设置 "
            f"`company.{key}`。没有真实联系渠道的声明不能发布。",
        )

    present = {f.no: _fact_in(text, fact_versions(f, lang, rules)) for f in facts}
    if kind == "holding":
        if not any(f.status is FactStatus.CONFIRMED and present[f.no] for f in facts):
            error(
                "holding_missing_facts",
                "A holding statement must state confirmed facts: include at least one "
                "confirmed fact from the facts register (`/crisis fact confirm <n>`).",
                "首次声明必须包含已确认的事实：请至少写入一条事实登记中已确认的事实"
                "（`/crisis fact confirm <n>`）。",
            )
        if not find_phrases(text, rules.progress_markers):
            error(
                "holding_missing_progress",
                "A holding statement must say what is being done (handling progress), "
                "e.g. “we have suspended sales of the batch”; an apology is not progress.",
                "首次声明必须说明处置进展，例如“我们已暂停该批次销售”；致歉不等于处置进展。",
            )
        if not _has_contact(text, contact, rules):
            error(
                "holding_missing_contact",
                "A holding statement must give a contact channel for those affected "
                "(hotline, email or web page).",
                "首次声明必须为受影响者提供联系渠道（热线、邮箱或网页）。",
            )

    context = rules.context(kind)
    claims = spans_found(text, rules.absolute_claims, context, negatable=True)
    if claims:
        error(
            "absolute_claim",
            f"Absolute or unverifiable claim: {_quoted(claims)}. Say only what can be proven.",
            f"包含绝对化或无法证实的表述：{_quoted(claims)}。只陈述可以证实的内容。",
        )

    for fact in facts:
        form = present[fact.no]
        if not form:
            continue
        if fact.status is FactStatus.CONFIRMED:
            base = base_lang(lang)
            if form == fact.text and fact.text_in(base) is None:
                name_en, name_zh = ("Chinese", "中文") if base == "zh" else ("English", "英文")
                add(
                    Level.WARNING,
                    "fact_untranslated",
                    f"Fact #{fact.no} has no {name_en} version, so the original is used: "
                    f"“{fact.text}”. Add one with `/crisis fact {fact.no} {base} <text>`.",
                    f"事实 #{fact.no} 没有{name_zh}版本，声明中使用了原文：“{fact.text}”。"
                    f"请用 `/crisis fact {fact.no} {base} <译文>` 添加。",
                )
            continue
        if fact.status is FactStatus.RETRACTED:
            if kind in ("clarification", "qa") and inside_quotes(text, form):
                continue  # quoting the false claim to deny it
            error(
                "retracted_fact",
                f"Fact #{fact.no} was retracted but the statement still says it: “{form}”.",
                f"事实 #{fact.no} 已被撤回，但声明中仍包含：“{form}”。",
            )
        else:
            error(
                "unconfirmed_fact",
                f"Fact #{fact.no} is not confirmed yet: “{form}”. Confirm it or leave it out.",
                f"事实 #{fact.no} 尚未确认：“{form}”。请先确认或删去。",
            )

    guesses = spans_found(text, rules.speculation, context)
    if guesses:
        error(
            "speculation",
            f"Speculation beyond confirmed facts: {_quoted(guesses)}. State what is confirmed.",
            f"包含超出已确认事实的推测：{_quoted(guesses)}。只陈述已确认的内容。",
        )

    holes = sorted(set(_PLACEHOLDER.findall(text)))
    if holes:
        error(
            "unfilled_placeholder",
            f"Unfilled placeholder: {_quoted(holes)}. Supply what it asks for before this goes out.",
            f"存在未填写的占位内容：{_quoted(holes)}。请补全后再发布。",
        )

    mentions = sorted({m.group(0) for m in _MENTION.finditer(text)})
    if mentions:
        error(
            "slack_mention",
            f"Slack broadcast or mention in the text: {_quoted(mentions)}. Remove it.",
            f"正文中含有 Slack 全员通知或提及：{_quoted(mentions)}。请删除。",
        )
    findings += length_findings(text, lang=lang, rules=rules, variant=variant)
    return findings


def _limit_for(text: str, variant: Variant, lang: str, rules: LintRules) -> int:
    if variant is Variant.SMS:
        return rules.limit(variant, "en" if is_gsm7(text) else "zh")
    return rules.limit(variant, lang)


def length_findings(
    text: str, *, lang: str, rules: LintRules, variant: Variant | None
) -> list[Finding]:
    """Too long for the channel (error), or — for a draft (no variant) — a warning per short
    channel it will not fit."""
    findings = []
    variants = [Variant.LONG] + ([variant] if variant and variant is not Variant.LONG else [])
    for each in variants:
        size, limit = measure(text, each), _limit_for(text, each, lang, rules)
        if size > limit:
            findings.append(Finding(f"too_long_{each.value}", Level.ERROR, LocalText(
                f"Too long for {_VARIANT_EN[each]}: {size} characters, the limit is {limit}.",
                f"超出{_VARIANT_ZH[each]}的长度上限：{size} 字符，上限为 {limit}。",
            )))
    if variant is None:
        for each in (Variant.SOCIAL, Variant.WEIBO, Variant.SMS):
            size, limit = measure(text, each), _limit_for(text, each, lang, rules)
            if size > limit:
                findings.append(Finding(f"too_long_{each.value}", Level.WARNING, LocalText(
                    f"Too long for {_VARIANT_EN[each]} ({size} of {limit} characters); "
                    "publish it on long-form channels only.",
                    f"超出{_VARIANT_ZH[each]}的长度（{size}/{limit} 字符），只能在长文渠道发布。",
                )))
    return findings


_VARIANT_EN = {
    Variant.LONG: "a web page or email",
    Variant.SOCIAL: "a social-media post",
    Variant.WEIBO: "a Weibo post",
    Variant.SMS: "an SMS",
}
_VARIANT_ZH = {
    Variant.LONG: "网页或邮件",
    Variant.SOCIAL: "社交媒体帖子",
    Variant.WEIBO: "微博",
    Variant.SMS: "短信",
}
_AUDIENCE_ZH = {"customers": "用户", "partners": "合作伙伴", "media": "媒体", "regulators": "监管机构"}


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_error]


__all__ = [
    "CONTACT_KEYS",
    "DEFAULT_LIMITS",
    "Finding",
    "Level",
    "LintRules",
    "Variant",
    "base_lang",
    "errors",
    "fact_versions",
    "find_phrases",
    "length_findings",
    "lint_text",
    "measure",
]
