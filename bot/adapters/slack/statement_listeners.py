"""Bolt listeners for statements: the review buttons, the Draft button and the three modals.

Registered from :func:`bot.adapters.slack.app.build_app` with one call. Each listener acks
first, then runs one :class:`StatementHandler` call in a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import messages as msg
from bot.adapters.slack.blocks.statement import (
    edit_modal,
    parse_text_submission,
    publish_modal,
    reject_modal,
)
from bot.adapters.slack.handlers import Reply, error_reply
from bot.adapters.slack.ids import (
    Action,
    Block,
    View,
    decode_draft_value,
    decode_statement_ref,
    encode_statement_ref,
)
from bot.adapters.slack.statement_commands import StatementAction
from bot.adapters.slack.statement_handler import StatementHandler

_STALE = ":warning: This button is out of date; use `/crisis statement show <id>`."


async def _run(fn: Callable[..., Reply], *args: Any, **kwargs: Any) -> Reply:
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        return error_reply(exc)


def register_statement_listeners(app: AsyncApp, statements: StatementHandler) -> None:
    """Add every statement listener to ``app``."""

    def click_key(body: dict[str, Any], action: dict[str, Any]) -> str:
        # A double click sends the same button from the same message twice: one effect.
        message_ts = (body.get("container") or {}).get("message_ts", "")
        button = f"{action.get('action_id')}:{action.get('value', '')}"
        return f"action:{message_ts}:{button}:{body['user']['id']}"

    def verb_listener(verb: str):
        async def on_click(ack, body, action, respond) -> None:
            await ack()
            try:
                number, sid, version = decode_statement_ref(action.get("value", ""))
            except ValueError:
                await respond(response_type="ephemeral", replace_original=False, text=_STALE)
                return
            try:
                reply, changed = await asyncio.to_thread(
                    statements.click,
                    StatementAction(number, verb, sid),
                    number=number,
                    user_id=body["user"]["id"],
                    version=version,
                    key=click_key(body, action),
                    channel_id=(body.get("channel") or {}).get("id"),
                )
            except Exception as exc:  # noqa: BLE001
                reply, changed = error_reply(exc), False
            if changed:  # the card the button is on shows the new status and approvals
                await respond(replace_original=True, text=reply.text, blocks=reply.blocks)
            else:
                await respond(replace_original=False, **reply.as_response())

        return on_click

    app.action(Action.STATEMENT_SUBMIT.value)(verb_listener("submit"))
    app.action(Action.STATEMENT_APPROVE.value)(verb_listener("approve"))

    @app.action(Action.DRAFT_STATEMENT.value)
    async def draft(ack, body, action, respond) -> None:
        await ack()
        try:
            number, audience, kind, lang = decode_draft_value(action.get("value", ""))
        except ValueError:
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        reply = await _run(
            statements.draft,
            number,
            audience=audience,
            kind=kind,
            lang=lang,
            user_id=body["user"]["id"],
            key=click_key(body, action),
            channel_id=(body.get("channel") or {}).get("id"),
            row="button:statement_draft",
        )
        await respond(replace_original=False, **reply.as_response())

    def modal_listener(build: Callable[[str, Any], dict[str, Any]], needs_statement: bool):
        async def on_click(ack, body, action, respond, client: AsyncWebClient) -> None:
            await ack()
            try:
                number, sid, version = decode_statement_ref(action.get("value", ""))
            except ValueError:
                await respond(response_type="ephemeral", replace_original=False, text=_STALE)
                return
            statement = None
            if needs_statement:
                try:
                    statement = await asyncio.to_thread(statements.statement, number, sid,
                                                        user_id=body["user"]["id"])
                except Exception as exc:  # noqa: BLE001
                    await respond(replace_original=False, **error_reply(exc).as_response())
                    return
            metadata = encode_statement_ref(number, sid, version)
            await client.views_open(trigger_id=body["trigger_id"], view=build(metadata, statement))

        return on_click

    app.action(Action.STATEMENT_EDIT.value)(
        modal_listener(lambda meta, st: edit_modal(metadata=meta, statement=st), True)
    )
    app.action(Action.STATEMENT_REJECT.value)(
        modal_listener(lambda meta, st: reject_modal(metadata=meta), False)
    )
    app.action(Action.STATEMENT_PUBLISH.value)(
        modal_listener(lambda meta, st: publish_modal(metadata=meta), False)
    )

    def submission_listener(verb: str, block: Block, field: Action, error: str):
        async def on_submit(ack, body, view, client: AsyncWebClient) -> None:
            parsed = parse_text_submission(
                view["state"]["values"], block=block, action=field, error=error
            )
            if "response_action" in parsed:
                await ack(**parsed)
                return
            await ack()
            user = body["user"]["id"]
            try:
                number, sid, version = decode_statement_ref(view.get("private_metadata", ""))
            except ValueError:
                await client.chat_postMessage(channel=user, text=_STALE)
                return
            reply = await _run(
                statements.act,
                StatementAction(number, verb, sid, parsed["value"]),
                number=number,
                user_id=user,
                version=version,
                key=f"view:{view['id']}",
            )
            # A modal has no response_url: the person gets the answer as a direct message.
            await client.chat_postMessage(channel=user, text=reply.text)

        return on_submit

    app.view(View.STATEMENT_EDIT.value)(
        submission_listener(
            "edit", Block.STATEMENT_TEXT, Action.STATEMENT_TEXT, msg.ERR_STATEMENT_TEXT_EMPTY
        )
    )
    app.view(View.STATEMENT_REJECT.value)(
        submission_listener(
            "reject",
            Block.STATEMENT_REASON,
            Action.STATEMENT_REASON,
            msg.ERR_STATEMENT_REASON_EMPTY,
        )
    )
    app.view(View.STATEMENT_PUBLISH.value)(
        submission_listener(
            "publish",
            Block.STATEMENT_CHANNEL,
            Action.STATEMENT_CHANNEL,
            msg.ERR_STATEMENT_CHANNEL_EMPTY,
        )
    )
