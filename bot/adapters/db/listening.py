"""Storage of listening posts and incident marks (schema: migration 0012)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Engine, Float, ForeignKey, Integer, String, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.adapters.db.models import Base
from bot.adapters.db.outbox import SqlOutbox
from bot.adapters.db.types import BigId, Json, UTCDateTime
from bot.domain.listening import Post


class PostRow(Base):
    __tablename__ = "listening_posts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    platform: Mapped[str] = mapped_column(String(60), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    followers: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reposts: Mapped[int] = mapped_column(BigInteger, nullable=False)
    comments: Mapped[int] = mapped_column(BigInteger, nullable=False)
    likes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    repost_of: Mapped[str | None] = mapped_column(String(300))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    classes: Mapped[str] = mapped_column(String(60), nullable=False)
    entities: Mapped[list[str]] = mapped_column(Json, nullable=False)
    sentiment: Mapped[str] = mapped_column(String(10), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    source: Mapped[str] = mapped_column(String(120), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ListeningMarkRow(Base):
    __tablename__ = "listening_marks"
    incident: Mapped[int] = mapped_column(Integer, ForeignKey("incidents.number"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref: Mapped[str] = mapped_column(String(300), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


def _insert(session: Session, table: Any) -> Any:
    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)


_COLUMNS = (PostRow.key, PostRow.platform, PostRow.text, PostRow.lang, PostRow.url, PostRow.author,
            PostRow.followers, PostRow.reposts, PostRow.comments, PostRow.likes, PostRow.repost_of,
            PostRow.posted_at, PostRow.classes, PostRow.entities, PostRow.sentiment, PostRow.score)


def _post(row: Sequence[Any]) -> Post:
    (key, platform, text, lang, url, author, followers, reposts, comments, likes, repost_of,
     posted_at, classes, entities, sentiment, score) = row
    return Post(key=key, platform=platform, text=text, author=author, posted_at=posted_at,
                lang=lang, url=url, followers=followers, reposts=reposts, comments=comments,
                likes=likes, repost_of=repost_of,
                classes=frozenset(c for c in classes.split(",") if c),
                entities=tuple(entities or ()), sentiment=sentiment, score=score)


class SqlPostStore:
    """``PostStore`` over ``listening_posts``: one transaction per batch; a post already
    stored (same platform and id) gets its newer engagement figures and nothing else."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, posts: Sequence[Post], *, source: str, at: datetime) -> int:
        if not posts:
            return 0
        rows = [{
            "key": p.key, "platform": p.platform, "text": p.text, "lang": p.lang, "url": p.url,
            "author": p.author, "followers": p.followers, "reposts": p.reposts,
            "comments": p.comments, "likes": p.likes, "repost_of": p.repost_of,
            "posted_at": p.posted_at, "classes": ",".join(sorted(p.classes)),
            "entities": list(p.entities), "sentiment": p.sentiment, "score": p.score,
            "source": source[:120], "received_at": at,
        } for p in posts]
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(PostRow.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={name: getattr(statement.excluded, name)
                  for name in ("followers", "reposts", "comments", "likes")})
        # A Core executemany on one connection: four times the rate of an ORM session here.
        with self.engine.begin() as connection:
            connection.execute(statement, rows)
        return len(rows)

    def posts(self, *, since: datetime, until: datetime | None = None,
              classes: Sequence[str] | None = None) -> list[Post]:
        """Posts with ``since <= posted_at (<= until)``, oldest first; ``classes`` keeps those
        tagged with any of them."""
        query = select(*_COLUMNS).where(PostRow.posted_at >= since)
        if until is not None:
            query = query.where(PostRow.posted_at <= until)
        with Session(self.engine) as session:
            rows = session.execute(query.order_by(PostRow.posted_at, PostRow.id)).all()
        posts = [_post(r) for r in rows]
        if classes:
            wanted = set(classes)
            posts = [p for p in posts if p.classes & wanted]
        return posts

    def count(self) -> int:
        from sqlalchemy import func

        with Session(self.engine) as session:
            return int(session.execute(select(func.count()).select_from(PostRow)).scalar_one())


class SqlListeningMarks:
    """What an incident channel was already given; :meth:`claim` is true once per mark."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, *, incident: int, kind: str, ref: str, at: datetime,
              effects: Sequence[tuple[str, dict[str, Any]]] = ()) -> bool:
        """Record the mark and, in the same transaction, queue ``effects`` (outbox kind,
        payload) for the incident; false (and nothing queued) when it was already marked."""
        with Session(self.engine) as session, session.begin():
            statement = _insert(session, ListeningMarkRow).values(
                incident=incident, kind=kind, ref=ref[:300], at=at).on_conflict_do_nothing()
            if not session.execute(statement).rowcount:
                return False
            outbox = SqlOutbox(session)
            for effect_kind, payload in effects:
                outbox.add(effect_kind, payload, at=at, incident=incident)
            return True

    def refs(self, *, incident: int, kind: str) -> set[str]:
        with Session(self.engine) as session:
            return set(session.execute(select(ListeningMarkRow.ref).where(
                ListeningMarkRow.incident == incident, ListeningMarkRow.kind == kind)).scalars())

    def last(self, *, incident: int, kind: str) -> datetime | None:
        with Session(self.engine) as session:
            return session.execute(
                select(ListeningMarkRow.at).where(ListeningMarkRow.incident == incident,
                                                  ListeningMarkRow.kind == kind)
                .order_by(ListeningMarkRow.at.desc()).limit(1)).scalar_one_or_none()
