"""The permission matrix, generated from the table (bot/domain/permissions.py).

One real ``crisisbot serve`` process (signed HTTP, the Slack emulator behind it) for the module;
one confidential A-level incident per standing — outsider, channel member without a role, each
incident role, roster exec. On its incident, the standing's user runs every ``/crisis`` row (and
the Reopen button) from ``#general``: what the table allows is not refused (and, where the
setup makes it possible, changes the timeline); what it refuses gets the ephemeral refusal and
leaves the timeline exactly as it was.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.adapters.slack.ids import Action, encode_ref
from bot.bootstrap import build_core
from bot.domain.permissions import TABLE, Standing, allows
from bot.domain.roles import Role
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.settings import Settings
from tests.integration.processes import ServeProcess, free_port

#: Who holds each incident role, in every incident of the module.
HOLDERS: dict[Role, str] = {
    Role.COMMANDER: "UCMD", Role.COMMS: "UCOMMS", Role.SPOKESPERSON: "USPOKE",
    Role.LEGAL: "ULEGAL", Role.CS: "UCS", Role.OPS: "UOPS", Role.SECURITY: "USEC",
    Role.SCRIBE: "USCRIBE", Role.EXEC: "UEXEC",
}
MEMBER, OUTSIDER, ROSTER_EXEC, OTHER = "UMEMBER", "UOUTSIDER", "UREXEC", "UOTHER"
USERS = [*HOLDERS.values(), MEMBER, OUTSIDER, ROSTER_EXEC, OTHER]

#: Standing name → (user, the Standing the table is asked about).
STANDINGS: dict[str, tuple[str, Standing]] = {
    "outsider": (OUTSIDER, Standing(user=OUTSIDER)),
    "member-without-role": (MEMBER, Standing(user=MEMBER, in_channel=True)),
    **{f"incident-{role.value}": (user, Standing(user=user, incident_roles=frozenset({role})))
       for role, user in HOLDERS.items()},
    "roster-exec": (ROSTER_EXEC, Standing(user=ROSTER_EXEC, roster_roles=frozenset({Role.EXEC}))),
}

#: (row, command text) in the order they run on an incident; each allowed one finds what it
#: needs in the setup (statements #1–#6, facts #1–#3, open tasks #1 and #2).
STEPS: list[tuple[str, str]] = [
    ("status", "status"),
    ("timeline", "timeline"),
    ("stage", "stage"),
    ("statement list", "statement list"),
    ("statement show", "statement show 1"),
    ("listening", "listening top"),
    ("note", "note seen on the matrix"),
    ("fact", "fact A new unconfirmed fact"),
    ("task add", "task add Check the matrix"),
    ("followup", "followup Review the matrix"),
    ("followup done", "followup done 1"),
    ("followup reopen", "followup reopen 1"),
    ("task done", "task done 1"),
    ("task assign", f"task assign 2 <@{OTHER}>"),
    ("fact confirm", "fact confirm 2"),
    ("fact retract", "fact retract 3 not true"),
    ("impact", "impact orders=12"),
    ("statement draft", "statement customers update en"),
    ("statement submit", "statement submit 1"),
    ("statement approve", "statement approve 2"),
    ("statement reject", "statement reject 3 the date is wrong"),
    ("statement edit", "statement edit 4 We are looking into it. Contact help.acme.example"),
    ("statement publish", "statement publish 5 website"),
    ("statement correct", "statement correct 6 the refund date was wrong"),
    ("role", f"role scribe <@{OTHER}>"),
    ("sev", "sev S"),
    ("stage force", "stage next force"),
    ("stage next", "stage next"),
    ("resolve", "resolve handled"),
    ("postmortem", "postmortem"),
]
READS = {"status", "timeline", "stage", "statement list", "statement show", "listening"}
#: Admitted by the table, but the domain may still say no for its own reason (the author may
#: not approve or reject their own draft; open required tasks block; nothing to build yet).
DOMAIN_MAY_REFUSE = {"stage next", "postmortem"}
OWN_DRAFT = {("statement approve", "incident-commander"), ("statement reject", "incident-commander")}


@dataclass
class Matrix:
    emulator: SlackEmulator
    driver: SlackDriver
    general: str
    core: Any
    numbers: dict[str, int]

    def _answer(self, send) -> dict[str, Any]:
        before = self.emulator.response_url_post_count()
        response = send()
        assert response.status_code == 200, response.text
        assert self.emulator.wait_for(
            lambda: self.emulator.response_url_post_count() > before, timeout=60)
        return self.emulator.last_response_url_post()["payload"]

    def run(self, text: str, *, user: str) -> dict[str, Any]:
        return self._answer(lambda: self.driver.command(text, user=user, channel=self.general))

    def click(self, action: Action, value: str, *, user: str, channel: str) -> dict[str, Any]:
        return self._answer(lambda: self.driver.click(
            action_id=action, value=value, user=user, channel=channel))

    def events(self, number: int) -> int:
        return len(self.core.incidents.timeline(number))


def _channel_of(emulator: SlackEmulator, number: int) -> dict[str, Any] | None:
    for channel in emulator.channels():
        if channel["name"].startswith(f"inc-{number}-"):
            return channel
    return None


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> Matrix:
    tmp: Path = tmp_path_factory.mktemp("matrix")
    emulator = SlackEmulator().start()
    for user in USERS:
        emulator.add_user(user, name=user.lower())
    general = emulator.add_channel("general", members=[*USERS, "UBOT"])
    config = tmp / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({
        "company": {"name": "Acme Shop", "contact": "help.acme.example"},
        "roster": {"exec": [ROSTER_EXEC]},
        "listening": {"keywords": {"brand": ["Acme"]}},
    }), encoding="utf-8")
    secret = secrets.token_hex(16)
    database_url = f"sqlite:///{tmp / 'bot.db'}"
    env = {**os.environ, "CRISISBOT_DATABASE_URL": database_url,
           "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
           "SLACK_SIGNING_SECRET": secret, "CRISISBOT_CONFIG": str(config)}
    port = free_port()
    server = ServeProcess(env, port)
    driver = SlackDriver(bot_url=f"http://127.0.0.1:{port}", emulator=emulator,
                         signing_secret=secret, timeout=60)
    core = build_core(Settings(database_url=database_url), migrate=False)
    m = Matrix(emulator, driver, general, core, {})
    try:
        # Declare every incident first: their channels open while the gateway is not yet
        # busy pacing the setup's messages (1 per second per channel, as on Slack).
        for name in STANDINGS:
            m.numbers[name] = _declare(m, name)
        for number in m.numbers.values():
            _add_member(m, number)
        for number in m.numbers.values():
            _setup_incident(m, number)
        yield m
    finally:
        driver.close()
        server.stop()
        core.close()
        emulator.stop()


def _declare(m: Matrix, name: str) -> int:
    reply = m.run(f"declare Matrix {name} sev:A type:brand_reputation confidential:yes",
                  user=HOLDERS[Role.COMMANDER])
    assert "declared" in reply["text"], reply
    return max(s.number for s in m.core.incidents.list())


def _add_member(m: Matrix, number: int) -> None:
    """Someone who joined the incident's (private) channel without taking a role."""
    assert m.emulator.wait_for(lambda: _channel_of(m.emulator, number) is not None, timeout=120)
    channel = _channel_of(m.emulator, number)
    assert channel["is_private"] is True
    invited = httpx.post(m.emulator.api_url + "conversations.invite",
                         data={"channel": channel["id"], "users": MEMBER},
                         headers={"Authorization": f"Bearer {m.emulator.token}"}).json()
    assert invited["ok"], invited


