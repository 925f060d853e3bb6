"""The floor for P1: a minimal bolt ``AsyncApp`` on Starlette and uvicorn that only acks
``/crisis`` and answers on the response_url — what any bolt app costs on this machine.

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=… python bench/floor_app.py --port 3001

``bench/ack_latency.py --pair`` starts it next to ``crisisbot serve`` and loads both alike.
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


def build() -> Starlette:
    token = os.environ.get("SLACK_BOT_TOKEN", "xoxb-floor")

    async def authorize(enterprise_id, team_id, **_) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    app = AsyncApp(client=AsyncWebClient(base_url=os.environ.get("SLACK_API_URL",
                                                                 "https://slack.com/api/")),
                   signing_secret=os.environ["SLACK_SIGNING_SECRET"], authorize=authorize)

    @app.command("/crisis")
    async def crisis(ack, respond, command) -> None:
        await ack()
        await respond(text=f"floor: {command.get('text', '')}")

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request):
        return await handler.handle(request)

    async def healthz(_: Request):
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"]),
                             Route("/healthz", healthz)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build(), host=args.host, port=args.port, access_log=False)


if __name__ == "__main__":
    main()
