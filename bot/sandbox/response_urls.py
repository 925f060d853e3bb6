"""``response_url`` endpoints: where the bot answers slash commands and interactions."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.args import Args, SlackError
from bot.sandbox.methods.chat import read_content
from bot.sandbox.models import ResponseUrl
from bot.sandbox.workspace import Workspace

RESPONSE_PATH = "/actions/"
# Slack honours a response_url at most five times within thirty minutes.
MAX_USES = 5
LIFETIME_SECONDS = 30 * 60


def new_response_url(ws: Workspace, *, channel: str, user: str, message_ts: str | None) -> str:
    """Issue a response URL bound to an interaction by ``user`` in ``channel``."""
    entry = ResponseUrl(id=ws.new_id("R"), channel=channel, user=user, created=ws.now(),
                        message_ts=message_ts)
    ws.response_urls[entry.id] = entry
    return f"{ws.base_url}{RESPONSE_PATH}{ws.team_id}/{entry.id}"


def handle_post(ws: Workspace, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """Apply one POST to a response URL; return the HTTP status and JSON answer.

    Every attempt, accepted or not, is recorded in ``ws.response_url_posts``.
    """
    entry = ws.response_urls.get(path.rsplit("/", 1)[-1])
    record: dict[str, Any] = {"url": f"{ws.base_url}{path}", "time": ws.now(), "payload": None,
                              "channel": entry.channel if entry else None,
                              "user": entry.user if entry else None}
    status, error = 200, None
    try:
        if entry is None or ws.now() - entry.created >= LIFETIME_SECONDS:
            status, error = 404, "expired_url"
        elif entry.uses >= MAX_USES:
            status, error = 404, "used_url"
        else:
            record["payload"] = _parse(body)
            _apply(ws, entry, record["payload"])
            entry.uses += 1
    except SlackError as err:
        status, error = 400, err.code
    record.update(status=status, error=error)
    ws.response_url_posts.append(record)
    return status, ({"ok": True} if error is None else {"ok": False, "error": error})


def _parse(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SlackError("invalid_payload") from None
    if not isinstance(payload, dict):
        raise SlackError("invalid_payload")
    return payload


def _apply(ws: Workspace, entry: ResponseUrl, payload: dict[str, Any]) -> None:
    """Carry out the payload's effect on the channel, as Slack would."""
    args = Args(payload)
    original = None
    if entry.message_ts is not None:
        original = next((m for m in ws.messages.get(entry.channel, [])
                         if m.ts == entry.message_ts), None)
    if args.get_bool("delete_original"):
        if original is not None:
            ws.messages[entry.channel].remove(original)
        return
    text, blocks, attachments = read_content(args, budget=ws.block_text_budget)
    if args.get_bool("replace_original"):
        if original is not None:
            original.keep_version(ws.new_ts())
            original.text, original.blocks, original.attachments = text, blocks, attachments
        return
    if args.get_str("response_type") == "in_channel":
        # Slash-command replies reach the channel even when the bot is not a member.
        ws.post(ws.channels[entry.channel], user=ws.bot_user_id, text=text, blocks=blocks,
                attachments=attachments, thread_ts=args.get_str("thread_ts"))
        return
    ws.ephemerals.append({
        "channel": entry.channel, "user": entry.user, "text": text, "blocks": blocks,
        "attachments": attachments, "thread_ts": args.get_str("thread_ts"),
        "message_ts": ws.new_ts(), "source": "response_url", "time": ws.now(),
    })