def _setup_incident(m: Matrix, number: int) -> None:
    """Every role held, facts, tasks and statements #1 (draft) #2, #3 (in review) #4 (draft)
    #5 (approved) #6 (published)."""
    inc = f"INC-{number}"
    lead = HOLDERS[Role.COMMANDER]
    for role, user in HOLDERS.items():
        if role is not Role.COMMANDER:
            assert ":white_check_mark:" in m.run(f"{inc} role {role.value} <@{user}>", user=lead)["text"]
    for text in ("fact Checkout fails for card payments", "fact confirm 1",
                 "fact The CDN is slow", "fact A rumour", "impact orders=1200"):
        assert ":white_check_mark:" in m.run(f"{inc} {text}", user=lead)["text"], text
    for _ in range(5):
        assert "Drafted" in m.run(f"{inc} statement customers update en", user=lead)["text"]
    for sid in (2, 3, 5):
        assert ":white_check_mark:" in m.run(f"{inc} statement submit {sid}", user=lead)["text"]
    for approver in (HOLDERS[Role.COMMS], HOLDERS[Role.LEGAL]):
        reply = m.run(f"{inc} statement approve 5", user=approver)
        assert ":white_check_mark:" in reply["text"], reply
    # #6: published, for the correction row
    assert "Drafted" in m.run(f"{inc} statement customers update en", user=lead)["text"]
    assert ":white_check_mark:" in m.run(f"{inc} statement submit 6", user=lead)["text"]
    for approver in (HOLDERS[Role.COMMS], HOLDERS[Role.LEGAL]):
        assert ":white_check_mark:" in m.run(f"{inc} statement approve 6", user=approver)["text"]
    assert ":white_check_mark:" in m.run(f"{inc} statement publish 6 website", user=lead)["text"]


