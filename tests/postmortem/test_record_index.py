"""The records indexed by name once: each section asks for its own, in timeline order."""

from __future__ import annotations

from bot.adapters.rendering.postmortem.metrics import RecordIndex
from tests.postmortem.timelines import TimelineBuilder, at


def test_rows_of_several_names_come_in_timeline_order_each_once():
    source = (TimelineBuilder()
              .add(5, "statement.submitted", statement_id=1)
              .add(6, "note.added", text="n")
              .add(7, "statement.approved", statement_id=1)
              .add(8, "statement.submitted", statement_id=2)
              .build())
    index = RecordIndex(source.records)
    rows = index.rows("statement.approved", "statement.submitted", "statement.approved")
    assert [(name, when, p["statement_id"]) for name, _, when, p in rows] == [
        ("statement.submitted", at(5), 1), ("statement.approved", at(7), 1),
        ("statement.submitted", at(8), 2)]
    assert [name for name, *_ in index.rows("note.added")] == ["note.added"]
    assert index.rows("alert.fired") == []
    assert index.rows("alert.fired", "alert.resolved") == []
