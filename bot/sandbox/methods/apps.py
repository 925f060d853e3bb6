"""apps.connections.open: a Socket Mode WebSocket URL for the app-level token."""

from __future__ import annotations

from typing import Any

from bot.sandbox.args import Args
from bot.sandbox.socket_mode import SocketModeServer
from bot.sandbox.workspace import Handler, Workspace


def connections_open(ws: Workspace, args: Args) -> dict[str, Any]:
    """Start the Socket Mode server on first use and hand out a one-time URL."""
    if ws.socket_mode is None:
        ws.socket_mode = SocketModeServer(app_id=ws.app_id)
    return {"url": ws.socket_mode.new_url()}


METHODS: dict[str, Handler] = {"apps.connections.open": connections_open}
