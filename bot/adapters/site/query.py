"""``site_statements``: the one query behind the dark site (page, feeds and static export).

It reads the incidents that have published statements (their snapshot plus the events after
it, without locking anything) and keeps only what was published to the site's audiences.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, distinct, select
from sqlalchemy.orm import Session

from bot.adapters.db import snapshots
from bot.adapters.db.models import TimelineRow
from bot.adapters.site.faq import faq_pairs
from bot.adapters.site.model import FaqEntry, Notice, SiteStatement
from bot.domain.clocks import update_cadence_clock
from bot.domain.drills import is_drill_source
from bot.domain.incident import Incident
from bot.domain.severity import SeverityPolicy
from bot.domain.statements import Statement

#: The media Q&A kit: shown as the notice's FAQ, never as a statement.
QA_KIND = "qa"


def site_statements(
    engine: Engine, *, policy: SeverityPolicy, audiences: tuple[str, ...], now: datetime,
    keep_days: int = 30,
) -> list[Notice]:
    """Notices of the incidents with a statement published to one of ``audiences``, newest
    first: every open incident, and resolved ones whose last statement is under ``keep_days``
    old. The integrator may narrow ``audiences`` to those whose publish targets include the
    site."""
    with Session(engine) as session:
        numbers = session.execute(
            select(distinct(TimelineRow.incident)).where(TimelineRow.name == "statement.published")
        ).scalars().all()
        incidents = [_load(session, number) for number in sorted(numbers)]
    notices = [n for n in (_notice(i, policy=policy, audiences=audiences, now=now)
                           for i in incidents) if n is not None]
    cutoff = now - timedelta(days=keep_days)
    notices = [n for n in notices if n.active or n.updated_at >= cutoff]
    return _unique_keys(sorted(notices, key=lambda n: n.first_published_at, reverse=True))


def _load(session: Session, number: int) -> Incident:
    stored = snapshots.read(session, number)
    if stored is not None:
        return stored.incident.catch_up(snapshots.events_after(session, number, stored.last_event))
    return Incident.replay(snapshots.events_after(session, number, 0))


def _published_at(statement: Statement) -> datetime | None:
    return min((p.at for p in statement.publications), default=None)


def _notice(incident: Incident, *, policy: SeverityPolicy, audiences: tuple[str, ...],
            now: datetime) -> Notice | None:
    if is_drill_source(incident.source):
        return None  # a drill's publications never reach the public
    shown = sorted(
        ((at, s) for s in incident.statements.values()
         if s.audience in audiences and (at := _published_at(s)) is not None),
        key=lambda pair: (pair[0], pair[1].id),
    )
    if not shown:
        return None
    first = shown[0][0]
    key = f"{first:%Y%m%dT%H%M%SZ}" if first.utcoffset() is not None else f"{first:%Y%m%dT%H%M%S}"
    plain = {s.id: SiteStatement(notice=key, audience=s.audience, kind=s.kind, lang=s.lang,
                                 text=s.text, published_at=at)
             for at, s in shown if s.kind != QA_KIND}
    statements = tuple(_with_corrections(plain, incident))
    faq = tuple(
        FaqEntry(lang=s.lang, question=q, answer=a)
        for _, s in _latest_per_lang([(at, s) for at, s in shown if s.kind == QA_KIND])
        for q, a in faq_pairs(s.text)
    )
    clock = update_cadence_clock(incident, policy, now) if incident.is_active else None
    return Notice(
        key=key, first_published_at=first, updated_at=shown[-1][0], active=incident.is_active,
        resolved_at=incident.resolved_at, next_update_at=clock.due_at if clock else None,
        statements=statements, faq=faq, audiences=audiences,
    )


def _with_corrections(plain: dict[int, SiteStatement], incident: Incident) -> list[SiteStatement]:
    """Link each published correction and the statement it withdrew, both ways."""
    linked = []
    for statement_id, shown in plain.items():
        statement = incident.statements[statement_id]
        original = plain.get(statement.corrects)
        correction = plain.get(statement.corrected_by)
        linked.append(replace(
            shown,
            corrects=original.history_anchor if original else "",
            correction_reason=statement.correction_reason if original else "",
            corrected_at=statement.corrected_at if correction else None,
            corrected_by=correction.history_anchor if correction else "",
        ))
    return linked


def _latest_per_lang(pairs: list[tuple[datetime, Statement]]) -> list[tuple[datetime, Statement]]:
    latest: dict[str, tuple[datetime, Statement]] = {}
    for at, statement in pairs:
        latest[statement.lang] = (at, statement)
    return list(latest.values())


def _unique_keys(notices: list[Notice]) -> list[Notice]:
    """Two incidents whose first statements went out in the same second get ``-2``, ``-3``."""
    seen: dict[str, int] = {}
    result = []
    for notice in reversed(notices):  # oldest first, so an older notice keeps its key
        count = seen.get(notice.key, 0) + 1
        seen[notice.key] = count
        if count > 1:
            key = f"{notice.key}-{count}"
            old, new = f"h-{notice.key}-", f"h-{key}-"
            notice = replace(notice, key=key, statements=tuple(
                replace(s, notice=key, corrects=s.corrects.replace(old, new, 1),
                        corrected_by=s.corrected_by.replace(old, new, 1))
                for s in notice.statements))
        result.append(notice)
    return result[::-1]
