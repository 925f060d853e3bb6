"""`crisisbot serve --socket-mode` against the emulator's Socket Mode: hello, envelopes acked by
``envelope_id``, declare → channel → statement approval and publication, with the server
dropping the socket midway and asking for a refresh (the bot reconnects both times)."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import yaml

from bot.sandbox.emulator import SlackEmulator
from tests.integration.processes import ServeProcess, free_port


class ShiftedClock:
    """Real time plus an offset the test moves: apps.connections.open is Tier 1 (1/min), so a
    reconnect is allowed by moving the emulator's clock a minute on, not by waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


PEOPLE = {"ULEAD": None, "UCOMMS": "comms", "ULEGAL": "legal", "USPOKE": "spokesperson"}


def command(emulator: SlackEmulator, text: str, *, user: str, channel: str) -> str:
    """Send ``/crisis text`` as a Socket Mode envelope; return the bot's reply text."""
    before = len(emulator.response_url_posts())
    ack = emulator.socket_send("slash_commands", {
        "token": "legacy", "team_id": emulator.team_id, "channel_id": channel,
        "channel_name": channel, "user_id": user, "user_name": user.lower(),
        "command": "/crisis", "text": text, "api_app_id": "A0CRISIS",
        "response_url": emulator.new_response_url(channel=channel, user=user),
        "trigger_id": emulator.new_trigger_id()})
    assert ack.get("envelope_id")
    if ack.get("payload", {}).get("text"):
        return ack["payload"]["text"]
    assert emulator.wait_for(lambda: len(emulator.response_url_posts()) > before, timeout=30)
    return emulator.response_url_posts()[-1]["payload"].get("text", "")


def test_socket_mode_declare_to_published_statement_across_reconnects(tmp_path: Path):
    clock = ShiftedClock()
    with SlackEmulator(clock=clock) as emulator:
        for uid in PEOPLE:
            emulator.add_user(uid, name=uid.lower())
        general = emulator.add_channel("general", members=[*PEOPLE, "UBOT"])
        config = tmp_path / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({
            "roster": {role: [uid] for uid, role in PEOPLE.items() if role},
            "company": {"name": "Acme Shop", "contact": "help.acme.example"}}), encoding="utf-8")
        env = {**os.environ, "CRISISBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
               "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
               "SLACK_APP_TOKEN": emulator.app_token,
               "SLACK_SIGNING_SECRET": secrets.token_hex(16), "CRISISBOT_CONFIG": str(config)}
        server = ServeProcess(env, free_port(), extra_args=("--socket-mode",))
        try:
            assert emulator.socket_wait_connected(hellos=1), "".join(server.log)
            reply = command(emulator, "declare Checkout failing sev:S type:service_logistics",
                            user="ULEAD", channel=general)
            assert "INC-1" in reply
            assert emulator.wait_for(
                lambda: (c := emulator.channel_by_name("inc-1-checkout-failing")) is not None
                and {"UCOMMS", "ULEGAL", "USPOKE"} <= set(c["members"]), timeout=60)
            channel = emulator.channel_by_name("inc-1-checkout-failing")["id"]
            command(emulator, "fact Card payments fail for 40% of checkouts", user="UCOMMS",
                    channel=channel)
            command(emulator, "fact confirm 1", user="ULEAD", channel=channel)
            drafted = command(emulator, "statement customers update en", user="USPOKE",
                              channel=channel)
            assert "#1" in drafted or "1" in drafted
            command(emulator, "statement submit 1", user="USPOKE", channel=channel)
            command(emulator, "statement approve 1", user="UCOMMS", channel=channel)

            clock.offset += 61  # apps.connections.open is Tier 1
            emulator.socket_drop()  # the network fails: no goodbye
            assert emulator.socket_wait_connected(hellos=2), "".join(server.log[-20:])
            command(emulator, "statement approve 1", user="ULEGAL", channel=channel)

            clock.offset += 61
            emulator.socket_refresh()  # Slack recycles the connection
            assert emulator.socket_wait_connected(hellos=3), "".join(server.log[-20:])
            published = command(emulator, "statement publish 1 website", user="UCOMMS",
                                channel=channel)
            assert "ublished" in published, published
            assert emulator.wait_for(lambda: any(
                "published statement #1" in (m.get("text") or "")
                for m in emulator.messages(channel)), timeout=60), (
                [m.get("text") for m in emulator.messages(channel)],
                [(r["method"], r["error"]) for r in emulator.requests() if not r["ok"]],
                "".join(server.log[-30:]))
        finally:
            server.stop()
