"""The knowledge base's case: what one past crisis taught, built from a resolved incident or
imported from a file of historical cases. Pure (standard library only).

A :class:`Case` holds what the next team needs at the moment of need: title, type, severity
and dates; confirmed facts, impact and tagged notes (what worked, what didn't, causes,
lessons); post-mortem action items with their state; the statements it published; and key
timings (to team, to first statement, to resolution).

>>> case = Case(id="H-1", title="Milk powder recall", crisis_type="product_quality",
...             severity="S", date=date(2024, 3, 1), lessons=("Pre-approve the recall notice",))
>>> Case.from_dict(case.to_dict()) == case
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

SEVERITIES = ("SS", "S", "A")
ACTION_STATES = ("open", "done")
#: A case id: letters, digits, ``-`` ``_`` ``.``; ``INC-<n>`` is reserved for our incidents.
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")


class CaseError(ValueError):
    """A case that cannot be stored, with what is wrong (``field``: where)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class ActionItem:
    """A post-mortem action item and whether it was done."""

    text: str
    state: str = "open"
    owner: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True, slots=True)
class PublishedText:
    """A statement the case published (the text that went out)."""

    text: str
    audience: str = "customers"
    kind: str = "holding"
    lang: str = "en"
    published_at: str = ""


@dataclass(frozen=True, slots=True)
class Timings:
    """Minutes from declaration; ``None`` when it never happened or is unknown."""

    to_team: float | None = None
    to_first_statement: float | None = None
    to_resolution: float | None = None


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    title: str
    crisis_type: str
    severity: str
    date: date
    ended: date | None = None
    summary: str = ""
    facts: tuple[str, ...] = ()
    impact: Mapping[str, Any] = field(default_factory=dict)
    worked: tuple[str, ...] = ()
    didnt: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    lessons: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    statements: tuple[PublishedText, ...] = ()
    timings: Timings = Timings()
    #: ``incident`` (built from one of ours) or ``import`` (a historical case from a file).
    source: str = "import"
    incident: int | None = None
    #: Readable only by people who may read it (our incident's insiders; ``readers`` for an
    #: imported case, plus roster executives).
    confidential: bool = False
    readers: tuple[str, ...] = ()
    #: The lessons were confirmed by a person (post-mortem close), not only collected.
    lessons_confirmed: bool = False

    @property
    def open_action_items(self) -> list[ActionItem]:
        return [a for a in self.action_items if a.is_open]

    def holding_statement(self) -> PublishedText | None:
        """The first holding statement it published (else its first statement)."""
        for text in self.statements:
            if text.kind == "holding":
                return text
        return self.statements[0] if self.statements else None

    def search_text(self) -> str:
        """Everything retrieval compares: title, summary, facts, notes, lessons, tags."""
        parts: list[str] = [self.title, self.summary, *self.facts, *self.worked, *self.didnt,
                            *self.causes, *self.lessons, *self.tags]
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "crisis_type": self.crisis_type,
            "severity": self.severity, "date": self.date.isoformat(),
            "ended": self.ended.isoformat() if self.ended else None,
            "summary": self.summary, "facts": list(self.facts), "impact": dict(self.impact),
            "worked": list(self.worked), "didnt": list(self.didnt), "causes": list(self.causes),
            "lessons": list(self.lessons), "tags": list(self.tags),
            "action_items": [{"text": a.text, "state": a.state, "owner": a.owner}
                             for a in self.action_items],
            "statements": [{"text": s.text, "audience": s.audience, "kind": s.kind,
                            "lang": s.lang, "published_at": s.published_at}
                           for s in self.statements],
            "timings": {"to_team": self.timings.to_team,
                        "to_first_statement": self.timings.to_first_statement,
                        "to_resolution": self.timings.to_resolution},
            "source": self.source, "incident": self.incident,
            "confidential": self.confidential, "readers": list(self.readers),
            "lessons_confirmed": self.lessons_confirmed,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Case:
        """Build and validate a case from plain data (a stored row, a YAML entry); raises
        :class:`CaseError` naming the field."""
        return _parse(raw)


# --------------------------------------------------------------------------- parsing


def _text(raw: Mapping[str, Any], key: str, *, required: bool = False, limit: int = 4000) -> str:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise CaseError(key, "is required")
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise CaseError(key, "must be text")
    text = str(value).strip()
    if len(text) > limit:
        raise CaseError(key, f"is {len(text)} characters long; the limit is {limit}")
    return text


