"""Channel transcript lines of the paging events (English, then Chinese)."""

from __future__ import annotations

from typing import Any

from bot.adapters.rendering.formatting import role_label
from bot.adapters.slack.escape import mention
from bot.domain.paging import PageAcknowledged, PageEscalated, PageSent


def _sent(e: PageSent, who: str, inc: Any, lang: str) -> str:
    return (f":pager: {who} paged {mention(e.user)} as {role_label(e.role, 'en')} (page {e.attempt}) · "
            f"已呼叫{role_label(e.role, 'zh')}")


def _acked(e: PageAcknowledged, who: str, inc: Any, lang: str) -> str:
    minutes = int(e.seconds // 60)
    return (f":white_check_mark: {who} acknowledged the page for "
            f"{role_label(e.role, 'en')} after {minutes} min · 已确认（{minutes} 分钟）")


def _escalated(e: PageEscalated, who: str, inc: Any, lang: str) -> str:
    if not e.to_user:
        return (f":rotating_light: {who}: nobody acknowledged the page for "
                f"{role_label(e.role, 'en')}; everyone on the rota was paged · {role_label(e.role, 'zh')}无人确认")
    return (f":arrow_double_up: {who} escalated the page for {role_label(e.role, 'en')} from "
            f"{mention(e.from_user)} to {mention(e.to_user)} · 呼叫已升级")


DESCRIBERS = {PageSent: _sent, PageAcknowledged: _acked, PageEscalated: _escalated}
