"""Duty overrides made in Slack (``/crisis oncall override|swap``); the config's own overrides
live in the site config."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.adapters.db.models import Base
from bot.adapters.db.types import BigId, UTCDateTime
from bot.domain.rota import Override


class OncallOverrideRow(Base):
    __tablename__ = "oncall_overrides"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    user_id: Mapped[str] = mapped_column(String(80), nullable=False)
    layer: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    created_by: Mapped[str] = mapped_column(String(80), nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SqlOverrides:
    """The :class:`~bot.services.oncall.OverrideStore` on the crisisbot database."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def active(self, *, after: datetime) -> list[Override]:
        """Overrides that end after ``after``, oldest first (a newer one wins)."""
        with self._sessions() as session:
            rows = session.scalars(select(OncallOverrideRow).where(
                OncallOverrideRow.ends_at > after).order_by(OncallOverrideRow.id)).all()
            return [Override(role=r.role, user=r.user_id, start=r.starts_at, end=r.ends_at,
                             layer=r.layer, by=r.created_by, reason=r.reason) for r in rows]

    def add(self, overrides: list[Override], *, at: datetime) -> None:
        """All or nothing (a swap is two overrides)."""
        with self._sessions() as session:
            for o in overrides:
                session.add(OncallOverrideRow(role=o.role, user_id=o.user, layer=o.layer,
                                              starts_at=o.start, ends_at=o.end, created_by=o.by,
                                              reason=o.reason[:200], created_at=at))
            session.commit()
