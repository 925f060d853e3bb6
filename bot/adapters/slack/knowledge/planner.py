"""Slack effects of the knowledge base, stored in the command's transaction (outbox).

* At declaration: "Similar past crises" in the new incident channel — the top 3 cases the
  whole channel may see (never a confidential one), and open action items of past
  post-mortems of the same crisis type. Posted after the card and checklist.
* When the post-mortem is published: the lessons to confirm, prefilled from the ``lesson:``
  notes, with *Confirm lessons* and *Edit*.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from bot.adapters.slack.knowledge import blocks as kb
from bot.domain import events as ev
from bot.domain.incident import Incident
from bot.domain.knowledge import CaseMeta
from bot.domain.knowledge_cases import confirmed_lessons, tagged_notes
from bot.services.knowledge import KnowledgeService
from bot.services.ports import UnitOfWork

log = logging.getLogger(__name__)


class KnowledgeEffects:
    """The :class:`~bot.services.ports.EffectPlanner` for the knowledge base."""

    def __init__(self, *, knowledge: KnowledgeService, public: Callable[[CaseMeta], bool],
                 catalog: Any = None) -> None:
        self.knowledge = knowledge
        self.public = public
        self.catalog = catalog

    def plan(self, uow: UnitOfWork, incident: Incident, events: Sequence[ev.Event]) -> None:
        for event in events:
            if isinstance(event, ev.IncidentDeclared):
                self._similar(uow, incident, event)
            elif isinstance(event, ev.PostmortemPublished):
                timeline = uow.timeline.for_incident(incident.number)
                confirmed = confirmed_lessons(timeline)
                lessons = list(confirmed) if confirmed is not None else \
                    tagged_notes(timeline)["lessons"]
                uow.outbox.add("post_message", kb.confirm_lessons_message(
                    number=incident.number, incident_label=incident.id, lessons=lessons),
                    at=event.at, incident=incident.number)

    def _similar(self, uow: UnitOfWork, incident: Incident, event: ev.Event) -> None:
        session = getattr(uow, "session", None)
        similar = self.knowledge.similar_to(incident, may_read=self.public, session=session)
        actions = self.knowledge.open_actions(crisis_type=incident.crisis_type,
                                              may_read=self.public, session=session,
                                              prefer=[s.case.id for s in similar])
        if not similar and not actions:
            return  # an empty knowledge base says nothing
        body = kb.similar_message(number=incident.number, incident_label=incident.id,
                                  similar=similar, open_actions=actions, catalog=self.catalog)
        uow.outbox.add("post_message", body, at=event.at, incident=incident.number)

    def committed(self) -> None:
        """The Slack planner wakes the dispatcher."""
