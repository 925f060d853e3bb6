"""Structured logs: JSON lines with request/incident ids, and never a secret."""

from __future__ import annotations

import io
import json
import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.logs import REDACTED, bind_log_context, configure_logging, log_context
from bot.settings import Settings
from bot.web import RequestIds


@pytest.fixture
def logged():
    """Route all logging into a buffer for one test, then put the old handlers back."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buffer = io.StringIO()
    secrets = ["8f14e45fceea167a5a36dedd4bea2543", "s3cr3t-db-pass"]
    configure_logging(secrets=secrets, json_lines=True, stream=buffer)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield lines
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_records_are_json_lines_carrying_the_context_fields(logged):
    log = logging.getLogger("bot.test")
    with log_context(request_id="r-1"):
        with log_context(incident="INC-7"):
            log.info("card updated for %s", "INC-7")
        log.warning("after the inner block")
    log.error("outside")
    first, second, third = logged()
    assert first["msg"] == "card updated for INC-7"
    assert (first["request_id"], first["incident"], first["level"]) == ("r-1", "INC-7", "INFO")
    assert second["request_id"] == "r-1" and "incident" not in second
    assert "request_id" not in third


def test_slack_tokens_bearer_credentials_and_configured_secrets_are_masked(logged):
    log = logging.getLogger("bot.test")
    log.info("token xoxb-1234-5678-abcdefghijkl and app token xapp-1-A02-xyz")
    log.info("header Authorization: Bearer hunter2hunter2")
    log.info("signing secret is 8f14e45fceea167a5a36dedd4bea2543, db password s3cr3t-db-pass")
    try:
        raise RuntimeError("failed with xoxb-9999-secret-token")
    except RuntimeError:
        log.exception("boom")
    output = json.dumps(logged())
    for secret in ("xoxb-1234", "xapp-1-A02", "hunter2", "8f14e45f", "s3cr3t-db-pass", "xoxb-9999"):
        assert secret not in output
    assert output.count(REDACTED) >= 6


def test_settings_list_every_secret_including_the_database_password():
    settings = Settings(
        database_url="postgresql+psycopg://bot:pa55word@db:5432/crisisbot",
        slack_bot_token="xoxb-1", slack_signing_secret="sign", monitor_secret="mon",
    )
    assert set(settings.secret_values()) == {"xoxb-1", "sign", "mon", "pa55word"}
    assert "pa55word" not in repr(settings) and "xoxb-1" not in repr(settings)


def test_each_request_gets_an_id_in_its_logs_and_its_response(logged):
    log = logging.getLogger("bot.test")

    async def endpoint(_request):
        bind_log_context(incident="INC-3")
        log.info("handled")
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/x", endpoint)], middleware=[Middleware(RequestIds)])
    transport = httpx.ASGITransport(app=app)

    async def call() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return [await client.get("/x"), await client.get("/x", headers={"X-Request-Id": "abc-123"}),
                    await client.get("/x", headers={"X-Request-Id": "bad id\n<script>"})]

    import asyncio

    generated, given, refused = asyncio.run(call())
    records = logged()
    assert [r["request_id"] for r in records] == [
        generated.headers["x-request-id"], "abc-123", refused.headers["x-request-id"]]
    assert given.headers["x-request-id"] == "abc-123"
    assert refused.headers["x-request-id"] != "bad id\n<script>"
    assert all(r["incident"] == "INC-3" for r in records)
