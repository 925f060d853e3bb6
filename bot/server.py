"""``crisisbot serve``: HTTP mode under uvicorn, or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
import sys

import uvicorn

from bot.bootstrap import build_bot, clock_for
from bot.logs import configure_logging
from bot.settings import Settings

log = logging.getLogger(__name__)

#: How long a thread may hold the GIL while another waits for it (CPython's default: 5 ms).
#: The event loop, which acks Slack, waits for it after every socket wakeup; with the command
#: workers busy, 5 ms a wakeup added up to hundreds of ms per ack.
SWITCH_INTERVAL = 0.0005


def serve(settings: Settings, *, host: str, port: int, socket_mode: bool) -> int:
    configure_logging(secrets=settings.secret_values())
    if socket_mode and not settings.slack_app_token:
        raise SystemExit("--socket-mode needs SLACK_APP_TOKEN (an xapp-… app-level token).")
    if not settings.slack_bot_token:
        raise SystemExit("SLACK_BOT_TOKEN is not set.")
    if settings.test_clock_file is not None:
        log.warning("CRISISBOT_TEST_CLOCK_FILE is set: time is read from %s (tests only)",
                    settings.test_clock_file)
    sys.setswitchinterval(SWITCH_INTERVAL)
    bot = build_bot(settings, clock=clock_for(settings))
    try:
        if socket_mode:
            asyncio.run(_socket_mode(bot, settings, host=host, port=port))
        else:
            uvicorn.run(bot.web, host=host, port=port, log_config=None, access_log=False)
    finally:
        bot.close()
    return 0


async def _socket_mode(bot, settings: Settings, *, host: str, port: int) -> None:
    """Slack traffic over a WebSocket; /healthz and /metrics still served over HTTP."""
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(bot.slack_app, settings.slack_app_token)
    server = uvicorn.Server(uvicorn.Config(bot.web, host=host, port=port, log_config=None,
                                                access_log=False))
    await handler.connect_async()
    try:
        await server.serve()
    finally:
        await handler.close_async()
