"""The Slack *Acknowledge* button under a page (``page_ack``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from slack_bolt.async_app import AsyncApp

from bot.adapters.paging.ack import incident_number
from bot.adapters.paging.planner import ACK_ACTION
from bot.adapters.slack import messages
from bot.domain.errors import DomainError
from bot.domain.permissions import Refused, Standing, check, permission


def register_paging_listeners(app: AsyncApp, *, acknowledge: Callable[[int, str], list[str]]) -> None:
    @app.action(ACK_ACTION)
    async def on_ack(ack, body, action, respond) -> None:
        await ack()
        user = body["user"]["id"]
        number = incident_number(str(action.get("value", "")))
        if number is None:
            await respond(response_type="ephemeral", replace_original=False,
                          text=":warning: This button is out of date · 按钮已过期")
            return
        try:
            check(permission("button:page_ack"), Standing(user=user), incident_label=f"INC-{number}")
            roles = await asyncio.to_thread(acknowledge, number, user)
        except Refused as exc:
            await respond(response_type="ephemeral", replace_original=False,
                          text=messages.refusal(exc))
            return
        except DomainError as exc:
            await respond(response_type="ephemeral", replace_original=False,
                          text=f":warning: {exc.message}")
            return
        if roles:
            text = (f":white_check_mark: Acknowledged ({', '.join(roles)}); paging stops. "
                    "已确认，停止呼叫。")
        else:
            text = "Nothing of yours is waiting for an acknowledgement. 没有待您确认的呼叫。"
        await respond(response_type="ephemeral", replace_original=False, text=text)
