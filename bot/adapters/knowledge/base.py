"""The knowledge base of one process: the ``kb_cases`` table plus an in-memory BM25 index.

The index is the same on SQLite and PostgreSQL (it lives in process, needs no extension and
no network). A search first makes sure the index is current: after a write by this process at
once, otherwise at most every ``REFRESH_SECONDS`` it reads the latest ``kb`` revision and loads
only the rows written since — so a case stored by another replica (or by ``crisisbot kb
import``) is found within half a second. The hits' full cases come from a small cache of
recently shown cases, else from the table.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.knowledge import store
from bot.domain.knowledge import Case, CaseMeta
from bot.domain.knowledge_search import CaseIndex, Hit

log = logging.getLogger(__name__)

#: How long a search trusts the index before asking the table for rows another process wrote
#: (this process's own writes are seen at once).
REFRESH_SECONDS = 0.5
#: Cases kept in memory after being shown (the rest are read from the table when they are).
CACHED_CASES = 256


class KnowledgeBase:
    """Search and storage of cases (the service's :class:`~bot.services.knowledge.CaseStore`)."""

    def __init__(self, engine: Engine, *, mode: str = "bigram",
                 refresh: float = REFRESH_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        # SQLite queues this process's transactions one at a time (bot.adapters.db.write_gate):
        # there the read check, which may load incidents, must not run inside a transaction.
        self._split = engine.dialect.name == "sqlite"
        self._index = CaseIndex(mode=mode)
        self._meta: dict[str, CaseMeta] = {}
        self._revisions: dict[str, int] = {}
        #: Recently shown cases by id, with the revision they were read at.
        self._cases: OrderedDict[str, tuple[int, Case]] = OrderedDict()
        self._revision = 0
        self._lock = threading.Lock()
        self._refresh = refresh
        self._monotonic = monotonic
        self._checked: float | None = None
        self._seen_writes = -1

    # ------------------------------------------------------------------ index

    def sync(self, session: Session | None = None) -> None:
        """Load rows written since the last sync into the index."""
        if session is None:
            with self._sessions() as own:
                self.sync(own)
            return
        now = self._monotonic()
        writes = store.local_writes()
        if (writes == self._seen_writes and self._checked is not None
                and now - self._checked < self._refresh):
            return  # looked less than `refresh` ago and this process wrote nothing since
        self._checked, self._seen_writes = now, writes
        if store.latest_revision(session) <= self._revision:
            return
        with self._lock:
            for revision, meta, text in store.changes_since(session, self._revision):
                self._index.add(meta.id, text, crisis_type=meta.crisis_type, severity=meta.severity)
                self._meta[meta.id] = meta
                self._revisions[meta.id] = revision
                self._revision = max(self._revision, revision)

    def warm(self) -> threading.Thread:
        """Build the index in the background (at start-up), so no request pays for it."""
        def run() -> None:
            try:
                self.sync()
            except Exception as exc:  # noqa: BLE001 - the first search retries
                log.warning("knowledge index not built at start-up: %s", exc.__class__.__name__)

        thread = threading.Thread(target=run, name="kb-index", daemon=True)
        thread.start()
        return thread

    def meta(self, case_id: str) -> CaseMeta | None:
        return self._meta.get(case_id)

    def search(
        self, query: str, *, crisis_type: str | None, severity: str | None, limit: int,
        allow: Callable[[CaseMeta], bool], session: Session | None = None,
    ) -> list[tuple[Hit, Case]]:
        """The best ``limit`` cases ``allow`` admits, with their full cases. Without a
        ``session``, no SQLite transaction is held while ``allow`` runs (it may read
        incidents); on PostgreSQL one transaction serves the whole search."""
        if session is None and not self._split:
            with self._sessions() as own:
                return self.search(query, crisis_type=crisis_type, severity=severity,
                                   limit=limit, allow=allow, session=own)
        if session is None:
            with self._sessions() as own:
                self.sync(own)
        else:
            self.sync(session)
        # ``allow`` runs outside the index lock: it may wait for a database transaction
        # whose own search (a declaration's planner) waits for this lock.
        want = limit * 4
        while True:
            with self._lock:
                ranked = self._index.search(query, crisis_type=crisis_type, severity=severity,
                                            limit=want)
                metas = {h.case_id: self._meta.get(h.case_id) for h in ranked}
            hits = []
            for hit in ranked:
                meta = metas[hit.case_id]
                if meta is not None and allow(meta):
                    hits.append(hit)
                    if len(hits) >= limit:
                        break
            if len(hits) >= limit or len(ranked) < want:
                break
            want *= 4
        cases = self._cached([h.case_id for h in hits])
        missing = [h.case_id for h in hits if h.case_id not in cases]
        if missing and session is None:
            with self._sessions() as own:
                cases.update(self._load(own, missing))
        elif missing:
            cases.update(self._load(session, missing))
        return [(h, cases[h.case_id]) for h in hits if h.case_id in cases]

    def _cached(self, ids: list[str]) -> dict[str, Case]:
        out = {}
        with self._lock:
            for case_id in ids:
                entry = self._cases.get(case_id)
                if entry is not None and entry[0] == self._revisions.get(case_id):
                    self._cases.move_to_end(case_id)
                    out[case_id] = entry[1]
        return out

    def _load(self, session: Session, ids: list[str]) -> dict[str, Case]:
        loaded = store.load_cases(session, ids)
        with self._lock:
            for case_id, case in loaded.items():
                self._cases[case_id] = (self._revisions.get(case_id, -1), case)
                self._cases.move_to_end(case_id)
            while len(self._cases) > CACHED_CASES:
                self._cases.popitem(last=False)
        return loaded

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

    def all(self, *, crisis_type: str | None = None, session: Session | None = None) -> list[Case]:
        if session is not None:
            return store.all_cases(session, crisis_type=crisis_type)
        with self._sessions() as own:
            return store.all_cases(own, crisis_type=crisis_type)

    def ids(self, case_ids: Iterable[str]) -> set[str]:
        with self._sessions() as session:
            return set(store.load_cases(session, list(case_ids)))
