"""The ack never waits on the network: with every Web API call hanging, commands are still
acknowledged at once, and /healthz shows auth.test has not answered."""

from __future__ import annotations

import secrets
import time

import httpx

from bot.adapters.slack.pacing import MethodBudget
from bot.bootstrap import build_bot
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.serving import serve_in_thread
from bot.settings import Settings
from tests.integration.hanging_api import HangingApi


def test_commands_are_acked_while_the_web_api_hangs(tmp_path, clock):
    api = HangingApi()
    secret = secrets.token_hex(16)
    with SlackEmulator(lenient=True) as emulator:  # only for response URLs
        emulator.add_user("ULEAD", name="lead")
        general = emulator.add_channel("general", members=["ULEAD", "UBOT"])
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}",
                            slack_api_url=api.url, slack_bot_token="xoxb-test",
                            slack_signing_secret=secret)
        bot = build_bot(settings, clock=clock, budget=MethodBudget(enabled=False),
                        start_gateway=False, start_pollers=False)
        server = serve_in_thread(bot.web)
        driver = SlackDriver(bot_url=server.url, emulator=emulator, signing_secret=secret)
        try:
            took = []
            for text in ("status", "help", "declare Checkout failing sev:S type:service_logistics"):
                began = time.perf_counter()
                response = driver.command(text, user="ULEAD", channel=general)
                took.append(time.perf_counter() - began)
                assert response.status_code == 200, response.text
            # The old authorize waited for auth.test (30 s client timeout) before the ack.
            assert max(took) < 3.0, took
            health = httpx.get(server.url + "/healthz").json()
            assert health == {"status": "ok", "slack": {"auth_test": "pending"}}
            # The work after the ack is done too: answered through the response URLs.
            assert emulator.wait_for(lambda: len(emulator.response_url_posts()) >= 3, timeout=30)
            assert bot.core.incidents.list()[0].title == "Checkout failing"
        finally:
            driver.close()
            server.stop()
            bot.close()
            api.close()
