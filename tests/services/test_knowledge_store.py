"""The knowledge base on SQLite and PostgreSQL: cases stored all-or-nothing, each process's
index catching up with cases another process wrote, a resolved incident becoming a case in
the same transaction, and the historical-case files (YAML, CSV) with FILE:LINE errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.adapters.knowledge.base import KnowledgeBase
from bot.adapters.knowledge.files import CaseFileError, export_cases, read_cases
from bot.adapters.knowledge.projector import KnowledgeProjector
from bot.domain.errors import InvalidInput
from bot.domain.knowledge import Case
from bot.domain.roles import Actor, Role
from bot.services.knowledge import KnowledgeService

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cases.yaml"
TYPES = ("product_quality", "service_logistics", "supply_chain", "brand_reputation",
         "data_security")
LEAD = Actor("ULEAD", roles=frozenset({Role.COMMANDER}))


def case(case_id: str, title: str, **extra) -> Case:
    return Case(id=case_id, title=title, crisis_type=extra.pop("crisis_type", "supply_chain"),
                severity=extra.pop("severity", "S"), date=date(2024, 1, 1), **extra)


def test_a_case_stored_by_another_process_is_found_at_the_next_search(engine, clock):
    one, two = KnowledgeBase(engine), KnowledgeBase(engine)
    one.save([case("H-1", "Port closure strands containers")], now=clock())
    assert [h.case_id for h, _ in two.search("port closure", crisis_type=None, severity=None,
                                              limit=3, allow=lambda m: True)] == ["H-1"]
    two.save([case("H-1", "Ransomware attack on the warehouse", crisis_type="data_security")],
             now=clock())
    found = one.search("ransomware", crisis_type=None, severity=None, limit=3,
                       allow=lambda m: True)
    assert [(h.case_id, c.crisis_type) for h, c in found] == [("H-1", "data_security")]
    assert one.search("port closure", crisis_type=None, severity=None, limit=3,
                      allow=lambda m: True) == []


def test_import_is_all_or_nothing(engine, catalog, clock):
    service = KnowledgeService(store=KnowledgeBase(engine), catalog=catalog, clock=clock)
    with pytest.raises(InvalidInput):
        service.import_cases([case("H-1", "fine"), case("INC-3", "ours")])
    assert service.store.all() == []
    assert service.import_cases(read_cases(SAMPLES, crisis_types=TYPES)) == 30
    assert len(service.store.all(crisis_type="data_security")) == 6


def test_a_resolved_incident_becomes_a_case_with_notes_facts_actions_and_timings(
        engine, catalog, clock, service):
    knowledge = KnowledgeService(store=KnowledgeBase(engine), catalog=catalog, clock=clock,
                                 incidents=service)
    service.planners = (KnowledgeProjector(knowledge=knowledge),)
    number = service.declare(title="Yoghurt recall", crisis_type="product_quality",
                             actor=LEAD, roles={Role.COMMANDER: "ULEAD"}).incident.number
    service.add_fact(number, "Batch Y-1 is contaminated", actor=LEAD)
    service.confirm_fact(number, 1, actor=LEAD)
    service.add_note(number, "worked: delisting within the hour", actor=LEAD)
    service.add_note(number, "lesson: pre-approve the recall template", actor=LEAD)
    assert knowledge.store.get(f"INC-{number}") is None  # only resolved incidents
    clock.advance(hours=5)
    service.resolve(number, actor=LEAD, summary="Batch recalled")
    service.add_followup(number, "Pre-approve the recall template", owner=None, actor=LEAD)
    stored = knowledge.store.get(f"INC-{number}")
    assert stored is not None
    assert stored.source == "incident" and stored.incident == number
    assert stored.facts == ("Batch Y-1 is contaminated",)
    assert stored.worked == ("delisting within the hour",)
    assert stored.lessons == ("pre-approve the recall template",)
    assert [(a.text, a.state) for a in stored.action_items] == [
        ("Pre-approve the recall template", "open")]
    assert stored.timings.to_resolution == 300
    knowledge.confirm_lessons(number, ["Pre-approve recall notices", "Brief CS first"], actor=LEAD)
    stored = knowledge.store.get(f"INC-{number}")
    assert stored.lessons_confirmed and stored.lessons == ("Pre-approve recall notices",
                                                            "Brief CS first")


def test_yaml_errors_name_the_line_and_nothing_is_returned(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text("cases:\n"
                    "  - {id: H-1, title: Fine, crisis_type: supply_chain, severity: S, date: 2024-01-01}\n"
                    "  - id: H-2\n"
                    "    title: No severity\n"
                    "    crisis_type: supply_chain\n"
                    "    date: 2024-01-01\n"
                    "  - {id: H-1, title: Again, crisis_type: nope, severity: A, date: 2024-01-01}\n",
                    encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        read_cases(path, crisis_types=TYPES)
    assert caught.value.problems == [
        f"{path}:3: severity: is required",
        (f"{path}:7: crisis_type: `nope` is not one of brand_reputation, data_security, "
         "product_quality, service_logistics, supply_chain"),
    ]


def test_csv_lists_are_pipe_separated_and_bad_rows_name_their_line(tmp_path):
    path = tmp_path / "cases.csv"
    header = "id,title,crisis_type,severity,date,summary,worked,didnt,lessons,tags\n"
    path.write_text(header + ("H-1,Port closure,supply_chain,S,2022-10-05,Held,a|b,c,"
                              "Buffer the dates|Offer refunds,port|shipping\n"), encoding="utf-8")
    (only,) = read_cases(path, crisis_types=TYPES)
    assert only.lessons == ("Buffer the dates", "Offer refunds") and only.tags == ("port", "shipping")
    path.write_text(header + ("H-1,Fine,supply_chain,S,2022-10-05,,,,,\n"
                              "H-2,\"Multi\nline\",supply_chain,S,2022-10-05,,,,,\n"
                              "H-3,Bad date,supply_chain,S,yesterday,,,,,\n"), encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        read_cases(path, crisis_types=TYPES)
    assert caught.value.problems == [f"{path}:5: date: `yesterday` is not a date (YYYY-MM-DD)"]
    path.write_text("id,title\nH-1,x\n", encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        read_cases(path, crisis_types=TYPES)
    assert caught.value.problems[0].startswith(f"{path}:1: missing column(s) crisis_type")


def test_export_round_trips_through_import(tmp_path):
    cases = read_cases(SAMPLES, crisis_types=TYPES)
    out = tmp_path / "again.yaml"
    out.write_text(export_cases(cases, fmt="yaml"), encoding="utf-8")
    assert read_cases(out, crisis_types=TYPES) == cases
    csv = tmp_path / "again.csv"
    csv.write_text(export_cases(cases, fmt="csv"), encoding="utf-8")
    assert [c.lessons for c in read_cases(csv, crisis_types=TYPES)] == [c.lessons for c in cases]
