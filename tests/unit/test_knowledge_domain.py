"""The knowledge base's pure core: tokens, the BM25 index with type and severity, lessons,
repeated lessons, foreign-fact flagging and the case model."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.knowledge import Case, CaseError
from bot.domain.knowledge_draft import flag_foreign_facts
from bot.domain.knowledge_search import (
    CaseIndex,
    lesson_similarity,
    most_useful,
    repeated_lessons,
    tokens,
)


def test_tokens_are_latin_words_and_chinese_bigrams_in_mixed_text():
    assert tokens("Recalls of 奶粉召回 batch") == ["recall", "奶粉", "粉召", "召回", "batch"]


def test_a_single_chinese_character_is_kept_and_stop_words_are_dropped():
    assert tokens("the 锅 and a fire") == ["锅", "fire"]


def test_glossary_expansion_adds_the_other_language():
    assert "召回" in tokens("recall", expand=True)
    assert "delay" in tokens("快递延迟", expand=True)


def _index(*cases: tuple[str, str, str, str]) -> CaseIndex:
    index = CaseIndex()
    for case_id, text, crisis_type, severity in cases:
        index.add(case_id, text, crisis_type=crisis_type, severity=severity)
    return index


def test_a_chinese_query_finds_an_english_case_through_the_glossary():
    index = _index(("A", "Infant formula recall after contamination", "product_quality", "S"),
                   ("B", "Checkout outage during the sale", "service_logistics", "S"))
    hits = index.search("奶粉召回")
    assert [h.case_id for h in hits][:1] == ["A"]


def test_crisis_type_and_severity_break_a_tie_in_text():
    index = _index(("A", "delivery delay", "service_logistics", "A"),
                   ("B", "delivery delay", "supply_chain", "SS"))
    assert index.search("delivery delay", crisis_type="supply_chain")[0].case_id == "B"
    assert index.search("delivery delay", crisis_type="service_logistics")[0].case_id == "A"
    hit = index.search("delivery delay", crisis_type="supply_chain", severity="SS")[0]
    assert hit.same_type and hit.severity_match == "same" and "delivery" in hit.shared


def test_a_case_sharing_no_word_is_no_match_and_allow_filters():
    index = _index(("A", "port closure", "supply_chain", "S"), ("B", "port strike", "supply_chain", "S"))
    assert index.search("ransomware") == []
    assert [h.case_id for h in index.search("port", allow=lambda c: c != "A")] == ["B"]


def test_replacing_a_case_reindexes_it():
    index = _index(("A", "port closure", "supply_chain", "S"))
    index.add("A", "ransomware attack", crisis_type="data_security", severity="S")
    assert index.search("port") == [] and index.search("ransomware")[0].case_id == "A"
    assert len(index) == 1


def test_the_most_useful_lessons_are_those_nearest_the_query():
    lessons = ["Brief the spokesperson", "Pre-approve the recall notice", "Check the supplier"]
    assert most_useful(lessons, "recall of formula") == ["Pre-approve the recall notice",
                                                        "Brief the spokesperson"]


def test_the_same_lesson_in_other_words_is_alike_but_different_lessons_are_not():
    assert lesson_similarity("Pre-approve the recall template", "pre-approve recall templates") == 1
    assert lesson_similarity("避免使用绝对化用语", "避免使用绝对化和无法证实的用语") >= 0.5
    assert lesson_similarity("Tell affected customers before they find out",
                             "Tell customers what we will never ask for by SMS") < 0.5


def test_repeated_lessons_need_two_cases():
    found = repeated_lessons([("INC-1", ["Pre-approve the recall template"]),
                              ("INC-2", ["pre-approve recall templates", "Call legal early"]),
                              ("INC-3", ["Call legal early"])])
    assert [(r.lesson, r.cases) for r in found] == [
        ("Call legal early", ("INC-2", "INC-3")),
        ("Pre-approve the recall template", ("INC-1", "INC-2")),
    ]
    assert repeated_lessons([("INC-1", ["a lesson", "a lesson"])]) == []


def test_sentences_with_facts_or_figures_not_ours_are_flagged_as_placeholders():
    text, flagged = flag_foreign_facts(
        "We confirmed that batch F-2103 failed a test. We have removed it from sale. "
        "Call 400-800-1234.",
        old_facts=["Batch F-2103 failed a contamination test"],
        our_facts=["Batch G-7 failed a lab test"], incident_label="INC-9", case_id="H-1",
        also_ours=["400-800-1234"])
    assert flagged == ["We confirmed that batch F-2103 failed a test."]
    assert text.startswith("⟦not confirmed for INC-9 (from H-1): We confirmed that batch F-2103")
    assert "We have removed it from sale." in text and "Call 400-800-1234." in text


def test_a_sentence_our_own_facts_support_is_kept():
    text, flagged = flag_foreign_facts(
        "Batch G-7 failed a lab test.", old_facts=["Batch G-7 failed a lab test"],
        our_facts=["Batch G-7 failed a lab test"], incident_label="INC-9", case_id="H-1")
    assert flagged == [] and text == "Batch G-7 failed a lab test."


def test_chinese_sentences_are_flagged_too():
    text, flagged = flag_foreign_facts(
        "经核实，批次B-17共1200件受影响。我们已下架相关商品。", old_facts=["批次B-17共1200件受影响"],
        our_facts=[], incident_label="INC-2", case_id="H-PQ-02")
    assert flagged == ["经核实，批次B-17共1200件受影响。"] and text.endswith("我们已下架相关商品。")


def test_a_case_round_trips_and_bad_fields_are_named():
    case = Case.from_dict({"id": "H-1", "title": "T", "crisis_type": "supply_chain",
                           "severity": "s", "date": "2024-01-02", "worked": "a|b",
                           "action_items": [{"text": "x", "state": "done"}, "y"]})
    assert case.severity == "S" and case.worked == ("a", "b") and case.date == date(2024, 1, 2)
    assert [a.is_open for a in case.action_items] == [False, True]
    assert Case.from_dict(case.to_dict()) == case
    for bad, where in (({"severity": "X"}, "severity"), ({"date": "2024-13-01"}, "date"),
                       ({"id": "bad id"}, "id"), ({"action_items": [{"text": "x", "state": "maybe"}]},
                                                  "action_items[0].state")):
        raw = {"id": "H-1", "title": "T", "crisis_type": "supply_chain", "severity": "S",
               "date": "2024-01-02", **bad}
        with pytest.raises(CaseError) as caught:
            Case.from_dict(raw)
        assert caught.value.field == where
