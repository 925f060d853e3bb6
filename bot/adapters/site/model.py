"""What the dark site shows: public notices built only from published statements.

Nothing internal reaches these objects: no incident number, title, statement id, channel or
person. A notice is known to the public by the time its first statement went out
(:attr:`Notice.key`), which is also what the feeds' entry ids are derived from.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

#: The ``lang`` attribute of each statement language (BCP 47).
HTML_LANG = {"en": "en", "zh": "zh-Hans", "zh-Hant": "zh-Hant", "zh-HK": "zh-HK",
             "zh-TW": "zh-TW"}
#: Feed ids are name-based UUIDs under this namespace: stable, and reveal nothing.
_NAMESPACE = uuid.UUID("6f1b0c8e-3f0e-5d0a-9a57-2f1c8a6e0d21")


def public_id(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(parts))}"


@dataclass(frozen=True)
class SiteStatement:
    """One published statement, as the public saw it (published text never changes)."""

    notice: str
    audience: str
    kind: str
    lang: str
    text: str
    published_at: datetime
    #: A correction: the original's history anchor and what was wrong with it.
    corrects: str = ""
    correction_reason: str = ""
    #: A withdrawn statement: when its correction went out, and the correction's anchor.
    corrected_at: datetime | None = None
    corrected_by: str = ""

    @property
    def html_lang(self) -> str:
        return HTML_LANG.get(self.lang, "en")

    @property
    def key(self) -> str:
        return f"{self.notice}-{self.audience}-{self.lang}-{self.published_at:%Y%m%dT%H%M%SZ}"

    @property
    def anchor(self) -> str:
        return "s-" + re.sub(r"[^A-Za-z0-9-]", "-", self.key)

    @property
    def history_anchor(self) -> str:
        return "h-" + self.anchor[2:]

    @property
    def updated_at(self) -> datetime:
        return self.corrected_at or self.published_at

    @property
    def feed_id(self) -> str:
        return public_id("statement", self.key)


@dataclass(frozen=True)
class FaqEntry:
    lang: str
    question: str
    answer: str

    @property
    def html_lang(self) -> str:
        return HTML_LANG.get(self.lang, "en")


@dataclass(frozen=True)
class Notice:
    """The public face of one incident: every statement published to the site's audiences."""

    key: str
    first_published_at: datetime
    updated_at: datetime
    active: bool
    resolved_at: datetime | None
    next_update_at: datetime | None
    statements: tuple[SiteStatement, ...]  # oldest first; the Q&A kit is in ``faq``
    faq: tuple[FaqEntry, ...] = ()
    audiences: tuple[str, ...] = field(default=())

    @property
    def anchor(self) -> str:
        return f"n-{self.key}"

    def current(self) -> list[tuple[str, list[SiteStatement]]]:
        """Per audience (in the configured order), the latest statement in each language."""
        shown: list[tuple[str, list[SiteStatement]]] = []
        for audience in self.audiences:
            latest: dict[str, SiteStatement] = {}
            for statement in self.statements:
                if statement.audience == audience:
                    latest[statement.lang] = statement
            if latest:
                shown.append((audience, sorted(latest.values(), key=_lang_order)))
        return shown

    def history(self) -> list[SiteStatement]:
        """Every published statement, newest first."""
        return sorted(self.statements, key=lambda s: s.published_at, reverse=True)

    def superseded(self, statement: SiteStatement) -> bool:
        """A later statement to the same audience in the same language replaced it."""
        return any(s.audience == statement.audience and s.lang == statement.lang
                   and s.published_at > statement.published_at for s in self.statements)


def _lang_order(statement: SiteStatement) -> int:
    return list(HTML_LANG).index(statement.lang) if statement.lang in HTML_LANG else 99