@pytest.mark.parametrize("standing", list(STANDINGS))
def test_every_command_is_allowed_or_refused_as_the_table_says(matrix: Matrix, standing: str):
    user, who = STANDINGS[standing]
    number = matrix.numbers[standing]
    inc = f"INC-{number}"
    # Reads are restricted: every incident of the matrix is confidential.
    who = replace(who, reads_restricted=True, commander=HOLDERS[Role.COMMANDER])
    problems: list[str] = []
    for row_key, text in STEPS:
        row = TABLE[row_key]
        expected = allows(row.who, who)
        before = matrix.events(number)
        reply = matrix.run(f"{inc} {text}", user=user)
        after = matrix.events(number)
        refused = reply["text"].startswith(":lock:")
        where = f"{standing} · {row_key} ({text}): {reply['text'][:160]!r}"
        if not expected:
            if not refused:
                problems.append(f"should be refused: {where}")
            if after != before:
                problems.append(f"refusal changed the timeline: {where}")
            if standing == "outsider" and f"<@{HOLDERS[Role.COMMANDER]}>" not in reply["text"]:
                problems.append(f"outsider refusal does not name the commander: {where}")
            continue
        if refused:
            problems.append(f"should be allowed: {where}")
        elif row_key in READS:
            if after != before or not reply.get("blocks") and "statement" not in row_key:
                problems.append(f"read misbehaved: {where}")
        elif (row_key, standing) in OWN_DRAFT or row_key in DOMAIN_MAY_REFUSE:
            pass
        elif after <= before:
            problems.append(f"allowed but nothing recorded: {where}")
    # The Reopen button (its own row): after a resolve by a lead.
    row = TABLE["button:reopen"]
    before = matrix.events(number)
    reply = matrix.click(Action.REOPEN, encode_ref(number), user=user, channel=matrix.general)
    if allows(row.who, who):
        if reply["text"].startswith(":lock:") or matrix.events(number) <= before:
            problems.append(f"reopen should work: {standing}: {reply['text'][:160]!r}")
    elif not reply["text"].startswith(":lock:") or matrix.events(number) != before:
        problems.append(f"reopen should be refused: {standing}: {reply['text'][:160]!r}")
    assert not problems, "\n".join(problems)
