"""Corrections in the domain: only a published statement is corrected, once, with a reason;
publishing the correction marks the original as withdrawn and leaves its text alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import events as ev
from bot.domain import statements as st
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.statement_corrections import check_correction, check_correction_publishable

T = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def drafted(statement_id: int, text: str, **extra) -> ev.StatementDrafted:
    return ev.StatementDrafted(incident=1, actor="U1", at=T, statement_id=statement_id,
                               audience="customers", kind="holding", lang="en", text=text, **extra)


def published(statement_id: int) -> ev.StatementPublished:
    return ev.StatementPublished(incident=1, actor="U2", at=T, statement_id=statement_id,
                                 audience="customers", kind="holding", lang="en",
                                 channel="website", version=1)


def test_only_a_published_statement_can_be_corrected_and_a_reason_is_needed():
    statements: dict[int, st.Statement] = {}
    st.apply(statements, drafted(1, "Call 400-800-1234"))
    with pytest.raises(Conflict, match="not published"):
        check_correction(statements[1], "wrong number", statements)
    st.apply(statements, published(1))
    with pytest.raises(InvalidInput, match="Say what was wrong"):
        check_correction(statements[1], "  ", statements)
    assert check_correction(statements[1], " wrong   number ", statements) == "wrong number"


def test_publishing_the_correction_withdraws_the_original_without_changing_it():
    statements: dict[int, st.Statement] = {}
    st.apply(statements, drafted(1, "Call 400-800-1234"))
    st.apply(statements, published(1))
    st.apply(statements, drafted(2, "Call 400-800-1234", corrects=1, correction_reason="number"))
    with pytest.raises(Conflict, match="already being drafted"):
        check_correction(statements[1], "again", statements)
    with pytest.raises(Conflict, match="still the same"):
        check_correction_publishable(statements[2], statements)
    assert statements[1].corrected_by == 0  # a draft withdraws nothing
    st.apply(statements, ev.StatementEdited(incident=1, actor="U1", at=T, statement_id=2,
                                            version=2, text="Call 400-800-4321"))
    check_correction_publishable(statements[2], statements)
    st.apply(statements, published(2))
    assert (statements[1].corrected_by, statements[1].corrected_at) == (2, T)
    assert statements[1].text == "Call 400-800-1234"
    with pytest.raises(Conflict, match="already corrected by #2"):
        check_correction(statements[1], "again", statements)


def test_a_correction_survives_the_stored_event_round_trip():
    event = drafted(2, "text", corrects=1, correction_reason="why")
    back = ev.Event.from_record(event.name, incident=1, actor="U1", at=T, payload=event.payload())
    assert back == event


def test_both_cards_say_which_statement_corrects_which_and_escape_the_reason():
    from bot.adapters.slack.blocks.statement import statement_card
    from bot.domain.severity import ApprovalRule

    statements: dict[int, st.Statement] = {}
    st.apply(statements, drafted(1, "Call 400-800-1234"))
    st.apply(statements, published(1))
    st.apply(statements, drafted(2, "Call 400-800-4321", corrects=1,
                                 correction_reason="the <!here> number was wrong"))
    st.apply(statements, published(2))
    texts = {}
    for sid in (1, 2):
        card = statement_card(incident_id="INC-1", number=1, statement=statements[sid],
                              rule=ApprovalRule(people=2), findings=[])
        texts[sid] = str(card["blocks"])
    assert "Withdrawn: corrected by statement #2" in texts[1]
    assert "Correction of statement #1: the &lt;!here&gt; number was wrong" in texts[2]
    assert "<!here>" not in texts[2]
