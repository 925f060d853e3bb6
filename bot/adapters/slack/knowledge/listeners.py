"""Bolt listeners for the knowledge-base buttons and the lessons modal (one call from
:func:`bot.adapters.slack.app.build_app`). Each acks first, then runs one
:class:`KnowledgeHandler` call in a worker thread; errors become a reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.handlers import Reply, error_reply
from bot.adapters.slack.knowledge.blocks import (
    KB_LESSONS_BLOCK,
    KB_LESSONS_INPUT,
    KbAction,
    KbView,
    decode_case_ref,
)
from bot.adapters.slack.knowledge.handler import KnowledgeHandler

_STALE = ":warning: This button is out of date; use `/crisis lessons`."


async def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every error gets an answer
        return error_reply(exc)


def register_knowledge_listeners(app: AsyncApp, knowledge: KnowledgeHandler) -> None:
    """Add every knowledge-base listener to ``app``."""

    def click_key(body: dict[str, Any], action: dict[str, Any]) -> str:
        # A double click sends the same button from the same message twice: one effect.
        message_ts = (body.get("container") or {}).get("message_ts", "")
        return f"action:{message_ts}:{action.get('action_id')}:{action.get('value', '')}"

    def where(body: dict[str, Any]) -> tuple[str, str | None]:
        return body["user"]["id"], (body.get("channel") or {}).get("id")

    @app.action(KbAction.SHOW_LESSONS.value)
    async def show_lessons(ack, body, action, respond) -> None:
        await ack()
        try:
            number, case_id = decode_case_ref(action.get("value", ""))
        except ValueError:
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        user, channel = where(body)
        reply: Reply = await _run(knowledge.show_lessons, number=number, case_id=case_id,
                                  user_id=user, channel_id=channel)
        await respond(replace_original=False, **reply.as_response())

    @app.action(KbAction.START_STATEMENT.value)
    async def start_statement(ack, body, action, respond) -> None:
        await ack()
        try:
            number, case_id = decode_case_ref(action.get("value", ""))
        except ValueError:
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        user, channel = where(body)
        reply = await _run(knowledge.start_statement, number=number, case_id=case_id,
                           user_id=user, channel_id=channel, key=click_key(body, action))
        await respond(replace_original=False, **reply.as_response())

    @app.action(KbAction.CONFIRM_LESSONS.value)
    async def confirm_lessons(ack, body, action, respond) -> None:
        await ack()
        value = action.get("value", "")
        if not value.isdigit():
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        user, channel = where(body)
        reply = await _run(knowledge.confirm_lessons, number=int(value), user_id=user,
                           channel_id=channel, key=click_key(body, action))
        await respond(replace_original=False, **reply.as_response())

    @app.action(KbAction.EDIT_LESSONS.value)
    async def edit_lessons(ack, body, action, respond, client: AsyncWebClient) -> None:
        await ack()
        value = action.get("value", "")
        if not value.isdigit():
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        user, channel = where(body)
        view = await _run(knowledge.lessons_modal, number=int(value), user_id=user,
                          channel_id=channel)
        if isinstance(view, Reply):  # refused or failed: say why, open nothing
            await respond(replace_original=False, **view.as_response())
            return
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(KbView.LESSONS.value)
    async def lessons_submitted(ack, body, view, client: AsyncWebClient) -> None:
        metadata = view.get("private_metadata", "")
        values = (view.get("state") or {}).get("values") or {}
        text = ((values.get(KB_LESSONS_BLOCK) or {}).get(KB_LESSONS_INPUT) or {}).get("value") or ""
        if not metadata.isdigit():
            await ack(response_action="errors",
                      errors={KB_LESSONS_BLOCK: "This form is out of date; start again."})
            return
        await ack()
        user = body["user"]["id"]
        reply = await _run(knowledge.confirm_lessons, number=int(metadata), user_id=user,
                           channel_id=None, key=f"view:{view.get('id', '')}",
                           lessons=[line.strip(" •-\t") for line in text.splitlines()])
        # A modal has no response_url: the answer goes to the person as a direct message.
        await client.chat_postMessage(channel=user, text=reply.text)
