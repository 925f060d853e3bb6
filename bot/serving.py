"""Run an ASGI app under uvicorn, in the foreground (``serve``) or in a thread (demo, tests)."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass

import uvicorn


@dataclass
class RunningServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket: connections queue in its backlog until uvicorn accepts them, so
    callers can send requests as soon as this returns, with no waiting loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve_in_thread(app, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> RunningServer:
    sock = bind(host, port)
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False,
                            backlog=2048)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                              name="uvicorn", daemon=True)
    thread.start()
    bound_host, bound_port = sock.getsockname()[:2]
    return RunningServer(url=f"http://{bound_host}:{bound_port}", server=server, thread=thread)
