"""The ``kb_cases`` table: one row per case, the whole case as JSON plus the columns the index
and listings need. Every write takes the next ``kb`` revision (see migration 0011)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.adapters.db.models import Base, CounterRow
from bot.adapters.db.types import BigId, Json, UTCDateTime
from bot.domain.knowledge import Case, CaseMeta


class KbCaseRow(Base):
    __tablename__ = "kb_cases"
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    revision: Mapped[int] = mapped_column(BigId, nullable=False, unique=True)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    incident: Mapped[int | None] = mapped_column(Integer)
    crisis_type: Mapped[str] = mapped_column(String(60), nullable=False)
    severity: Mapped[str] = mapped_column(String(2), nullable=False)
    confidential: Mapped[bool] = mapped_column(Boolean, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    doc: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


def _take_revisions(session: Session, count: int) -> int:
    """Reserve ``count`` revisions; returns the first. The counter row's lock orders writers:
    revisions are handed out in commit order."""
    last = int(session.execute(
        update(CounterRow).where(CounterRow.name == "kb").values(value=CounterRow.value + count)
        .returning(CounterRow.value)).scalar_one())
    return last - count + 1


#: Writes made by this process (any session): an index in this process re-checks the table
#: at its next search after one, however recently it last looked.
_local_writes = [0]


def local_writes() -> int:
    return _local_writes[0]


def save_cases(session: Session, cases: Iterable[Case], *, now: datetime) -> int:
    """Insert or replace ``cases`` (by id) in the session's transaction; returns how many."""
    cases = list({c.id: c for c in cases}.values())  # the last of a repeated id wins
    if not cases:
        return 0
    _local_writes[0] += 1
    first = _take_revisions(session, len(cases))
    existing = {row.id: row for row in session.scalars(
        select(KbCaseRow).where(KbCaseRow.id.in_([c.id for c in cases])))}
    for offset, case in enumerate(cases):
        values: dict[str, Any] = {
            "revision": first + offset, "source": case.source,
            "incident": case.incident, "crisis_type": case.crisis_type,
            "severity": case.severity, "confidential": case.confidential,
            "title": case.title[:200], "occurred_on": case.date, "doc": case.to_dict(),
            "updated_at": now,
        }
        row = existing.get(case.id)
        if row is None:
            session.add(KbCaseRow(id=case.id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
    session.flush()
    return len(cases)


def latest_revision(session: Session) -> int:
    value = session.execute(select(CounterRow.value).where(CounterRow.name == "kb")).scalar()
    return int(value or 0)


#: Rows read at a time while the index is built: 10,000 whole cases read at once held tens of
#: MB at the peak, which the process kept (SPEC P5, idle memory).
CHANGES_BATCH = 500


def changes_since(session: Session, revision: int) -> Iterator[tuple[int, CaseMeta, str]]:
    """Rows written after ``revision``: (revision, meta, search text), oldest first, read
    ``CHANGES_BATCH`` rows at a time."""
    rows = session.execute(
        select(KbCaseRow.revision, KbCaseRow.doc).where(KbCaseRow.revision > revision)
        .order_by(KbCaseRow.revision).execution_options(yield_per=CHANGES_BATCH))
    for rev, doc in rows:
        case = Case.from_dict(doc)
        yield int(rev), meta_of(case), case.search_text()


def meta_of(case: Case) -> CaseMeta:
    return CaseMeta.of(case)


def load_cases(session: Session, ids: Sequence[str]) -> dict[str, Case]:
    if not ids:
        return {}
    rows = session.execute(select(KbCaseRow.id, KbCaseRow.doc).where(KbCaseRow.id.in_(list(ids))))
    return {row_id: Case.from_dict(doc) for row_id, doc in rows}


def all_cases(session: Session, *, crisis_type: str | None = None) -> list[Case]:
    query = select(KbCaseRow.doc).order_by(KbCaseRow.occurred_on, KbCaseRow.id)
    if crisis_type is not None:
        query = query.where(KbCaseRow.crisis_type == crisis_type)
    return [Case.from_dict(doc) for (doc,) in session.execute(query)]
