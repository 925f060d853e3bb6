"""A knowledge-base case from one of our incidents (pure).

Built from the incident's state and its timeline: tagged notes (``worked:``, ``didnt:``,
``cause:``, ``lesson:``), confirmed facts (every language), impact, action items, the
statements it published and its key timings. Lessons confirmed at the post-mortem's close
(:class:`~bot.domain.events.LessonsConfirmed`) replace the collected ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain import events as ev
from bot.domain.knowledge import ActionItem, Case, PublishedText, Timings, minutes_between

if TYPE_CHECKING:
    from bot.domain.incident import Incident

#: Note tags and the case field each fills.
TAG_FIELDS = {"worked": "worked", "didnt": "didnt", "cause": "causes", "lesson": "lessons"}


def case_id_for(number: int) -> str:
    return f"INC-{number}"


def tagged_notes(events: Iterable[ev.Event]) -> dict[str, list[str]]:
    """The tagged notes of a timeline, per case field (``worked``, ``didnt``, ``causes``,
    ``lessons``), in the order written, without repeats."""
    out: dict[str, list[str]] = {f: [] for f in TAG_FIELDS.values()}
    for event in events:
        if isinstance(event, ev.NoteAdded) and event.tag in TAG_FIELDS:
            bucket = out[TAG_FIELDS[event.tag]]
            if event.text not in bucket:
                bucket.append(event.text)
    return out


def confirmed_lessons(events: Iterable[ev.Event]) -> tuple[str, ...] | None:
    """The lessons last confirmed by a person, or ``None`` if never confirmed."""
    found: tuple[str, ...] | None = None
    for event in events:
        if getattr(event, "name", "") == "lessons.confirmed":
            found = tuple(getattr(event, "lessons", ()))
    return found


def done_followups(events: Iterable[ev.Event]) -> set[int]:
    """Action items marked done (``followup.done`` events, undone by ``followup.reopened``),
    by item number."""
    done: set[int] = set()
    for event in events:
        name = getattr(event, "name", "")
        if name == "followup.done":
            done.add(int(getattr(event, "item_no", 0)))
        elif name == "followup.reopened":
            done.discard(int(getattr(event, "item_no", 0)))
    return done


def case_from_incident(incident: Incident, events: list[ev.Event], *,
                       team_at: datetime | None) -> Case:
    """The case of a resolved (or closed) incident; ``team_at``: when the team was assembled."""
    notes = tagged_notes(events)
    confirmed = confirmed_lessons(events)
    facts: list[str] = []
    for fact in incident.confirmed_facts():
        for text in fact.all_texts():
            if text not in facts:
                facts.append(text)
    done = done_followups(events)
    actions = tuple(ActionItem(text=f.text, state="done" if f.item_no in done else "open",
                               owner=f.owner) for f in incident.followups)
    published: list[PublishedText] = []
    for statement in sorted(incident.statements.values(), key=lambda s: s.id):
        if statement.publications:
            first = min(p.at for p in statement.publications)
            published.append(PublishedText(text=statement.text, audience=statement.audience,
                                           kind=statement.kind, lang=statement.lang,
                                           published_at=first.isoformat()))
    first_statement = min(incident.external_published, default=None) or min(
        incident.statements_published, default=None)
    resolved = incident.resolved_at or incident.closed_at
    return Case(
        id=case_id_for(incident.number), title=incident.title, crisis_type=incident.crisis_type,
        severity=incident.severity.value, date=incident.declared_at.date(),
        ended=resolved.date() if resolved else None,
        summary=" ".join(x for x in (incident.description, incident.resolution) if x),
        facts=tuple(facts),
        impact={k: _plain(v) for k, v in incident.impact.items()},
        worked=tuple(notes["worked"]), didnt=tuple(notes["didnt"]),
        causes=tuple(notes["causes"]),
        lessons=confirmed if confirmed is not None else tuple(notes["lessons"]),
        action_items=actions, statements=tuple(published),
        timings=Timings(to_team=minutes_between(incident.declared_at, team_at),
                        to_first_statement=minutes_between(incident.declared_at, first_statement),
                        to_resolution=minutes_between(incident.declared_at, resolved)),
        source="incident", incident=incident.number, confidential=incident.confidential,
        lessons_confirmed=confirmed is not None,
    )


def _plain(value: object) -> object:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
