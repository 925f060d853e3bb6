"""Channel transcript line of a statement's delivery to a publish target."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.escape import escape_mrkdwn
from bot.domain.publishing import StatementDelivered

_WORDS = {"live": ("is live on", "已发布到"), "sent": ("was delivered to", "已送达"),
          "failed": ("could not be delivered to", "未能送达")}


def _delivered(e: StatementDelivered, who: str, inc: Any, lang: str) -> str:
    en, zh = _WORDS.get(e.status, (e.status, e.status))
    why = f" ({escape_mrkdwn(e.error)})" if e.error else ""
    return (f":outbox_tray: {who}: statement #{e.statement_id} v{e.version} {en} "
            f"`{escape_mrkdwn(e.target)}`{why} · 声明{zh} {escape_mrkdwn(e.target)}")


DESCRIBERS = {StatementDelivered: _delivered}
