"""Knowledge-base use cases: similar past crises, their lessons and open action items, cases
from our resolved incidents, historical imports, confirmed lessons, repeated lessons.

Who may read a case is the caller's ``may_read`` predicate (the Slack adapter derives it from
the permission table: a confidential incident's case only for people in that incident).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.domain.clocks import team_assembled_at
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.events import Event
from bot.domain.incident import Incident
from bot.domain.knowledge import ActionItem, Case, CaseMeta
from bot.domain.knowledge_cases import (
    case_from_incident,
    case_id_for,
    confirmed_lessons,
    tagged_notes,
)
from bot.domain.knowledge_draft import flag_foreign_facts
from bot.domain.knowledge_search import Hit, RepeatedLesson, most_useful, repeated_lessons
from bot.domain.playbook import Catalog
from bot.domain.roles import Actor
from bot.services.incidents import IncidentService, Outcome

MayRead = Callable[[CaseMeta], bool]


class CaseStore(Protocol):
    """Storage and search of cases (``bot.adapters.knowledge.base.KnowledgeBase``)."""

    def search(self, query: str, *, crisis_type: str | None, severity: str | None, limit: int,
               allow: MayRead, session: Any = None) -> list[tuple[Hit, Case]]: ...

    def save(self, cases: Sequence[Case], *, now: datetime, session: Any = None) -> int: ...

    def get(self, case_id: str) -> Case | None: ...

    def all(self, *, crisis_type: str | None = None, session: Any = None) -> list[Case]: ...

    def warm(self) -> Any:
        """Prepare the search index in the background."""


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
    #: For the use cases that change an incident (drafting from a case, confirming lessons).
    incidents: IncidentService | None = None

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
                     exclude: str | None = None, limit: int = 3, session: Any = None,
                     prefer: Sequence[str] = ()) -> list[OpenAction]:
        """Open action items of past post-mortems of ``crisis_type``: those of the cases in
        ``prefer`` (the similar ones) first, then the newest cases'."""
        cases = list(reversed(self.store.all(crisis_type=crisis_type, session=session)))
        order = {case_id: i for i, case_id in enumerate(prefer)}
        cases.sort(key=lambda c: order.get(c.id, len(order)))  # stable: newest first after
        out: list[OpenAction] = []
        for case in cases:
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

    def repeated(self, *, since: date | None = None) -> list[RepeatedLesson]:
        """Lessons learnt in more than one case (cases dated ``since`` or later)."""
        return repeated_lessons((c.id, c.lessons) for c in self.store.all()
                                if since is None or c.date >= since)

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

    def start_statement(self, number: int, case: Case, *, actor: Actor,
                        also_ours: Sequence[str] = (),
                        idempotency_key: str | None = None) -> tuple[Outcome, list[str]]:
        """Draft our statement from ``case``'s holding statement: every sentence carrying a
        fact that is not one of OUR confirmed facts is flagged as an unfilled placeholder (the
        lint refuses it), so nothing of the old incident is carried as confirmed. Returns the
        outcome and the sentences flagged."""
        assert self.incidents is not None, "bootstrap wires the incident service"
        holding = case.holding_statement()
        if holding is None:
            raise InvalidInput(f"{case.id} published no statement to start from.")
        flagged: list[str] = []

        def change(incident: Incident, now: datetime) -> list[Event]:
            ours = [t for fact in incident.confirmed_facts() for t in fact.all_texts()]
            text, found = flag_foreign_facts(
                holding.text, old_facts=case.facts, our_facts=ours,
                incident_label=incident.id, case_id=case.id, also_ours=also_ours)
            flagged[:] = found
            return incident.draft_statement(
                audience=holding.audience, kind=holding.kind, lang=holding.lang, text=text,
                template=f"kb:{case.id}", actor=actor, at=now)

        outcome = self.incidents.apply(number, change, idempotency_key=idempotency_key)
        return outcome, flagged

    def confirm_lessons(self, number: int, lessons: Sequence[str] | None, *, actor: Actor,
                        idempotency_key: str | None = None) -> Outcome:
        """Confirm the lessons of a resolved incident (``None``: the prefilled ones)."""
        assert self.incidents is not None, "bootstrap wires the incident service"

        # Read before the change's transaction: one transaction at a time per thread.
        chosen = list(lessons) if lessons is not None else self.prefilled(number)

        def change(incident: Incident, now: datetime) -> list[Event]:
            return incident.confirm_lessons(chosen, actor=actor, at=now)

        return self.incidents.apply(number, change, idempotency_key=idempotency_key)

    def prefilled(self, number: int) -> list[str]:
        """The lessons to confirm: the last confirmed ones, else the ``lesson:`` notes."""
        assert self.incidents is not None
        events = self.incidents.timeline(number)
        confirmed = confirmed_lessons(events)
        return list(confirmed) if confirmed is not None else self.prefilled_lessons(events)

