"""Wording about Slack delivery itself: effects the gateway gave up on (dead letters)."""

from __future__ import annotations

from bot.adapters.slack.escape import escape_mrkdwn, truncate

#: What each outbox effect kind does, as a verb phrase (English, Chinese).
EFFECT_ACTIONS: dict[str, tuple[str, str]] = {
    "open_channel": ("set up this channel's topic and purpose", "设置本频道的主题和用途"),
    "invite": ("invite the crisis team", "邀请危机小组成员"),
    "post_card": ("pin the card", "置顶事件卡片"),
    "update_card": ("update the card", "更新事件卡片"),
    "post_checklist": ("post the checklist", "发布检查清单"),
    "post_message": ("post a message", "发送消息"),
    "announce": ("announce the incident", "发布事件公告"),
    "update_statement_card": ("update the statement card", "更新声明卡片"),
    "upload_postmortem": ("upload the post-mortem", "上传复盘报告"),
}


def effect_failed(*, kind: str, attempts: int, error: str, effect_id: int) -> str:
    """``:warning: I couldn't pin the card after 8 tries (ratelimited). …`` in both languages."""
    en, zh = EFFECT_ACTIONS.get(kind, (kind.replace("_", " "), kind))
    reason = escape_mrkdwn(truncate(error, 80))
    tries = "1 try" if attempts == 1 else f"{attempts} tries"
    return (
        f":warning: I couldn't {en} after {tries} ({reason}). An admin can retry it "
        f"with `crisisbot outbox retry {effect_id}`.\n"
        f"尝试 {attempts} 次后仍未能{zh}（{reason}）。管理员可运行 "
        f"`crisisbot outbox retry {effect_id}` 重试。"
    )


def blocks_left_out(count: int) -> str:
    """The last line of a message cut to fit Slack's size budget."""
    return (f"…and {count} more not shown (Slack's message size limit); "
            f"`/crisis timeline 50` shows the recent history · 因消息长度限制，另有 {count} 项未显示。")
