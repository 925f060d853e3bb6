"""SPEC P5 (start-up to ready, idle memory): the heavy libraries load at first use, never when
`crisisbot serve` starts; and a ready server (``/healthz`` 200) answers commands at once.

The library checks run in a fresh interpreter (this test process has imported everything),
so they are exact: a module is in ``sys.modules`` or it is not. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
import yaml

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.integration.listening_helpers import listening_config
from tests.integration.processes import ServeProcess, free_port

ROOT = Path(__file__).resolve().parents[2]

#: Loaded only when a post-mortem, report, scorecard or signal rule runs (pandas, matplotlib),
#: when posts are classified (jieba, SnowNLP, VADER), when a statement is linted or rendered
#: in Traditional Chinese (OpenCC), or when a calendar rota is configured (icalendar).
HEAVY = ("pandas", "numpy", "matplotlib", "jieba", "snownlp", "vaderSentiment", "opencc",
         "icalendar", "recurring_ical_events")

_WIRE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from starlette.testclient import TestClient
    from bot.bootstrap import build_bot
    from bot.settings import Settings

    tmp = Path(sys.argv[1])
    settings = Settings(database_url=f"sqlite:///{tmp / 'bot.db'}",
                        slack_api_url="http://127.0.0.1:9/api/", slack_bot_token="xoxb-footprint",
                        slack_signing_secret="footprint-signing-secret",
                        monitor_secret="footprint-monitor-secret-0123456789",
                        config_path=tmp / "crisisbot.yaml")
    bot = build_bot(settings, start_gateway=True, start_pollers=False)
    try:
        with TestClient(bot.web) as client:  # the lifespan's start-up runs, as under uvicorn
            assert client.get("/healthz").status_code == 200
            print(json.dumps(sorted(m for m in sys.argv[2:] if m in sys.modules)))
    finally:
        bot.close()
""")


def _loaded_after(code: str, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code, *args, *HEAVY], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_server_loads_no_heavy_library():
    code = "import json, sys; import bot.server; " \
           "print(json.dumps(sorted(m for m in sys.argv[1:] if m in sys.modules)))"
    assert _loaded_after(code) == []


def test_the_wired_and_started_app_has_loaded_no_heavy_library(tmp_path: Path):
    # Everything that start-up reads: statements (lint word lists with Chinese phrases), a
    # keyword library and post rules, a duty rota, drills, the knowledge base.
    config = {
        "company": {"name": "Acme Shop", "contact": "help.acme.example"},
        "announce_channel": "crisis-announce",
        "roster": {"comms": ["UCOMMS"]},
        "oncall": {"time_zone": "Asia/Shanghai",
                   "roles": {"comms": [{"members": ["UCOMMS", "ULEAD"], "period": "weekly"}]}},
        **listening_config(),
    }
    (tmp_path / "crisisbot.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                             encoding="utf-8")
    assert _loaded_after(_WIRE, str(tmp_path)) == []


@pytest.fixture
def emulator():
    with SlackEmulator() as emu:
        emu.add_user("ULEAD", name="ulead")
        yield emu


def test_a_server_that_answers_healthz_answers_a_command_at_once(tmp_path: Path, emulator):
    general = emulator.add_channel("general", members=["ULEAD", "UBOT"])
    secret = secrets.token_hex(16)
    env = {
        **os.environ,
        "CRISISBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "SLACK_API_URL": emulator.api_url, "SLACK_BOT_TOKEN": emulator.token,
        "SLACK_SIGNING_SECRET": secret,
    }
    port = free_port()
    server = ServeProcess(env, port)  # returns once uvicorn listens (start-up hook done)
    driver = SlackDriver(bot_url=f"http://127.0.0.1:{port}", emulator=emulator,
                         signing_secret=secret)
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        reply = driver.replied(lambda: driver.command(
            "declare Checkout failing for card payments sev:S type:service_logistics",
            user="ULEAD", channel=general))
        assert reply.status_code == 200, reply.text
        assert "INC-1 declared" in emulator.response_url_posts()[-1]["payload"]["text"]
    finally:
        driver.close()
        server.stop()
