"""The emulated Web API methods, by Slack method name."""

from __future__ import annotations

from bot.sandbox.methods import apps, chat, conversations, files, pins, users, views
from bot.sandbox.workspace import Handler

METHODS: dict[str, Handler] = {
    **users.METHODS,
    **conversations.METHODS,
    **chat.METHODS,
    **pins.METHODS,
    **views.METHODS,
    **files.METHODS,
    **apps.METHODS,
}

__all__ = ["METHODS"]
