"""What a page says (English and Chinese): the role, why, the title unless confidential."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.paging.texts import page_message
from bot.domain.incident import Incident
from tests.unit.factories import COMMANDER, playbook

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def incident(*, confidential: bool) -> Incident:
    return Incident.declare(number=4, title="Payment page shows other customers' addresses",
                            playbook=playbook(), severity=None, description="", actor=COMMANDER,
                            at=T0, confidential=confidential)


def test_a_page_reads_naturally_in_both_languages():
    page = page_message(incident(confidential=False), role="comms", to="x", reason="repeat",
                        ack_url="https://crisis.example/pages/ack?i=1")
    lines = page["text"].splitlines()
    assert lines[0].startswith("crisisbot INC-4 (") and "reminder: not yet acknowledged" in lines[0]
    assert "级）：您作为" in lines[1] and "被呼叫（再次呼叫：尚未确认）" in lines[1]
    assert "请您担任" not in page["text"]
    assert lines[2] == "Acknowledge · 确认: https://crisis.example/pages/ack?i=1"


def test_a_confidential_page_names_nothing_but_number_severity_and_role():
    page = page_message(incident(confidential=True), role="legal", to="x", reason="declared",
                        ack_url="")
    assert "addresses" not in page["text"] + page["markdown"] + page["title"]
    assert "保密事件：详情请在 Slack 中查看。" in page["text"]
