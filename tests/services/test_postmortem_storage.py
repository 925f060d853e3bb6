"""Stored post-mortem versions on SQLite and PostgreSQL: same data, same version."""

from __future__ import annotations

import pytest

from bot.adapters.db.postmortems import SqlPostmortemArchive
from bot.adapters.db.uow import session_factory
from bot.adapters.rendering.postmortem.renderer import PostmortemRenderer
from bot.domain.errors import Conflict, NotFound
from bot.domain.roles import Actor, Role
from bot.services.postmortems import PostmortemService, SignalSample

LEAD = Actor("ULEAD", roles=frozenset({Role.COMMANDER}))


class Samples:
    def __init__(self) -> None:
        self.rows: list[SignalSample] = []

    def samples(self, number: int) -> list[SignalSample]:
        return list(self.rows)


@pytest.fixture
def postmortems(engine, service, catalog, clock):
    return PostmortemService(archive=SqlPostmortemArchive(session_factory(engine)),
                             renderer=PostmortemRenderer(catalog=catalog), incidents=service,
                             clock=clock, signals=Samples())


def declare(service, clock) -> int:
    number = service.declare(title="Parcels stuck in the east hub", crisis_type="service_logistics",
                             actor=LEAD, roles={Role.COMMANDER: "ULEAD"}).incident.number
    clock.advance(minutes=45)
    service.add_note(number, "cause: conveyor firmware update", actor=LEAD)
    return number


def test_building_twice_from_the_same_data_returns_the_stored_version(postmortems, service, clock):
    number = declare(service, clock)
    first = postmortems.generate(number, by="ULEAD")
    clock.advance(hours=3)  # time passing alone changes nothing: figures are as of the data
    second = postmortems.generate(number, by="UOTHER")
    assert (first.version, second.version) == (1, 1)
    assert not first.reused and second.reused
    assert second.rendered == first.rendered
    assert "conveyor firmware update" in first.rendered.markdown


def test_new_data_or_another_language_gives_the_next_version(postmortems, service, clock):
    number = declare(service, clock)
    assert postmortems.generate(number, by="ULEAD").version == 1
    service.add_followup(number, "Stage firmware updates", owner="UOPS", actor=LEAD)
    assert postmortems.generate(number, by="ULEAD").version == 2
    zh = postmortems.generate(number, by="ULEAD", lang="zh")
    assert zh.version == 3 and "## 响应指标" in zh.rendered.markdown
    stored = postmortems.archive.get(number, 2)
    assert stored is not None and "Stage firmware updates" in stored.rendered.markdown


def test_monitor_samples_are_part_of_the_data(postmortems, service, clock):
    number = declare(service, clock)
    assert postmortems.generate(number, by="ULEAD").version == 1
    declared_at = service.get(number).declared_at
    postmortems.signals.rows.append(SignalSample("weibo", "mentions", declared_at, 120.0))
    again = postmortems.generate(number, by="ULEAD")
    assert again.version == 2 and "Peak mentions: 120" in again.rendered.markdown


def test_publishing_records_the_version_on_the_timeline_once_resolved(postmortems, service, clock):
    number = declare(service, clock)
    with pytest.raises(Conflict, match="not resolved yet"):
        postmortems.publish(number, actor=LEAD)
    service.resolve(number, actor=LEAD, summary="firmware rolled back")
    stored, outcome = postmortems.publish(number, actor=LEAD)
    assert [e.name for e in outcome.events] == ["postmortem.published"]
    assert outcome.events[0].version == stored.version == 1
    assert outcome.incident.postmortem_published_at == clock.now
    # publishing does not change the data the report is built from
    assert postmortems.generate(number, by="ULEAD").version == 1


def test_an_unknown_incident_is_not_found(postmortems):
    with pytest.raises(NotFound, match="INC-99"):
        postmortems.generate(99, by="ULEAD")


def test_the_post_mortem_shows_which_action_items_are_done(postmortems, service, clock):
    number = declare(service, clock)
    service.add_followup(number, "Stage firmware updates", owner="UOPS", actor=LEAD)
    service.add_followup(number, "Add a conveyor spare", owner=None, actor=LEAD)
    service.resolve(number, actor=LEAD, summary="hub running")
    clock.advance(days=20)
    service.complete_followup(number, item_no=1, actor=Actor("UOPS"))
    rendered = postmortems.generate(number, by="ULEAD").rendered
    rows = [line for line in rendered.markdown.splitlines() if line.startswith(("| 1 ", "| 2 "))]
    assert any("Stage firmware updates" in r and "done by" in r for r in rows), rows
    assert any("Add a conveyor spare" in r and r.rstrip(" |").endswith("open") for r in rows), rows
    assert "done by" in rendered.html and "<th>State</th>" in rendered.html
    zh = postmortems.generate(number, by="ULEAD", lang="zh").rendered.markdown
    assert "已完成" in zh and "未完成" in zh
