"""Knowledge-base use cases: similar past crises, their lessons and open action items, cases
from our resolved incidents, historical imports, confirmed lessons, repeated lessons.

Who may read a case is the caller's ``may_read`` predicate (the Slack adapter derives it from
the permission table: a confidential incident's case only for people in that incident).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Protocol, Sequence

from bot.domain.clocks import team_assembled_at
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.events import Event
from bot.domain.incident import Incident
from bot.domain.knowledge import ActionItem, Case, CaseMeta
from bot.domain.knowledge_cases import case_from_incident, case_id_for, tagged_notes
from bot.domain.knowledge_search import Hit, RepeatedLesson, most_useful, repeated_lessons
from bot.domain.playbook import Catalog

MayRead = Callable[[CaseMeta], bool]


class CaseStore(Protocol):
    """Storage and search of cases (``bot.adapters.knowledge.base.KnowledgeBase``)."""

    def search(self, query: str, *, crisis_type: str | None, severity: str | None, limit: int,
               allow: MayRead, session: Any = None) -> list[tuple[Hit, Case]]: ...

    def save(self, cases: Sequence[Case], *, now: datetime, session: Any = None) -> int: ...

    def get(self, case_id: str) -> Case | None: ...

    def all(self, *, crisis_type: str | None = None) -> list[Case]: ...


@dataclass(frozen=True, slots=True)
class Similar:
    """A similar past case, with what to show of it."""

    case: Case
    hit: Hit
    lessons: tuple[str, ...]
    didnt: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenAction:
    case: Case
    item: ActionItem


def incident_query(incident: Incident) -> str:
    """What an incident is about, as a search query: title, description, facts."""
    facts = [f.text for f in incident.facts if f.status.value != "retracted"]
    return "\n".join([incident.title, incident.description, *facts])


@dataclass
class KnowledgeService:
    store: CaseStore
    catalog: Catalog
    clock: Callable[[], datetime]

    # ------------------------------------------------------------------ reads

    def similar(self, query: str, *, crisis_type: str | None = None,
                severity: str | None = None, may_read: MayRead, limit: int = 3,
                exclude: str | None = None, session: Any = None) -> list[Similar]:
        """The ``limit`` past cases nearest ``query`` that ``may_read`` admits."""
        allow: MayRead = (lambda m: m.id != exclude and may_read(m)) if exclude else may_read
        found = self.store.search(query, crisis_type=crisis_type, severity=severity,
                                  limit=limit, allow=allow, session=session)
        return [Similar(case=case, hit=hit, lessons=tuple(most_useful(case.lessons, query)),
                        didnt=tuple(case.didnt[:2])) for hit, case in found]

    def similar_to(self, incident: Incident, *, may_read: MayRead, limit: int = 3,
                   session: Any = None) -> list[Similar]:
        return self.similar(incident_query(incident), crisis_type=incident.crisis_type,
                            severity=incident.severity.value, may_read=may_read, limit=limit,
                            exclude=case_id_for(incident.number), session=session)

    def open_actions(self, *, crisis_type: str, may_read: MayRead,
                     exclude: str | None = None, limit: int = 3) -> list[OpenAction]:
        """Open action items of past post-mortems of ``crisis_type`` (newest case first)."""
        out: list[OpenAction] = []
        for case in reversed(self.store.all(crisis_type=crisis_type)):
            if case.id == exclude or not may_read(CaseMeta.of(case)):
                continue
            out.extend(OpenAction(case, item) for item in case.open_action_items)
            if len(out) >= limit:
                break
        return out[:limit]

    def case(self, case_id: str, *, may_read: MayRead) -> Case:
        case = self.store.get(case_id)
        if case is None or not may_read(CaseMeta.of(case)):
            # The same answer whether it does not exist or may not be read: no leak.
            raise NotFound(f"There is no case `{case_id}` you may read; `/crisis lessons` "
                           "searches the knowledge base.")
        return case

    def repeated(self) -> list[RepeatedLesson]:
        """Lessons learnt in more than one case."""
        return repeated_lessons((c.id, c.lessons) for c in self.store.all())

    # ------------------------------------------------------------------ writes

    def build_case(self, incident: Incident, events: list[Event]) -> Case:
        playbook = self.catalog.playbooks.get(incident.crisis_type)
        team_at = team_assembled_at(incident, self.catalog.policy, playbook)
        return case_from_incident(incident, events, team_at=team_at)

    def import_cases(self, cases: Sequence[Case]) -> int:
        """Store historical cases (all or nothing); an id of ours (``INC-…``) is refused."""
        for case in cases:
            if case.source != "import" or case.id.upper().startswith("INC-"):
                raise InvalidInput(f"`{case.id}` is one of our incidents; only historical cases "
                                   "are imported")
        return self.store.save(list(cases), now=self.clock())

    @staticmethod
    def prefilled_lessons(events: list[Event]) -> list[str]:
        """The lessons a post-mortem's close asks to confirm: the ``lesson:`` notes."""
        return tagged_notes(events)["lessons"]
