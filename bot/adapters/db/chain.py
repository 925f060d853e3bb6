"""Reading the timeline's hash chain back for ``crisisbot verify`` and the post-mortem."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.adapters.db.models import IncidentRow, TimelineRow
from bot.domain.chain import ChainReport, StoredEvent, verify


def stored_events(session: Session, number: int) -> list[StoredEvent]:
    rows = session.execute(
        select(TimelineRow.id, TimelineRow.incident, TimelineRow.name, TimelineRow.actor,
               TimelineRow.occurred_at, TimelineRow.payload, TimelineRow.chain_hash)
        .where(TimelineRow.incident == number).order_by(TimelineRow.id)
    )
    return [StoredEvent(*row) for row in rows]


def verify_incident(session: Session, number: int, *, first: int | None = None) -> ChainReport:
    """The incident's chain, or only its ``first`` events (the head a report quoted)."""
    events = stored_events(session, number)
    return verify(number, events if first is None else events[:first])


def verify_all(engine: Engine, numbers: list[int] | None = None, *,
               first: int | None = None) -> list[ChainReport]:
    """One report per incident (all of them unless ``numbers`` names some)."""
    with Session(engine) as session:
        query = select(IncidentRow.number).order_by(IncidentRow.number)
        if numbers is not None:
            query = query.where(IncidentRow.number.in_(numbers))
        numbers = list(session.execute(query).scalars())
        return [verify_incident(session, number, first=first) for number in numbers]
