"""The ``paging:`` section: policy, channels, people; FILE:LINE errors; env: secrets."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.paging import EXEC_LAYER, GiveUp, PagePolicy, Step, Thread, next_step
from bot.paging_config import load_paging

GOOD = """\
paging:
  timeouts: {SS: 5m, S: 15m}
  repeats: 1
  public_url: https://crisis.example
  channels:
    ding: {type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=x", secret: "env:DING_S"}
    mail: {type: smtp, host: smtp.example, from: bot@example.com}
  people:
    U1: [{channel: ding, to: "13800000000"}, {channel: mail, to: a@example.com}]
"""


def write(tmp_path, text):
    path = tmp_path / "crisisbot.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_valid_section_is_read(tmp_path, monkeypatch):
    config = load_paging(write(tmp_path, GOOD))
    assert config.policy.timeouts == {"SS": timedelta(minutes=5), "S": timedelta(minutes=15)}
    assert [c.channel for c in config.people["U1"]] == ["ding", "mail"]
    monkeypatch.setenv("DING_S", "SECabc")
    assert config.channels["ding"].get("secret") == "SECabc"
    monkeypatch.delenv("DING_S")
    with pytest.raises(InvalidInput, match="DING_S is not set"):
        config.channels["ding"].get("secret")


@pytest.mark.parametrize("bad, line, words", [
    (GOOD.replace("SS: 5m", "SS: soon"), 2, "not a duration"),
    (GOOD.replace("type: smtp", "type: pigeon"), 7, "must be one of"),
    (GOOD.replace("{channel: mail, to: a@example.com}", "{channel: fax}"), 9, "no channel `fax`"),
    (GOOD.replace("repeats: 1", "repeats: 9"), 3, "0 to 5"),
    (GOOD.replace(', secret: "env:DING_S"', ""), 6, "needs secret"),
])
def test_each_problem_names_file_and_line(tmp_path, bad, line, words):
    path = write(tmp_path, bad)
    with pytest.raises(InvalidInput) as caught:
        load_paging(path)
    assert caught.value.message.startswith(f"{path}:{line}: paging"), caught.value.message
    assert words in caught.value.message


T0 = datetime(2026, 1, 5, tzinfo=UTC)
POLICY = PagePolicy(timeouts={"SS": timedelta(minutes=5)}, repeats=1)


def decide(thread, minutes, holders=None, exec_user="UX"):
    holders = holders if holders is not None else {0: "U1", 1: "U2"}
    return next_step(thread, policy=POLICY, severity="SS", now=T0 + timedelta(minutes=minutes),
                     holder=holders.get, exec_user=exec_user)


def test_escalation_order_primary_repeat_next_layer_exec_then_nobody():
    first = decide(Thread(role="comms"), 0)
    assert first == Step(user="U1", layer=0, attempt=1, reason="declared")
    sent = Thread(role="comms", user="U1", layer=0, attempt=1, sent_at=T0, paged=("U1",))
    assert decide(sent, 4) is None
    assert decide(sent, 5) == Step(user="U1", layer=0, attempt=2, reason="repeat")
    again = Thread(role="comms", user="U1", layer=0, attempt=2, sent_at=T0, paged=("U1",))
    assert decide(again, 5) == Step(user="U2", layer=1, attempt=1, reason="escalated",
                                    escalated_from="U1")
    second = Thread(role="comms", user="U2", layer=1, attempt=2, sent_at=T0, paged=("U1", "U2"))
    assert decide(second, 5).reason == "exec"
    last = Thread(role="comms", user="UX", layer=EXEC_LAYER, attempt=2, sent_at=T0,
                  paged=("U1", "U2", "UX"), exec_paged=True)
    assert decide(last, 5) == GiveUp(from_user="UX")


def test_acknowledged_or_unpaged_severities_do_nothing():
    acked = Thread(role="comms", user="U1", attempt=1, sent_at=T0, acked_by="U1")
    assert decide(acked, 60) is None
    assert next_step(Thread(role="comms"), policy=POLICY, severity="A", now=T0,
                     holder={0: "U1"}.get, exec_user=None) is None


def test_nobody_on_duty_goes_straight_to_the_exec():
    assert decide(Thread(role="legal"), 0, holders={}).reason == "exec"
    assert decide(Thread(role="legal"), 0, holders={}, exec_user=None) == GiveUp(from_user="")
