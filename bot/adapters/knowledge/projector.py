"""Keeps each resolved incident's case in the knowledge base current.

An :class:`~bot.services.ports.EffectPlanner`: after any change to an incident that is
resolved or closed (the resolution itself, a late note, an action item, the post-mortem,
confirmed lessons), its case is rebuilt from the incident and its timeline and stored in the
same transaction as the change — a crash never leaves the two apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.knowledge.store import save_cases
from bot.domain.drills import is_drill_source
from bot.domain.events import Event
from bot.domain.incident import Incident
from bot.services.knowledge import KnowledgeService
from bot.services.ports import UnitOfWork


class KnowledgeProjector:
    def __init__(self, *, knowledge: KnowledgeService) -> None:
        self.knowledge = knowledge

    def plan(self, uow: UnitOfWork, incident: Incident, events: Sequence[Event]) -> None:
        if not events or incident.is_active or is_drill_source(incident.source):
            return  # a drill is a rehearsal, never a past crisis to learn from
        timeline = uow.timeline.for_incident(incident.number)
        case = self.knowledge.build_case(incident, timeline)
        save_cases(uow.session, [case], now=events[-1].at)  # type: ignore[attr-defined]

    def committed(self) -> None:
        """Nothing to wake: each process's index loads new cases at its next search."""
