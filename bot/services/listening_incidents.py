"""Listening inside an incident: the periodic "what people are saying" digest, KOL callouts,
the task to brief the friendly KOL pool, and the on-demand views (top, KOLs, spread).

Every effect goes through the outbox in the same transaction as the mark that says it was
done (``Marks.claim``), so a restart or a second replica never repeats one. The posts of an
incident are the brand posts from ``lookback`` before its declaration (the story usually
starts before anyone declares) until its resolution.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.domain.drills import is_drill_source
from bot.domain.listening import KolContact, Post, cascades, kols, origin
from bot.domain.roles import Actor, Role
from bot.services.ports import IncidentSummary

ACTOR = Actor.system("listening")
#: At most this many KOL callouts per incident per tick (the rest come on the next ticks).
CALLOUTS_PER_TICK = 5
VIEWS = ("top", "kols", "spread")


class Marks(Protocol):
    def claim(self, *, incident: int, kind: str, ref: str, at: datetime,
              effects: Sequence[tuple[str, dict[str, Any]]] = ()) -> bool: ...

    def refs(self, *, incident: int, kind: str) -> set[str]: ...


class Messages(Protocol):
    """The Slack wording (``bot.adapters.slack.listening``)."""

    def digest_message(self, *, posts: Sequence[Post], previous: int, since: datetime | None,
                       now: datetime | None, top: int, lang: str = "en") -> dict[str, Any]: ...

    def kol_callout(self, post: Post, *, lang: str = "en") -> dict[str, Any]: ...

    def top_view(self, posts: Sequence[Post], *, top: int = 10, lang: str = "en") -> dict[str, Any]: ...

    def kols_view(self, kols: Sequence[Post], *, lang: str = "en") -> dict[str, Any]: ...

    def spread_view(self, trees: Sequence[Any], origin: Post | None, *, lang: str = "en") -> dict[str, Any]: ...


class Incidents(Protocol):
    def list(self, *, open_only: bool = False) -> list[IncidentSummary]: ...

    def get(self, number: int) -> Any: ...

    def apply(self, number: int, change: Callable[..., list[Any]], *,
              idempotency_key: str | None = None) -> Any: ...


@dataclass(frozen=True)
class ListeningSettings:
    kol_followers: int = 100_000
    kol_pool: tuple[KolContact, ...] = ()
    brief_within: timedelta = timedelta(hours=2)
    digest_every: timedelta = timedelta(hours=1)
    digest_top: int = 5
    lookback: timedelta = timedelta(hours=24)
    lang: str = "en"


@dataclass
class TickReport:
    digests: list[int] = field(default_factory=list)
    callouts: dict[int, list[str]] = field(default_factory=dict)
    briefs: list[int] = field(default_factory=list)


class ListeningIncidents:
    def __init__(self, *, incidents: Incidents, posts: Callable[..., list[Post]], marks: Marks,
                 messages: Messages, clock: Callable[[], datetime],
                 settings: ListeningSettings | None = None) -> None:
        self.incidents = incidents
        self.posts = posts
        self.marks = marks
        self.messages = messages
        self.clock = clock
        self.settings = settings or ListeningSettings()

    # ------------------------------------------------------------------ periodic

    def tick(self) -> TickReport:
        """For every open incident but a drill: a digest when one is due, callouts of new KOLs,
        and (once) the task to brief the KOL pool."""
        report = TickReport()
        now = self.clock()
        for incident in self.incidents.list(open_only=True):
            if incident.status == "resolved":
                continue
            if is_drill_source(self.incidents.get(incident.number).source):
                continue  # a drill rehearses on its own injects: no real posts, no real KOLs
            posts = self.incident_posts(incident, until=now)
            if self.digest(incident, posts, now=now):
                report.digests.append(incident.number)
            called = self.call_out_kols(incident, posts, now=now)
            if called:
                report.callouts[incident.number] = called
            if self.brief_pool(incident, now=now):
                report.briefs.append(incident.number)
        return report

    def incident_posts(self, incident: IncidentSummary | Any, *, until: datetime | None = None) -> list[Post]:
        """Brand posts from ``lookback`` before declaration to resolution (or now); ``incident``
        is a listing row or the incident itself (both have ``declared_at`` / ``resolved_at``)."""
        end = incident.resolved_at or until or self.clock()
        return self.posts(since=incident.declared_at - self.settings.lookback, until=end,
                          classes=["brand"])

    def digest(self, incident: IncidentSummary, posts: Sequence[Post], *, now: datetime) -> bool:
        every = self.settings.digest_every
        period = int((now - incident.declared_at) / every) if now >= incident.declared_at else 0
        since, before = now - every, now - 2 * every
        window = [p for p in posts if since < p.posted_at <= now]
        previous = sum(1 for p in posts if before < p.posted_at <= since)
        body = self.messages.digest_message(posts=window, previous=previous, since=since, now=now,
                                            top=self.settings.digest_top, lang=self.settings.lang)
        return self.marks.claim(incident=incident.number, kind="digest", ref=str(period), at=now,
                                effects=[("post_message", body)])

    def call_out_kols(self, incident: IncidentSummary, posts: Sequence[Post], *,
                      now: datetime) -> list[str]:
        done = self.marks.refs(incident=incident.number, kind="kol")
        called: list[str] = []
        for post in kols(posts, min_followers=self.settings.kol_followers):
            if len(called) >= CALLOUTS_PER_TICK:
                break
            if post.author in done:
                continue
            body = self.messages.kol_callout(post, lang=self.settings.lang)
            if self.marks.claim(incident=incident.number, kind="kol", ref=post.author, at=now,
                                effects=[("post_message", body)]):
                called.append(post.author)
        return called

    def brief_pool(self, incident: IncidentSummary, *, now: datetime) -> bool:
        """Once per incident: a task for comms to brief the friendly KOL pool, due within
        ``brief_within`` (their contacts and quotas in the task)."""
        pool = self.settings.kol_pool
        if not pool or incident.crisis_type != "brand_reputation":
            return False
        text = ("Brief the friendly KOL pool (reserved crisis quota): "
                + "; ".join(k.describe() for k in pool))[:480]
        due = now + self.settings.brief_within
        outcome = self.incidents.apply(
            incident.number,
            lambda inc, at: inc.add_task(text, actor=ACTOR, at=at, owner_role=Role.COMMS, due_at=due),
            idempotency_key=f"listening-brief-INC-{incident.number}")
        return not outcome.duplicate

    # ------------------------------------------------------------------ on demand

    def view(self, incident: IncidentSummary | Any, which: str) -> dict[str, Any]:
        """``/crisis listening [top|kols|spread]`` for ``incident``."""
        posts = self.incident_posts(incident)
        lang = self.settings.lang
        if which == "kols":
            return self.messages.kols_view(kols(posts, min_followers=self.settings.kol_followers),
                                           lang=lang)
        if which == "spread":
            threshold = self.settings.kol_followers
            return self.messages.spread_view(cascades(posts, kol_followers=threshold),
                                             origin(posts, kol_followers=threshold), lang=lang)
        return self.messages.top_view(posts, top=10, lang=lang)
