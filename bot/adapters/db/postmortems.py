"""Post-mortem storage: raw timeline records in, generated versions kept.

Implements :class:`~bot.services.postmortems.PostmortemArchive`. Each method is its own short
transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.models import IncidentRow, PostmortemRow, TimelineRow
from bot.collector import collector_paused
from bot.domain.errors import NotFound
from bot.domain.incident import incident_id
from bot.services.postmortems import RenderedPostmortem, StoredPostmortem, TimelineRecord


class SqlPostmortemArchive:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def records(self, number: int) -> list[TimelineRecord]:
        with collector_paused(), self._sessions() as session:  # 10,000s of rows kept: see there
            if session.get(IncidentRow, number) is None:
                raise NotFound(f"There is no incident {incident_id(number)}; "
                               "`crisisbot incidents` lists them.")
            rows = session.execute(
                select(TimelineRow.name, TimelineRow.actor, TimelineRow.occurred_at,
                       TimelineRow.payload)
                .where(TimelineRow.incident == number).order_by(TimelineRow.id)
            )
            return [TimelineRecord(name, actor, at, dict(payload or {}))
                    for name, actor, at, payload in rows]

    def chain_head(self, number: int) -> str:
        from bot.adapters.db.chain import verify_incident

        with self._sessions() as session:
            return verify_incident(session, number).head

    def find(self, number: int, digest: str) -> StoredPostmortem | None:
        with self._sessions() as session:
            row = session.execute(
                select(PostmortemRow).where(PostmortemRow.incident == number,
                                            PostmortemRow.digest == digest)
            ).scalar_one_or_none()
            return _stored(row, reused=True) if row else None

    def get(self, number: int, version: int) -> StoredPostmortem | None:
        with self._sessions() as session:
            row = session.execute(
                select(PostmortemRow).where(PostmortemRow.incident == number,
                                            PostmortemRow.version == version)
            ).scalar_one_or_none()
            return _stored(row) if row else None

    def latest_version(self, number: int) -> int:
        with self._sessions() as session:
            return int(session.execute(
                select(func.coalesce(func.max(PostmortemRow.version), 0))
                .where(PostmortemRow.incident == number)
            ).scalar_one())

    def save(self, number: int, *, digest: str, lang: str, rendered: RenderedPostmortem,
             at: datetime, by: str) -> StoredPostmortem:
        # Two builders racing: the unique (incident, digest) keeps one row and the loser
        # returns it; a race on the version number just takes the next one.
        for _ in range(5):
            try:
                with self._sessions() as session, session.begin():
                    version = int(session.execute(
                        select(func.coalesce(func.max(PostmortemRow.version), 0))
                        .where(PostmortemRow.incident == number)
                    ).scalar_one()) + 1
                    row = PostmortemRow(
                        incident=number, version=version, digest=digest, lang=lang,
                        created_at=at, created_by=by, summary="\n".join(rendered.summary),
                        markdown=rendered.markdown, html=rendered.html, json=rendered.json,
                    )
                    session.add(row)
                    session.flush()
                    return _stored(row)
            except IntegrityError:
                found = self.find(number, digest)
                if found is not None:
                    return found
        raise RuntimeError(f"could not store a post-mortem version of {incident_id(number)}")


def _stored(row: PostmortemRow, *, reused: bool = False) -> StoredPostmortem:
    return StoredPostmortem(
        incident=row.incident, version=row.version, digest=row.digest, lang=row.lang,
        created_at=row.created_at, created_by=row.created_by, reused=reused,
        rendered=RenderedPostmortem(markdown=row.markdown, html=row.html, json=row.json,
                                    summary=tuple(row.summary.splitlines())),
    )
