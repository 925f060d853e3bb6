"""The knowledge base of one process: the ``kb_cases`` table plus an in-memory BM25 index.

The index is the same on SQLite and PostgreSQL (it lives in process, needs no extension and
no network). Before each search it asks the database for the latest ``kb`` revision and loads
only the rows written since, so a case stored by another replica (or by ``crisisbot kb
import``) is found at the next search. The hits' full cases are read from the table.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Callable, Iterable, Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.knowledge import store
from bot.domain.knowledge import Case, CaseMeta
from bot.domain.knowledge_search import CaseIndex, Hit


class KnowledgeBase:
    """Search and storage of cases (the service's :class:`~bot.services.knowledge.CaseStore`)."""

    def __init__(self, engine: Engine, *, mode: str = "bigram") -> None:
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._index = CaseIndex(mode=mode)
        self._meta: dict[str, CaseMeta] = {}
        self._revision = 0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ index

    def sync(self, session: Session | None = None) -> None:
        """Load rows written since the last sync into the index."""
        if session is None:
            with self._sessions() as own:
                self.sync(own)
            return
        if store.latest_revision(session) <= self._revision:
            return
        with self._lock:
            for revision, meta, text in store.changes_since(session, self._revision):
                self._index.add(meta.id, text, crisis_type=meta.crisis_type, severity=meta.severity)
                self._meta[meta.id] = meta
                self._revision = max(self._revision, revision)

    def meta(self, case_id: str) -> CaseMeta | None:
        return self._meta.get(case_id)

    def search(
        self, query: str, *, crisis_type: str | None, severity: str | None, limit: int,
        allow: Callable[[CaseMeta], bool], session: Session | None = None,
    ) -> list[tuple[Hit, Case]]:
        """The best ``limit`` cases ``allow`` admits, with their full cases."""
        if session is None:
            with self._sessions() as own:
                return self.search(query, crisis_type=crisis_type, severity=severity,
                                   limit=limit, allow=allow, session=own)
        self.sync(session)
        with self._lock:
            hits = self._index.search(
                query, crisis_type=crisis_type, severity=severity, limit=limit,
                allow=lambda case_id: case_id in self._meta and allow(self._meta[case_id]))
        cases = store.load_cases(session, [h.case_id for h in hits])
        return [(h, cases[h.case_id]) for h in hits if h.case_id in cases]

    # ------------------------------------------------------------------ storage

    def save(self, cases: Sequence[Case], *, now: datetime, session: Session | None = None) -> int:
        """Store ``cases`` (all or nothing); inside ``session``'s transaction when given."""
        if session is not None:
            return store.save_cases(session, cases, now=now)
        with self._sessions() as own, own.begin():
            return store.save_cases(own, cases, now=now)

    def get(self, case_id: str) -> Case | None:
        with self._sessions() as session:
            return store.load_cases(session, [case_id]).get(case_id)

    def all(self, *, crisis_type: str | None = None) -> list[Case]:
        with self._sessions() as session:
            return store.all_cases(session, crisis_type=crisis_type)

    def ids(self, case_ids: Iterable[str]) -> set[str]:
        with self._sessions() as session:
            return set(store.load_cases(session, list(case_ids)))
