"""What a page says, in English and Chinese, for each kind of channel.

A confidential incident's page names only its number, severity and the role: no title, no
details (they are in its private Slack channel)."""

from __future__ import annotations

import re
from typing import Any

from bot.adapters.rendering.formatting import role_label
from bot.domain.incident import Incident

_MD_SPECIAL = re.compile(r"[\[\]()<>*_`#|>~\\]")
_REASON = {
    "declared": ("new incident", "新事件"),
    "raised": ("severity raised", "级别上调"),
    "repeat": ("reminder: not yet acknowledged", "再次呼叫：尚未确认"),
    "escalated": ("escalated: the previous person did not acknowledge", "已升级：上一位未确认"),
    "exec": ("escalated to the executive", "已升级至高管"),
}


def _safe(text: str, limit: int = 160) -> str:
    """User text made inert for vendor markdown (no links, tags or emphasis), one line."""
    one = " ".join(str(text).split())[:limit]
    return _MD_SPECIAL.sub(" ", one).strip()


def page_message(incident: Incident, *, role: str, to: str, reason: str,
                 ack_url: str) -> dict[str, Any]:
    """The message every channel gets: ``title``, plain ``text``, ``markdown``."""
    en_role, zh_role = role_label(role, "en"), role_label(role, "zh")
    why_en, why_zh = _REASON.get(reason, _REASON["declared"])
    sev = incident.severity.value
    if incident.confidential:
        what_en, what_zh = "Confidential incident: details in Slack only.", "保密事件：详情请在 Slack 中查看。"
    else:
        what_en = what_zh = _safe(incident.title)
    title = f"[{incident.id} {sev}] Paging {en_role} · 呼叫{zh_role}"
    text = (f"crisisbot {incident.id} ({sev}): you are paged as {en_role} ({why_en}). {what_en}\n"
            f"危机响应 {incident.id}（{sev} 级）：您作为{zh_role}被呼叫（{why_zh}）。{what_zh}\n")
    markdown = (f"### {incident.id} · {sev} · Paging 呼叫\n"
                f"**{en_role} · {zh_role}** — {why_en} · {why_zh}\n> {what_en}")
    if what_zh != what_en:
        markdown += f"\n> {what_zh}"
    if ack_url:
        text += f"Acknowledge · 确认: {ack_url}"
        markdown += f"\n\n[Acknowledge · 确认]({ack_url})"
    else:
        text += "Acknowledge in Slack · 请在 Slack 中确认"
        markdown += "\n\nAcknowledge in Slack · 请在 Slack 中确认"
    return {"title": title, "text": text, "markdown": markdown, "to": to, "ack_url": ack_url,
            "incident": incident.id, "severity": sev}
