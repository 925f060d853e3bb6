"""Feeds for partners: Atom (RFC 4287) and JSON Feed 1.1, one entry per published statement.

Entry ids are name-based UUID URNs derived from the public notice key, audience, language and
publication time: stable across renders and exports, and they reveal no internal id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from bot.adapters.site.config import DarkSiteConfig
from bot.adapters.site.model import Notice, SiteStatement, public_id
from bot.adapters.site.render import iso
from bot.adapters.site.wording import audience_word, kind_word, lang_word, word

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


#: Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _entries(notices: Sequence[Notice]) -> list[SiteStatement]:
    return sorted((s for n in notices for s in n.statements),
                  key=lambda s: s.published_at, reverse=True)


def _lang(statement: SiteStatement) -> str:
    return "zh" if statement.lang.startswith("zh") else "en"


def _title(statement: SiteStatement) -> str:
    lang = _lang(statement)
    title = (f"{audience_word(statement.audience, lang)} · {kind_word(statement.kind, lang)} · "
             f"{lang_word(statement.lang, lang)}")
    if statement.corrected_at:
        return f"{word('corrected', lang)}{word('colon', lang)}{title}"
    if statement.corrects:
        return f"{word('correction', lang)}{word('colon', lang)}{title}"
    return title


def _summary(statement: SiteStatement) -> str | None:
    """Why an entry changed or what it corrects; the published text itself never changes."""
    lang = _lang(statement)
    if statement.corrected_at:
        return f"{word('corrected', lang)} {iso(statement.corrected_at)}"
    if statement.corrects:
        return (f"{word('correction', lang)}{word('colon', lang)}"
                f"{word('what_was_wrong', lang)}{word('colon', lang)}{statement.correction_reason}")
    return None


def _page_link(base: str, statement: SiteStatement) -> str:
    return f"{base}#{statement.history_anchor}"


def atom_feed(*, notices: Sequence[Notice], config: DarkSiteConfig, base: str,
              now: datetime) -> bytes:
    """The Atom document; ``base`` is the site's URL (absolute when known, else relative)."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: "en"})

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = _xml_text(text)
        return element

    entries = _entries(notices)
    sub(feed, "id", public_id("feed", config.title_en))
    sub(feed, "title", config.title_en)
    sub(feed, "updated", iso(max((e.updated_at for e in entries), default=_epoch(now))))
    author = sub(feed, "author")
    sub(author, "name", config.title_en)
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}feed.atom")
    sub(feed, "link", rel="alternate", type="text/html", href=base)
    for statement in entries:
        entry = sub(feed, "entry", **{XML_LANG: statement.html_lang})
        sub(entry, "id", statement.feed_id)
        sub(entry, "title", _title(statement))
        sub(entry, "published", iso(statement.published_at))
        sub(entry, "updated", iso(statement.updated_at))
        sub(entry, "link", rel="alternate", type="text/html", href=_page_link(base, statement))
        sub(entry, "category", term=statement.audience)
        summary = _summary(statement)
        if summary:
            sub(entry, "summary", summary, type="text")
        sub(entry, "content", statement.text, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8",
                                                                      xml_declaration=False)


def json_feed(*, notices: Sequence[Notice], config: DarkSiteConfig, base: str,
              now: datetime) -> bytes:
    items = [
        {
            "id": statement.feed_id,
            "url": _page_link(base, statement),
            "title": _title(statement),
            "content_text": statement.text,
            "date_published": iso(statement.published_at),
            "date_modified": iso(statement.updated_at),
            **({"summary": summary} if (summary := _summary(statement)) else {}),
            "language": statement.html_lang,
            "tags": [statement.audience, statement.kind],
        }
        for statement in _entries(notices)
    ]
    document = {
        "version": JSON_FEED_VERSION,
        "title": config.title_en,
        "home_page_url": base,
        "feed_url": f"{base}feed.json",
        "authors": [{"name": config.title_en}],
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _epoch(now: datetime) -> datetime:
    """A dormant feed's ``updated``: the start of the current day, so it stays cacheable."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)
