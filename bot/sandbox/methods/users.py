"""auth.test and users.* methods."""

from __future__ import annotations

from typing import Any

from bot.sandbox.args import Args, SlackError, paginate
from bot.sandbox.models import WEB_URL
from bot.sandbox.workspace import Handler, Workspace


def auth_test(ws: Workspace, args: Args) -> dict[str, Any]:
    """auth.test: identifies the bot token's workspace and user."""
    return {
        "url": f"{WEB_URL}/",
        "team": "Emulator",
        "user": ws.users[ws.bot_user_id].name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def info(ws: Workspace, args: Args) -> dict[str, Any]:
    """users.info."""
    return {"user": ws.user(args.get_str("user")).to_api(ws.team_id, ws.now())}


def lookup_by_email(ws: Workspace, args: Args) -> dict[str, Any]:
    """users.lookupByEmail: case-insensitive, like Slack."""
    email = (args.get_str("email") or "").lower()
    for user in ws.users.values():
        if email and (user.email or "").lower() == email:
            return {"user": user.to_api(ws.team_id, ws.now())}
    raise SlackError("users_not_found")


def list_(ws: Workspace, args: Args) -> dict[str, Any]:
    """users.list (cursor-paginated)."""
    page, cursor = paginate(list(ws.users.values()), args, default_limit=1000)
    now = ws.now()
    return {"members": [u.to_api(ws.team_id, now) for u in page], "cache_ts": int(now),
            "response_metadata": {"next_cursor": cursor}}


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "users.info": info,
    "users.lookupByEmail": lookup_by_email,
    "users.list": list_,
}
