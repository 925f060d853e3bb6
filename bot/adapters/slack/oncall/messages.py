"""Wording of ``/crisis oncall`` and the App Home duty section, English then Chinese."""

from __future__ import annotations

from datetime import datetime

from bot.adapters.rendering.formatting import role_label
from bot.adapters.rendering.formatting.dates import format_datetime
from bot.adapters.slack.escape import mention
from bot.domain.rota import Duty, Override
from bot.services.oncall import RoleDuty

NOBODY = ("nobody", "无人值班")
NO_ROTA = ("No duty rota is configured (`oncall:` in the site config); incidents go to the first "
           "person listed in the roster.\n未配置值班表（站点配置 `oncall:`），事件指派给名册中的第一人。")
HOME_DUTY_TITLE = "*On duty today · 今日值班*"


def _when(at: datetime | None, zone: str, lang: str) -> str:
    return format_datetime(at, zone=zone, lang=lang) if at else "—"


def duty_line(item: RoleDuty, *, zone: str) -> str:
    """``*Comms lead* 传播负责人: @maria until 12 Jan 09:00 … · next @li``."""
    role = item.role
    head = f"*{role_label(role, 'en')}* · {role_label(role, 'zh')}"
    now = item.now
    if now is None:
        current = f"{NOBODY[0]} · {NOBODY[1]}"
    else:
        flag = " (override · 临时替班)" if now.override else ""
        current = (f"{mention(now.user)}{flag} until {_when(now.until, zone, 'en')}"
                   f" · 至 {_when(now.until, zone, 'zh')}")
    line = f"{head}: {current}"
    if item.next is not None:
        line += (f"\n      next · 下一班: {mention(item.next.user)} from "
                 f"{_when(item.next.start, zone, 'en')} · 自 {_when(item.next.start, zone, 'zh')}")
    backups = [d for d in item.layers[1:] if d is not None]
    if backups:
        line += "\n      escalation · 升级: " + ", ".join(
            f"{mention(d.user)} (layer {d.layer + 1})" for d in backups)
    return line


def duty_text(items: list[RoleDuty], *, zone: str) -> str:
    if not items:
        return NO_ROTA
    return "\n".join([":calendar: *On duty · 值班*"] + [duty_line(i, zone=zone) for i in items])


def overridden(o: Override, *, zone: str) -> str:
    return (f":arrows_counterclockwise: {mention(o.user)} holds *{role_label(o.role, 'en')}* "
            f"until {_when(o.end, zone, 'en')}.\n{mention(o.user)} 临时担任"
            f"{role_label(o.role, 'zh')}，至 {_when(o.end, zone, 'zh')}。")


def swapped(pair: list[Override], *, zone: str) -> str:
    lines = [":arrows_counterclockwise: Turns swapped · 已换班:"]
    for o in pair:
        lines.append(f"• {mention(o.user)}: {role_label(o.role, 'en')} "
                     f"{_when(o.start, zone, 'en')} → {_when(o.end, zone, 'en')}"
                     f" · {_when(o.start, zone, 'zh')} 至 {_when(o.end, zone, 'zh')}")
    return "\n".join(lines)


def home_duty(items: list[RoleDuty], *, zone: str) -> str:
    rows = []
    for item in items:
        who = mention(item.now.user) if item.now else f"_{NOBODY[0]} · {NOBODY[1]}_"
        rows.append(f"• {role_label(item.role, 'en')} · {role_label(item.role, 'zh')}: {who}")
    return HOME_DUTY_TITLE + "\n" + "\n".join(rows)


__all__ = ["Duty", "duty_text", "home_duty", "overridden", "swapped"]
