"""The bolt ``AsyncApp``: listeners are one screen each — ack, parse, one handler call, reply.

Handlers run in a worker thread (``asyncio.to_thread``) after ``ack()``, so Slack gets its
answer within milliseconds whatever the database or Slack API are doing.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timezone
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.db.inbox import InboxEntry, SlackInbox
from bot.adapters.slack import blocks, commands as c
from bot.adapters.slack.handlers import CommandHandler, Reply, error_reply
from bot.adapters.slack.messages.inbox import INBOX_UNAVAILABLE
from bot.adapters.slack.ids import Action, Shortcut, View, decode_block_ref, decode_ref
from bot.adapters.slack.statement_handler import StatementHandler
from bot.adapters.slack.statement_listeners import register_statement_listeners

log = logging.getLogger(__name__)

#: How long the command listener waits to store a command before answering "not taken".
ACCEPT_TIMEOUT = 2.0


def build_app(
    *, handler: CommandHandler, api_url: str, bot_token: str | None, signing_secret: str,
    statements: StatementHandler | None = None, inbox: SlackInbox | None = None,
) -> AsyncApp:
    """Create the bolt app with every listener registered (nothing happens at import time)."""
    # No token on the app's client: bolt hands each listener a client carrying the token
    # returned by ``authorize`` below.
    client = AsyncWebClient(base_url=api_url)
    identity: dict[str, Any] = {}

    async def authorize(enterprise_id, team_id, logger, **_: Any) -> AuthorizeResult:
        # Single workspace: the token is known, so requests are never refused because
        # auth.test cannot be reached (Slack down must not mean commands unanswered).
        if "bot_user_id" not in identity:
            try:
                found = await client.auth_test(token=bot_token)
                identity.update(bot_user_id=found.get("user_id"), bot_id=found.get("bot_id"))
            except Exception:  # noqa: BLE001 - retried on the next request
                pass
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id,
                               bot_token=bot_token, bot_user_id=identity.get("bot_user_id"),
                               bot_id=identity.get("bot_id"))

    app = AsyncApp(client=client, signing_secret=signing_secret, authorize=authorize,
                   ignoring_self_events_enabled=True)

    async def run(fn, *args, **kwargs) -> Reply:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            return error_reply(exc)

    # ------------------------------------------------------------------ /crisis

    @app.command(str(c.COMMAND))
    async def crisis(ack, command, respond, client: AsyncWebClient, context) -> None:
        try:
            parsed = c.parse_command(command.get("text", ""))
        except c.UnknownCommand as exc:
            await ack(response_type="ephemeral", text=exc.message, blocks=blocks.help_blocks()["blocks"])
            return
        except c.InvalidInput as exc:
            await ack(response_type="ephemeral", text=f":warning: {exc.message}")
            return
        if isinstance(parsed, c.Declare) and not parsed.title:
            await ack()
            await client.views_open(trigger_id=command["trigger_id"], view=_declare_modal(handler))
            return
        # A replay of the same signed request carries the same key: one effect.
        key = context.get("request_key") or f"cmd:{uuid.uuid4().hex}"
        entry = InboxEntry(key=key, user_id=command["user_id"], channel_id=command.get("channel_id"),
                           text=command.get("text", ""), response_url=command.get("response_url", ""))
        if inbox is not None and entry.response_url and not await _stored(entry):
            await ack(response_type="ephemeral", text=INBOX_UNAVAILABLE)
            return
        await ack()
        reply = await run(handler.handle, parsed, user_id=entry.user_id,
                          channel_id=entry.channel_id, key=key)
        await respond(**reply.as_response())
        if inbox is not None and entry.response_url:
            await run(inbox.finish, key, now=handler.clock())

    async def _stored(entry: InboxEntry) -> bool:
        """Store the command before the ack, so a crash from then on loses nothing. Slack
        wants its ack within 3 s: a store still running after :data:`ACCEPT_TIMEOUT` is
        given up, and should it land later it is marked abandoned, never run."""
        assert inbox is not None
        storing = asyncio.ensure_future(asyncio.to_thread(inbox.accept, entry, now=handler.clock()))
        try:
            await asyncio.wait_for(asyncio.shield(storing), timeout=ACCEPT_TIMEOUT)
            return True
        except Exception as exc:  # noqa: BLE001 - not stored, so not accepted either
            log.error("inbox unavailable: %s", exc.__class__.__name__)

            def landed_late(done: asyncio.Future) -> None:
                if not done.cancelled() and done.exception() is None:
                    asyncio.ensure_future(asyncio.to_thread(
                        inbox.abandon, entry.key, now=handler.clock()))

            storing.add_done_callback(landed_late)
            return False

    # ------------------------------------------------------------------ buttons

    # Buttons: each turns (incident, task) from the button's value into a command.
    buttons = {
        Action.TASK_DONE: lambda n, t: c.TaskDone(no=t, incident=n),
        Action.STAGE_NEXT: lambda n, t: c.Stage(advance=True, force=False, incident=n),
        Action.STAGE_FORCE: lambda n, t: c.Stage(advance=True, force=True, incident=n),
        Action.SHOW_STATUS: lambda n, t: c.Stage(advance=False, force=False, incident=n),
        Action.REOPEN: lambda n, t: c.Reopen(incident=n),
    }

    def button_listener(make):
        # A closure, not a default argument: bolt fills every listener parameter by name.
        async def on_button(ack, body, action, respond) -> None:
            await ack()
            await _button(body, action, respond, make)

        return on_button

    for action_id, make in buttons.items():
        app.action(str(action_id))(button_listener(make))

    @app.action(str(Action.TASK_ASSIGN))
    async def task_assign(ack, body, action, respond) -> None:
        await ack()
        user = action.get("selected_user")
        if not user:
            return
        await _button(body, action, respond, lambda n, t: c.TaskAssign(no=t, user=user, incident=n))

    async def _button(body, action, respond, make) -> None:
        try:
            if action.get("value"):
                number, task_no = decode_ref(action["value"])
            else:  # selects carry the reference in their block_id
                block_id = action.get("block_id", "")
                try:
                    number, task_no = decode_ref(block_id)
                except ValueError:
                    _, number, task_no = decode_block_ref(block_id)
        except ValueError:
            await respond(response_type="ephemeral", replace_original=False,
                          text=":warning: This button is out of date; use `/crisis status`.")
            return
        message_ts = (body.get("container") or {}).get("message_ts", "")
        # A double click sends the same button from the same message twice: one effect.
        key = f"action:{message_ts}:{action.get('action_id')}:{action.get('value', '')}" + (
            f":{action.get('selected_user')}" if action.get("selected_user") else "")
        reply = await run(handler.handle, make(number, task_no), user_id=body["user"]["id"],
                          channel_id=(body.get("channel") or {}).get("id"), key=key)
        await respond(replace_original=False, **reply.as_response())

    @app.action(str(Action.OPEN_DECLARE))
    async def open_declare(ack, body, client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=_declare_modal(handler))

    # ------------------------------------------------------------------ modal

    @app.view(str(View.DECLARE))
    async def declare_submitted(ack, body, view, client: AsyncWebClient) -> None:
        parsed = blocks.parse_declare_submission(view["state"]["values"])
        if "response_action" in parsed:
            await ack(**parsed)
            return
        await ack()
        user = body["user"]["id"]
        reply = await run(handler.declare, title=parsed["title"], crisis_type=parsed["crisis_type"],
                          severity=parsed["severity"], description=parsed.get("description", ""),
                          actor=handler.actor(user), key=f"view:{view['id']}")
        # A modal has no response_url: the declarer gets the answer as a direct message.
        await client.chat_postMessage(channel=user, text=reply.text)

    # ------------------------------------------------------------------ timeline capture

    @app.shortcut(str(Shortcut.ADD_TO_TIMELINE))
    async def add_to_timeline(ack, shortcut, client: AsyncWebClient, respond) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id", "")
        reply = await _capture(client, user=shortcut["user"]["id"], channel=channel,
                               ts=message.get("ts", ""), message=message)
        await respond(response_type="ephemeral", text=reply.text)

    @app.event("reaction_added")
    async def pinned(event, client: AsyncWebClient) -> None:
        item = event.get("item") or {}
        if event.get("reaction") != "pushpin" or item.get("type") != "message":
            return
        history = await client.conversations_history(
            channel=item["channel"], latest=item["ts"], inclusive=True, limit=1)
        found = (history.get("messages") or [{}])[0]
        if found.get("ts") != item["ts"]:
            return
        reply = await _capture(client, user=event["user"], channel=item["channel"], ts=item["ts"],
                               message=found)
        if reply.text.startswith((":warning:", ":pushpin:")):  # not for a retried event
            await client.chat_postEphemeral(channel=item["channel"], user=event["user"], text=reply.text)

    async def _capture(client: AsyncWebClient, *, user: str, channel: str, ts: str,
                       message: dict[str, Any]) -> Reply:
        try:
            link = (await client.chat_getPermalink(channel=channel, message_ts=ts)).get("permalink", "")
        except Exception:  # noqa: BLE001 - a capture without a link is still worth keeping
            link = ""
        posted_at = datetime.fromtimestamp(float(ts or 0), tz=timezone.utc)

        def capture() -> Reply:
            number = handler.incident_for(None, channel)
            outcome = handler.incidents.capture_message(
                number, author=message.get("user") or message.get("bot_id") or "unknown",
                text=message.get("text", ""), permalink=link, posted_at=posted_at,
                actor=handler.actor(user), idempotency_key=f"capture:{channel}:{ts}",
            )
            if outcome.duplicate:
                return Reply("That message is already on the timeline.")
            return Reply(":pushpin: Added to the timeline.")

        return await run(capture)

    # ------------------------------------------------------------------ App Home

    @app.event("app_home_opened")
    async def home(event, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        view = await asyncio.to_thread(handler.home)
        await client.views_publish(user_id=event["user"], view=view)

    if statements is not None:
        register_statement_listeners(app, statements)

    @app.error
    async def on_error(error, body) -> None:
        log.error("listener error: %s", error.__class__.__name__, exc_info=error)

    return app


def _declare_modal(handler: CommandHandler) -> dict[str, Any]:
    types = [(key, pb.name.en) for key, pb in sorted(handler.catalog.playbooks.items())]
    return blocks.declare_modal(crisis_types=types, default_type=None)

