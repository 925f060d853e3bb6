"""Lint for statement text: pure rules, word lists passed in.

Every draft and every edit is linted; findings are computed from the text (never stored) so a
fact retracted later shows up on the next look, and blocks approval and publication.

>>> rules = LintRules(absolute_claims=("100% safe",))
>>> [f.code for f in lint_text("It is 100% safe.", kind="update", lang="en", facts=[],
...                            contact="", rules=rules)]
['absolute_claim']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterable, Mapping, Sequence

from bot.domain.records import Fact, FactStatus
from bot.domain.text import LocalText


class Variant(StrEnum):
    """Channel variants with their own length limit."""

    LONG = "long"  # web page, email
    SOCIAL = "social"  # a social-media post
    SMS = "sms"  # one SMS segment


class Level(StrEnum):
    ERROR = "error"  # blocks approval and publication
    WARNING = "warning"  # shown, blocks nothing


#: Defaults used when no data file is given (templates/statements/lint.yaml overrides them).
DEFAULT_LIMITS: dict[Variant, dict[str, int]] = {
    Variant.LONG: {"en": 3000, "zh": 1500},
    Variant.SOCIAL: {"en": 280, "zh": 280},
    Variant.SMS: {"en": 160, "zh": 70},
}


@dataclass(frozen=True)
class LintRules:
    """Word lists (any language; every list is checked whatever the statement's language),
    length limits per variant and language, and which publication channel is which variant."""

    absolute_claims: tuple[str, ...] = ()
    speculation: tuple[str, ...] = ()
    progress_markers: tuple[str, ...] = ()
    contact_markers: tuple[str, ...] = ()
    limits: Mapping[Variant, Mapping[str, int]] = field(default_factory=lambda: DEFAULT_LIMITS)
    channel_variants: Mapping[str, Variant] = field(default_factory=dict)

    def variant_for(self, channel: str) -> Variant:
        """The variant of publication channel ``channel`` (``"sms"``, ``"weibo"``…); long form
        when the channel is not listed."""
        key = channel.strip().lower().lstrip("#")
        return self.channel_variants.get(key, Variant.LONG)

    def limit(self, variant: Variant, lang: str) -> int:
        per_lang = self.limits.get(variant) or DEFAULT_LIMITS[variant]
        return int(per_lang.get(lang) or per_lang.get("en") or DEFAULT_LIMITS[variant]["en"])


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
        return self.message.get(lang)


_MENTION = re.compile(r"<[!@#][^<>]*>|(?<![\w@])@(channel|here|everyone)\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"https?://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|cn|net|org|example|io|shop)\b", re.I)
_PHONE = re.compile(r"(?:\+?\d[\d\s-]{6,}\d)")


def measure(text: str, variant: Variant) -> int:
    """Length as the channel counts it: social posts count wide (CJK) characters twice."""
    if variant is Variant.SOCIAL:
        return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    return len(text)


def find_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases of ``phrases`` found in ``text``: whole words for Latin phrases (any case),
    plain substrings for Chinese."""
    found: list[str] = []
    folded = text.casefold()
    for phrase in phrases:
        phrase = phrase.strip()
        if not phrase or phrase in found:
            continue
        if phrase.isascii():
            pattern = r"(?<![A-Za-z0-9])" + re.escape(phrase.casefold()) + r"(?![A-Za-z0-9])"
            if re.search(pattern, folded):
                found.append(phrase)
        elif phrase.casefold() in folded:
            found.append(phrase)
    return found


def _quoted(items: Sequence[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)


def _fact_in(text: str, fact: Fact) -> bool:
    needle = " ".join(fact.text.split()).casefold().rstrip("。.!！")
    return len(needle) >= 4 and needle in " ".join(text.split()).casefold()


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
) -> list[Finding]:
    """Every finding for ``text``; ``variant`` adds that channel's length limit (the long-form
    limit always applies)."""
    findings: list[Finding] = []
    error = lambda code, en, zh: findings.append(Finding(code, Level.ERROR, LocalText(en, zh)))  # noqa: E731

    if kind == "holding":
        if not any(f.status is FactStatus.CONFIRMED and _fact_in(text, f) for f in facts):
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
                "e.g. “we have suspended sales of the batch”.",
                "首次声明必须说明处置进展，例如“我们已暂停该批次销售”。",
            )
        if not _has_contact(text, contact, rules):
            error(
                "holding_missing_contact",
                "A holding statement must give a contact channel for those affected "
                "(hotline, email or web page).",
                "首次声明必须为受影响者提供联系渠道（热线、邮箱或网页）。",
            )

    claims = find_phrases(text, rules.absolute_claims)
    if claims:
        error(
            "absolute_claim",
            f"Absolute or unverifiable claim: {_quoted(claims)}. Say only what can be proven.",
            f"包含绝对化或无法证实的表述：{_quoted(claims)}。只陈述可以证实的内容。",
        )

    for fact in facts:
        if fact.status is FactStatus.CONFIRMED or not _fact_in(text, fact):
            continue
        if fact.status is FactStatus.RETRACTED:
            error(
                "retracted_fact",
                f"Fact #{fact.no} was retracted but the statement still says it: “{fact.text}”.",
                f"事实 #{fact.no} 已被撤回，但声明中仍包含：“{fact.text}”。",
            )
        else:
            error(
                "unconfirmed_fact",
                f"Fact #{fact.no} is not confirmed yet: “{fact.text}”. Confirm it or leave it out.",
                f"事实 #{fact.no} 尚未确认：“{fact.text}”。请先确认或删去。",
            )

    guesses = find_phrases(text, rules.speculation)
    if guesses:
        error(
            "speculation",
            f"Speculation beyond confirmed facts: {_quoted(guesses)}. State what is confirmed.",
            f"包含超出已确认事实的推测：{_quoted(guesses)}。只陈述已确认的内容。",
        )

    mentions = sorted({m.group(0) for m in _MENTION.finditer(text)})
    if mentions:
        error(
            "slack_mention",
            f"Slack broadcast or mention in the text: {_quoted(mentions)}. Remove it.",
            f"正文中含有 Slack 全员通知或提及：{_quoted(mentions)}。请删除。",
        )

    variants = [Variant.LONG] + ([variant] if variant and variant is not Variant.LONG else [])
    for each in variants:
        size, limit = measure(text, each), rules.limit(each, lang)
        if size > limit:
            error(
                f"too_long_{each.value}",
                f"Too long for {_VARIANT_EN[each]}: {size} characters, the limit is {limit}.",
                f"超出{_VARIANT_ZH[each]}的长度上限：{size} 字符，上限为 {limit}。",
            )
    if variant is None:  # a draft: say which short channels it will not fit
        for each in (Variant.SOCIAL, Variant.SMS):
            size, limit = measure(text, each), rules.limit(each, lang)
            if size > limit:
                findings.append(
                    Finding(
                        f"too_long_{each.value}",
                        Level.WARNING,
                        LocalText(
                            f"Too long for {_VARIANT_EN[each]} ({size} of {limit} characters); "
                            "publish it on long-form channels only.",
                            f"超出{_VARIANT_ZH[each]}的长度（{size}/{limit} 字符），只能在长文渠道发布。",
                        ),
                    )
                )
    return findings


_VARIANT_EN = {
    Variant.LONG: "a web page or email",
    Variant.SOCIAL: "a social-media post",
    Variant.SMS: "an SMS",
}
_VARIANT_ZH = {Variant.LONG: "网页或邮件", Variant.SOCIAL: "社交媒体帖子", Variant.SMS: "短信"}


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_error]
