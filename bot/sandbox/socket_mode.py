"""Socket Mode, emulated: ``apps.connections.open`` hands out a WebSocket URL, and this server
speaks Slack's envelope protocol on it.

On connect the server sends ``hello``; it delivers a request as an envelope
(``{"envelope_id", "type": "slash_commands" | "interactive" | "events_api", "payload",
"accepts_response_payload"}``) and waits for the app's acknowledgement carrying the same
``envelope_id`` (with the ack's ``payload``, if any). ``refresh()`` sends ``disconnect`` with
``refresh_requested``, as Slack does before it recycles a connection; ``drop()`` closes the
socket without a word, as a network failure would. Either way the app must reconnect through
``apps.connections.open``. Runs aiohttp on its own thread and event loop.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

from aiohttp import WSMsgType, web


class SocketModeServer:
    def __init__(self, *, app_id: str) -> None:
        self.app_id = app_id
        self.hellos = 0  # connections greeted so far (a reconnect adds one)
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self.port = 0
        started = threading.Event()
        threading.Thread(target=self._run, args=(started,), name="socket-mode", daemon=True).start()
        started.wait(timeout=30)

    # -- for the emulator --------------------------------------------------------------

    def new_url(self) -> str:
        """A one-time WebSocket URL, as ``apps.connections.open`` returns."""
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}"

    def connections(self) -> int:
        return sum(not s.closed for s in self._sockets)

    def wait_connected(self, *, hellos: int, timeout: float = 30.0) -> bool:
        """Block until ``hellos`` connections have been greeted and one is open."""
        with self._connected:
            return self._connected.wait_for(
                lambda: self.hellos >= hellos and self.connections() > 0, timeout=timeout)

    def send(self, kind: str, payload: dict[str, Any], *, timeout: float = 30.0) -> dict[str, Any]:
        """Deliver an envelope on the newest open socket; return the app's ack message."""
        future = asyncio.run_coroutine_threadsafe(self._send(kind, payload), self._loop)
        return future.result(timeout=timeout)

    def refresh(self) -> None:
        """``disconnect`` / ``refresh_requested`` on every open socket."""
        asyncio.run_coroutine_threadsafe(self._broadcast({
            "type": "disconnect", "reason": "refresh_requested",
            "debug_info": {"host": "emulator"}}), self._loop).result(timeout=10)

    def drop(self) -> None:
        """Close every socket abruptly (no ``disconnect`` first)."""
        asyncio.run_coroutine_threadsafe(self._close_all(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    # -- the server --------------------------------------------------------------------

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/link/", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        started.set()
        self._loop.run_forever()

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid ticket")
        self._tickets.discard(ticket)  # one connection per URL, as on Slack
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(json.dumps({
            "type": "hello", "num_connections": self.connections(),
            "debug_info": {"host": "emulator", "approximate_connection_time": 3600},
            "connection_info": {"app_id": self.app_id}}))
        with self._connected:
            self.hellos += 1
            self._connected.notify_all()
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                ack = json.loads(message.data)
            except json.JSONDecodeError:
                continue
            waiting = self._waiting.pop(str(ack.get("envelope_id")), None)
            if waiting is not None and not waiting.done():
                waiting.set_result(ack)
        return socket

    async def _send(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        open_sockets = [s for s in self._sockets if not s.closed]
        if not open_sockets:
            raise ConnectionError("no Socket Mode connection is open")
        envelope_id = str(uuid.uuid4())
        future: asyncio.Future[dict[str, Any]] = self._loop.create_future()
        self._waiting[envelope_id] = future
        await open_sockets[-1].send_str(json.dumps({
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
            "retry_reason": ""}))
        return await future

    async def _broadcast(self, message: dict[str, Any]) -> None:
        for socket in [s for s in self._sockets if not s.closed]:
            await socket.send_str(json.dumps(message))

    async def _close_all(self) -> None:
        for socket in [s for s in self._sockets if not s.closed]:
            await socket.close()

    async def _shutdown(self) -> None:
        await self._close_all()
        assert self._runner is not None
        await self._runner.cleanup()
