"""`kill -9` with effects pending in the outbox: a restarted `crisisbot serve` delivers them once."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
import yaml

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.integration.processes import ServeProcess, free_port


@pytest.fixture
def emulator():
    with SlackEmulator() as emu:
        for user in ("ULEAD", "UCOMMS"):
            emu.add_user(user, name=user.lower())
        yield emu


def test_effects_pending_at_kill_9_are_delivered_once_after_restart(tmp_path: Path, emulator):
    general = emulator.add_channel("general", members=["ULEAD", "UCOMMS", "UBOT"])
    config = tmp_path / "crisisbot.yaml"
    config.write_text(yaml.safe_dump({"roster": {"comms": ["UCOMMS"]}}), encoding="utf-8")
    secret = secrets.token_hex(16)
    env = {
        **os.environ,
        "CRISISBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": secret, "CRISISBOT_CONFIG": str(config),
    }
    port = free_port()
    first = ServeProcess(env, port)
    driver = SlackDriver(bot_url=f"http://127.0.0.1:{port}", emulator=emulator, signing_secret=secret)
    try:
        emulator.fail_for(3600, status=503)  # Slack is down: every effect stays in the outbox
        reply = driver.replied(lambda: driver.command(
            "declare Payment page shows other customers' addresses sev:S type:data_security",
            user="ULEAD", channel=general))
        assert reply.status_code == 200, reply.text
        assert not reply.content, reply.text
        assert "INC-1 declared" in emulator.response_url_posts()[-1]["payload"]["text"]
        assert emulator.channel_by_name("inc-1-payment-page-shows-other-customers-addresses") is None
        first.kill9()
    finally:
        first.stop()

    emulator.clear_faults()
    second = ServeProcess(env, port)
    try:
        name = "inc-1-payment-page-shows-other-customers-addresses"

        def delivered() -> bool:
            channel = emulator.channel_by_name(name)
            return channel is not None and len(emulator.messages(channel["id"])) >= 2

        assert emulator.wait_for(delivered, timeout=60), "".join(second.log)
        channel = emulator.channel_by_name(name)
        creates = [r for r in emulator.requests("conversations.create") if r["ok"]]
        assert len(creates) == 1
        messages = emulator.messages(channel["id"])
        cards = [m for m in messages if m.get("pinned")]
        assert len(cards) == 1 and "INC-1" in cards[0]["text"]
        assert {"ULEAD", "UCOMMS"} <= set(channel["members"])
    finally:
        driver.close()
        second.stop()
