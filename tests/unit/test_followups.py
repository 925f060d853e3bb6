"""Action items (`/crisis followup`) on the incident aggregate."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.domain.errors import Conflict, InvalidInput, NotFound
from bot.domain.events import FollowupAdded, FollowupDone
from bot.domain.incident import Incident
from tests.unit.factories import ALICE, COMMANDER, EXEC, playbook

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def declared() -> Incident:
    incident = Incident.declare(number=3, title="Stock-out", playbook=playbook(), severity=None,
                                description="", actor=COMMANDER, at=T0)
    incident.pending.clear()
    return incident


def test_followups_are_numbered_in_order_with_optional_owners():
    incident = declared()
    first = incident.add_followup("  Pre-approve holding statements ", owner="UMARIA", actor=ALICE, at=T0)
    second = incident.add_followup("Train the night shift", owner=None, actor=ALICE, at=T0)
    assert first == [FollowupAdded(incident=3, actor="UALICE", at=T0, item_no=1,
                                   text="Pre-approve holding statements", owner="UMARIA")]
    assert second[0].item_no == 2 and second[0].owner is None
    assert [f.item_no for f in incident.followups] == [1, 2]


def test_followups_can_still_be_added_after_resolution():
    incident = declared()
    incident.resolve(actor=EXEC, at=T0)
    assert incident.add_followup("Review supplier contracts", owner=None, actor=ALICE, at=T0)


def test_an_empty_followup_is_refused_and_nothing_is_recorded():
    incident = declared()
    with pytest.raises(InvalidInput, match="Describe the follow-up"):
        incident.add_followup("   ", owner="UMARIA", actor=ALICE, at=T0)
    assert incident.pending == [] and incident.followups == []


def test_replay_rebuilds_the_followups():
    incident = declared()
    incident.add_followup("Rotate certificates", owner="UOPS", actor=ALICE, at=T0)
    events = [e for e in incident.pending]
    rebuilt = Incident.replay([Incident.declare(number=3, title="Stock-out", playbook=playbook(),
                                                severity=None, description="", actor=COMMANDER,
                                                at=T0).pending[0], *events])
    assert rebuilt.followups == incident.followups


# ------------------------------------------------------------------ done / reopened


def test_an_action_item_is_done_and_reopened_even_after_the_incident_is_closed():
    incident = declared()
    incident.add_followup("Rotate certificates", owner="UOPS", actor=ALICE, at=T0)
    incident.resolve(actor=EXEC, at=T0)
    incident.close(actor=EXEC, at=T0)
    later = T0.replace(month=12)
    done = incident.complete_followup(1, actor=ALICE, at=later)
    assert done == [FollowupDone(incident=3, actor="UALICE", at=later, item_no=1)]
    assert incident.followups_done[1].at == later
    with pytest.raises(Conflict, match="already done"):
        incident.complete_followup(1, actor=ALICE, at=later)
    incident.reopen_followup(1, actor=ALICE, at=later)
    assert incident.followups_done == {}
    with pytest.raises(Conflict, match="still open"):
        incident.reopen_followup(1, actor=ALICE, at=later)
    with pytest.raises(NotFound, match="no action item #2"):
        incident.complete_followup(2, actor=ALICE, at=later)


def test_replay_and_snapshot_keep_the_done_items():
    from bot.domain import snapshot
    from bot.domain.knowledge_cases import done_followups

    incident = declared()
    first = Incident.declare(number=3, title="Stock-out", playbook=playbook(), severity=None,
                             description="", actor=COMMANDER, at=T0).pending[0]
    incident.add_followup("Rotate certificates", owner=None, actor=ALICE, at=T0)
    incident.add_followup("Train the night shift", owner=None, actor=ALICE, at=T0)
    incident.complete_followup(1, actor=ALICE, at=T0)
    incident.complete_followup(2, actor=ALICE, at=T0)
    incident.reopen_followup(2, actor=ALICE, at=T0)
    events = [first, *incident.pending]
    rebuilt = Incident.replay(events)
    assert set(rebuilt.followups_done) == {1} == done_followups(events)
    assert snapshot.same_state(snapshot.restore(snapshot.dump(rebuilt)), rebuilt)