def text_list(value: Any, key: str) -> tuple[str, ...]:
    """A list of texts: a YAML list, or one string with items separated by ``|``."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: Iterable[Any] = value.split("|")
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise CaseError(key, "must be a list (or text with items separated by |)")
    out = []
    for item in items:
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise CaseError(key, "items must be text")
        text = str(item).strip()
        if len(text) > 2000:
            raise CaseError(key, "an item is longer than 2000 characters")
        if text:
            out.append(text)
    return tuple(out)


def parse_date(value: Any, key: str, *, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            raise CaseError(key, "is required (YYYY-MM-DD)")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise CaseError(key, f"`{value}` is not a date (YYYY-MM-DD)") from None


def _minutes(value: Any, key: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        raise CaseError(key, f"`{value}` is not a number of minutes") from None
    if minutes < 0:
        raise CaseError(key, "cannot be negative")
    return minutes


def _parse(raw: Mapping[str, Any]) -> Case:
    if not isinstance(raw, Mapping):
        raise CaseError("case", "must be a mapping of fields")
    case_id = _text(raw, "id", required=True, limit=60)
    if not _CASE_ID.fullmatch(case_id):
        raise CaseError("id", f"`{case_id}` may hold only letters, digits, '.', '_' and '-'")
    severity = _text(raw, "severity", required=True).upper()
    if severity not in SEVERITIES:
        raise CaseError("severity", f"`{severity}` is not one of SS, S, A")
    crisis_type = _text(raw, "crisis_type", required=True, limit=60)
    actions = []
    for i, item in enumerate(raw.get("action_items") or ()):
        where = f"action_items[{i}]"
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, Mapping):
            raise CaseError(where, "must be text or a mapping with text and state")
        state = _text(item, "state") or "open"
        if state not in ACTION_STATES:
            raise CaseError(f"{where}.state", f"`{state}` is not open or done")
        actions.append(ActionItem(text=_text(item, "text", required=True),
                                  state=state, owner=_text(item, "owner") or None))
    statements = []
    for i, item in enumerate(raw.get("statements") or ()):
        where = f"statements[{i}]"
        if not isinstance(item, Mapping):
            raise CaseError(where, "must be a mapping with text (and audience, kind, lang)")
        statements.append(PublishedText(
            text=_text(item, "text", required=True), audience=_text(item, "audience") or "customers",
            kind=_text(item, "kind") or "holding", lang=_text(item, "lang") or "en",
            published_at=_text(item, "published_at")))
    timings = raw.get("timings") or {}
    if not isinstance(timings, Mapping):
        raise CaseError("timings", "must be a mapping (to_team, to_first_statement, to_resolution)")
    impact = raw.get("impact") or {}
    if not isinstance(impact, Mapping):
        raise CaseError("impact", "must be a mapping")
    incident = raw.get("incident")
    return Case(
        id=case_id, title=_text(raw, "title", required=True, limit=200), crisis_type=crisis_type,
        severity=severity, date=parse_date(raw.get("date"), "date", required=True),  # type: ignore[arg-type]
        ended=parse_date(raw.get("ended"), "ended"), summary=_text(raw, "summary"),
        facts=text_list(raw.get("facts"), "facts"), impact=dict(impact),
        worked=text_list(raw.get("worked"), "worked"), didnt=text_list(raw.get("didnt"), "didnt"),
        causes=text_list(raw.get("causes"), "causes"),
        lessons=text_list(raw.get("lessons"), "lessons"), tags=text_list(raw.get("tags"), "tags"),
        action_items=tuple(actions), statements=tuple(statements),
        timings=Timings(to_team=_minutes(timings.get("to_team"), "timings.to_team"),
                        to_first_statement=_minutes(timings.get("to_first_statement"),
                                                    "timings.to_first_statement"),
                        to_resolution=_minutes(timings.get("to_resolution"),
                                               "timings.to_resolution")),
        source="incident" if raw.get("source") == "incident" else "import",
        incident=int(incident) if isinstance(incident, int) else None,
        confidential=bool(raw.get("confidential", False)),
        readers=text_list(raw.get("readers"), "readers"),
        lessons_confirmed=bool(raw.get("lessons_confirmed", False)),
    )


@dataclass(frozen=True, slots=True)
class CaseMeta:
    """What search and the read check need of a case, without its whole text."""

    id: str
    crisis_type: str
    severity: str
    source: str
    incident: int | None
    confidential: bool
    readers: tuple[str, ...]

    @classmethod
    def of(cls, case: Case) -> CaseMeta:
        return cls(id=case.id, crisis_type=case.crisis_type, severity=case.severity,
                   source=case.source, incident=case.incident, confidential=case.confidential,
                   readers=case.readers)


def with_lessons(case: Case, lessons: Iterable[str]) -> Case:
    """The case with its lessons replaced by confirmed ones."""
    return replace(case, lessons=tuple(x.strip() for x in lessons if x.strip()),
                   lessons_confirmed=True)


def minutes_between(start: datetime, end: datetime | None) -> float | None:
    if end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)
