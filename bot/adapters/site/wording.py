"""The dark site's own words, in English and Chinese (statements keep their own language)."""

from __future__ import annotations

from bot.adapters.rendering.formatting.labels import AUDIENCE_LABELS, KIND_LABELS

UI_LANGS = ("en", "zh")

WORDS: dict[str, tuple[str, str]] = {
    "colon": (": ", "："),
    "skip": ("Skip to the notices", "跳到公告"),
    "language": ("Language", "语言"),
    "dormant_heading": ("No active notices", "目前没有公告"),
    "dormant_body": (("There is no incident notice at the moment. Our services and the "
                      "channels below work as usual."),
                     "目前没有需要发布的事件公告。我们的服务及以下联系渠道均正常运作。"),
    "ongoing": ("Ongoing", "处理中"),
    "resolved": ("Resolved", "已解决"),
    "notice_of": ("Notice of ", "公告："),
    "first_published": ("First published", "首次发布"),
    "last_updated": ("Last updated", "最近更新"),
    "next_update": ("Next update expected by", "下次更新预计不晚于"),
    "next_update_due": ("Next update: shortly", "下次更新：即将发布"),
    "current": ("Current statements", "最新声明"),
    "published": ("Published", "发布于"),
    "faq": ("Frequently asked questions", "常见问题"),
    "history": ("History of updates", "更新记录"),
    "replaced": ("Replaced by a later update", "已由后续更新取代"),
    "correction_of": ("Correction of the statement published", "更正此前发布的声明，原声明发布于"),
    "what_was_wrong": ("What was wrong", "更正原因"),
    "corrected": ("Withdrawn and corrected", "已撤回并更正"),
    "see_correction": ("Read the correction", "查看更正"),
    "see_original": ("Read the original", "查看原声明"),
    "correction": ("Correction", "更正"),
    "read": ("Read the statement", "阅读声明全文"),
    "contact": ("Contact", "联系我们"),
    "times_in": ("Times are shown in", "时间均按以下时区显示："),
    "zone_label": ("Time zone", "时区"),
    "zone_button": ("Show times", "显示时间"),
    "feeds": ("Follow these notices", "订阅公告"),
    "atom": ("Atom feed", "Atom 订阅"),
    "json": ("JSON feed", "JSON 订阅"),
    "other_lang": ("中文", "English"),
    "no_contacts": ("Contact channels will be listed here.", "联系渠道将在此列出。"),
}


def word(key: str, lang: str) -> str:
    en, zh = WORDS[key]
    return zh if lang == "zh" else en


def audience_word(audience: str, lang: str) -> str:
    en, zh = AUDIENCE_LABELS.get(audience, (audience, audience))
    return zh if lang == "zh" else en


def audience_heading(audience: str, lang: str) -> str:
    """"For customers" / "致用户" (no space in Chinese, lower case mid-sentence in English)."""
    en, zh = AUDIENCE_LABELS.get(audience, (audience, audience))
    return f"致{zh}" if lang == "zh" else f"For {en[:1].lower()}{en[1:]}"


_KINDS_EXTRA = {"clarification": ("clarification", "澄清说明"), "qa": ("Q&A", "问答")}
# The public reads "initial statement": "holding statement" is the comms team's own word.
_KINDS_PUBLIC = {"holding": ("initial statement", "首次声明")}


def kind_word(kind: str, lang: str) -> str:
    en, zh = (_KINDS_PUBLIC.get(kind) or KIND_LABELS.get(kind)
              or _KINDS_EXTRA.get(kind, (kind, kind)))
    return zh if lang == "zh" else en.capitalize()


_LANG_NAMES = {"en": ("English", "英文"), "zh": ("简体中文", "简体中文"),
               "zh-Hant": ("繁體中文", "繁體中文"), "zh-HK": ("繁體中文（香港）", "繁體中文（香港）"),
               "zh-TW": ("繁體中文（台灣）", "繁體中文（台灣）")}


def lang_word(code: str, lang: str) -> str:
    en, zh = _LANG_NAMES.get(code, (code, code))
    return zh if lang == "zh" else en
