"""The bolt ``AsyncApp``: listeners are one screen each — ack, parse, one handler call, reply.

Before the ack a slash command is only verified (by bolt), parsed and written to the inbox
(by :class:`~bot.adapters.slack.accepts.InboxAccepts`, a batch of commands at a time).
Everything after the ack runs off the event loop in the bounded :class:`KeyedWorkers` pool
(when given): commands for different incidents concurrently, commands for one incident in
order; a slash command's answer is posted to its response_url from the worker thread too.
Without a pool, handlers run in ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.db.inbox import InboxEntry, SlackInbox
from bot.adapters.slack import blocks
from bot.adapters.slack import commands as c
from bot.adapters.slack.accepts import InboxAccepts
from bot.adapters.slack.answers import AnswerBatch, post_to_response_url
from bot.adapters.slack.handlers import CommandHandler, CommandRun, Reply, error_reply
from bot.adapters.slack.identity import SlackIdentity
from bot.adapters.slack.ids import Action, Shortcut, View, decode_block_ref, decode_ref
from bot.adapters.slack.knowledge.handler import KnowledgeHandler
from bot.adapters.slack.knowledge.listeners import register_knowledge_listeners
from bot.adapters.slack.messages.inbox import INBOX_UNAVAILABLE
from bot.adapters.slack.messages.workers import BUSY
from bot.adapters.slack.statement_handler import StatementHandler
from bot.adapters.slack.statement_listeners import register_statement_listeners
from bot.adapters.slack.workers import InFlight, KeyedWorkers

log = logging.getLogger(__name__)

#: How long the command listener waits to store a command before answering "not taken".
ACCEPT_TIMEOUT = 2.0


def build_app(
    *, handler: CommandHandler, api_url: str, bot_token: str | None, signing_secret: str,
    statements: StatementHandler | None = None, inbox: SlackInbox | None = None,
    identity: SlackIdentity | None = None,
    workers: KeyedWorkers | None = None, in_flight: InFlight | None = None,
    knowledge: KnowledgeHandler | None = None,
    extra_listeners: Sequence[Callable[[AsyncApp], None]] = (),
) -> AsyncApp:
    """Create the bolt app with every listener registered (nothing happens at import time)."""
    # No token on the app's client: bolt hands each listener a client carrying the token
    # returned by ``authorize`` below.
    client = AsyncWebClient(base_url=api_url)
    in_flight = in_flight if in_flight is not None else InFlight()
    accepts = InboxAccepts(inbox, handler.clock) if inbox is not None else None

    async def authorize(enterprise_id, team_id, logger, **_: Any) -> AuthorizeResult:
        # Single workspace: the token is configured, so the ack never waits on the network.
        # auth.test runs once in the background at start-up (``SlackIdentity``); until it
        # has answered, the bot's own ids are simply unknown.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id,
                               bot_token=bot_token,
                               bot_user_id=identity.bot_user_id if identity else None,
                               bot_id=identity.bot_id if identity else None)

    # A name given: bolt would otherwise read it from inspect.stack() (0.2-0.5 s at start-up).
    app = AsyncApp(client=client, signing_secret=signing_secret, authorize=authorize,
                   ignoring_self_events_enabled=True, name="crisisbot")

    async def run(fn, *args, order: Any = None, urgent: bool = True, **kwargs) -> Any:
        """``fn(*args, **kwargs)`` off the event loop (behind earlier work of ``order``)."""
        try:
            if workers is None:
                return await asyncio.to_thread(fn, *args, **kwargs)
            future = workers.submit(order, functools.partial(fn, *args, **kwargs), urgent=urgent)
            if future is None:
                return Reply(BUSY)
            return await asyncio.wrap_future(future)
        except Exception as exc:  # noqa: BLE001
            return error_reply(exc)

    # Which incident a channel belongs to never changes once known.
    channel_incident: dict[str, int] = {}
    ordering = asyncio.Lock()

    async def incident_key(parsed: Any, channel_id: str | None) -> Any:
        """The ordering key of a command: its incident (named, or its channel's)."""
        if getattr(parsed, "incident", None) is not None:
            return ("incident", parsed.incident)
        if not channel_id:
            return None
        if channel_id not in channel_incident:
            number = await asyncio.to_thread(handler.store.incident_for_channel, channel_id)
            if number is None:
                return ("channel", channel_id)
            channel_incident[channel_id] = number
        return ("incident", channel_incident[channel_id])

    def finish_commands(queued: list[tuple[Any, InboxEntry, contextvars.Context]]) -> list[None]:
        """In a worker thread: run the commands of one incident found waiting together (a
        burst is applied a batch at a time); each answer is posted outside the incident's
        queue, so the next commands need not wait for the HTTP round trips, and the batch
        is marked done in the inbox with one write once its answers are out. Whatever
        happens, each command gets an answer (an error one at worst)."""
        try:
            replies = handler.handle_many([
                CommandRun(parsed, entry.user_id, entry.channel_id, entry.key, context)
                for parsed, entry, context in queued])
        except Exception as exc:  # noqa: BLE001 - handle_many says errors itself; a last guard
            replies = [error_reply(exc)] * len(queued)
        assert workers is not None and inbox is not None
        batch = AnswerBatch(len(queued), lambda keys: inbox.finish_all(
            keys, now=handler.clock(), then=lambda: in_flight.discard_all(keys)))
        for (_, entry, context), reply in zip(queued, replies, strict=True):
            # Submitted in the command's own context: its answer is logged with its request.
            job = functools.partial(answer, entry, reply, batch)
            queued_job = context.run(workers.submit, None, job)
            if queued_job is None:
                job()
            else:  # dropped unstarted at shutdown: the batch must not wait for it
                queued_job.add_done_callback(
                    lambda done: batch.ended(None) if done.cancelled() else None)
        return [None] * len(queued)

    def answer(entry: InboxEntry, reply: Reply, batch: AnswerBatch) -> None:
        """Post the answer; the batch marks the command done once all its answers are out,
        and only then is the command no longer this process's (until then the sweeper leaves
        it alone, however long its lease has run). If the answer cannot be posted the command
        stays pending; the sweeper retries it (with its idempotency key)."""
        posted = False
        try:
            try:
                status = post_to_response_url(entry.response_url, reply.as_response())
            except Exception as exc:  # noqa: BLE001 - retried by the inbox sweeper
                log.warning("answer not posted (%s); the inbox retries it", exc.__class__.__name__)
                return
            if status >= 500 or 300 <= status < 400:
                log.warning("response_url answered %s; the inbox retries the command", status)
                return
            posted = True
        finally:
            if not posted:
                in_flight.discard(entry.key)
            batch.ended(entry.key if posted else None)

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
        if workers is not None and inbox is not None and entry.response_url:
            async with ordering:  # submitted in arrival order, so one incident's stay in order
                order = await incident_key(parsed, entry.channel_id)
                in_flight.add(entry.key)
                if workers.submit(order, (parsed, entry, contextvars.copy_context()),
                                  together=finish_commands) is None:
                    in_flight.discard(entry.key)
                    log.warning("worker pool full: a command waits in the inbox for the sweeper")
            return
        reply = await run(handler.handle, parsed, user_id=entry.user_id,
                          channel_id=entry.channel_id, key=key)
        await respond(**reply.as_response())
        if inbox is not None and entry.response_url:
            await run(inbox.finish, key, now=handler.clock())

    async def _stored(entry: InboxEntry) -> bool:
        """Store the command before the ack, so a crash from then on loses nothing. Slack
        wants its ack within 3 s: a store still running after :data:`ACCEPT_TIMEOUT` is
        given up, and should it land later it is marked abandoned, never run."""
        assert inbox is not None and accepts is not None
        storing = accepts.store(entry)
        try:
            await asyncio.wait_for(asyncio.shield(storing), timeout=ACCEPT_TIMEOUT)
            return True
        except Exception as exc:  # noqa: BLE001 - not stored, so not accepted either
            log.error("inbox unavailable: %s", exc.__class__.__name__)

            def landed_late(done: asyncio.Future) -> None:
                # Only a row this request stored: a replay's key is the original's row.
                if not done.cancelled() and done.exception() is None and done.result():
                    asyncio.ensure_future(asyncio.to_thread(
                        inbox.abandon, entry.key, now=handler.clock()))

            storing.add_done_callback(landed_late)
            return False

    # ------------------------------------------------------------------ buttons

    # Buttons: each turns (incident, task) from the button's value into a command.
    # Each button has its own row in the permission table (bot/domain/permissions.py).
    buttons = {
        Action.TASK_DONE: ("button:task_done", lambda n, t: c.TaskDone(no=t, incident=n)),
        Action.STAGE_NEXT: ("button:stage_next",
                            lambda n, t: c.Stage(advance=True, force=False, incident=n)),
        Action.STAGE_FORCE: ("button:stage_force",
                             lambda n, t: c.Stage(advance=True, force=True, incident=n)),
        Action.SHOW_STATUS: ("button:show_checklist",
                             lambda n, t: c.Stage(advance=False, force=False, incident=n)),
        Action.REOPEN: ("button:reopen", lambda n, t: c.Reopen(incident=n)),
    }

    def button_listener(row, make):
        # A closure, not a default argument: bolt fills every listener parameter by name.
        async def on_button(ack, body, action, respond) -> None:
            await ack()
            await _button(body, action, respond, make, row)

        return on_button

    for action_id, (row, make) in buttons.items():
        app.action(str(action_id))(button_listener(row, make))

    @app.action(str(Action.TASK_ASSIGN))
    async def task_assign(ack, body, action, respond) -> None:
        await ack()
        user = action.get("selected_user")
        if not user:
            return
        await _button(body, action, respond, lambda n, t: c.TaskAssign(no=t, user=user, incident=n),
                      "button:task_assign")

    async def _button(body, action, respond, make, row: str) -> None:
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
                          channel_id=(body.get("channel") or {}).get("id"), key=key, row=row,
                          order=("incident", number))
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
                          actor=handler.actor(user), key=f"view:{view['id']}",
                          confidential=parsed.get("confidential"))
        # A modal has no response_url: the declarer gets the answer as a direct message.
        await client.chat_postMessage(channel=user, text=reply.text)

    # ------------------------------------------------------------------ timeline capture

    @app.shortcut(str(Shortcut.ADD_TO_TIMELINE))
    async def add_to_timeline(ack, shortcut, client: AsyncWebClient, respond) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id", "")
        reply = await _capture(client, user=shortcut["user"]["id"], channel=channel,
                               ts=message.get("ts", ""), message=message,
                               row="shortcut:add_to_timeline")
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
                               message=found, row="reaction:pushpin")
        if reply.text.startswith((":warning:", ":pushpin:", ":lock:")):  # not for a retried event
            await client.chat_postEphemeral(channel=item["channel"], user=event["user"], text=reply.text)

    async def _capture(client: AsyncWebClient, *, user: str, channel: str, ts: str,
                       message: dict[str, Any], row: str) -> Reply:
        try:
            link = (await client.chat_getPermalink(channel=channel, message_ts=ts)).get("permalink", "")
        except Exception:  # noqa: BLE001 - a capture without a link is still worth keeping
            link = ""
        posted_at = datetime.fromtimestamp(float(ts or 0), tz=timezone.utc)

        return await run(
            handler.capture, channel=channel, user=user,
            author=message.get("user") or message.get("bot_id") or "unknown",
            text=message.get("text", ""), permalink=link, posted_at=posted_at,
            key=f"capture:{channel}:{ts}", row=row,
        )

    # ------------------------------------------------------------------ channel membership

    async def membership_changed(event) -> None:
        # Who is "in the channel" counts for the permission table: drop the cached list.
        if handler.members is not None and event.get("channel"):
            handler.members.forget(str(event["channel"]))

    app.event("member_joined_channel")(membership_changed)
    app.event("member_left_channel")(membership_changed)

    # ------------------------------------------------------------------ App Home

    @app.event("app_home_opened")
    async def home(event, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        view = await run(handler.home, event["user"], urgent=False)
        if isinstance(view, Reply):  # an error or a full pool: the tab keeps its last view
            return
        await client.views_publish(user_id=event["user"], view=view)

    if statements is not None:
        register_statement_listeners(app, statements)
    if knowledge is not None:
        register_knowledge_listeners(app, knowledge)
    for register in extra_listeners:  # features with listeners of their own (paging)
        register(app)

    @app.error
    async def on_error(error, body) -> None:
        log.error("listener error: %s", error.__class__.__name__, exc_info=error)

    return app


def _declare_modal(handler: CommandHandler) -> dict[str, Any]:
    types = [(key, pb.name.en) for key, pb in sorted(handler.catalog.playbooks.items())]
    return blocks.declare_modal(crisis_types=types, default_type=None)

