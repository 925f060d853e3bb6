"""The HTTP front of the emulator: a standard-library threading server."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.dispatch import Request, route
from bot.sandbox.workspace import Workspace


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Serves one workspace; each connection is handled on a daemon thread."""

    daemon_threads = True
    # The default backlog of 5 drops connections in bursts (a bot fanning out calls
    # concurrently), which clients only notice after a one-second SYN retransmit.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], workspace: Workspace) -> None:
        super().__init__(address, _Handler)
        self.workspace = workspace
        # Open client connections: kept alive between requests, closed when the server is.
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Close the listening socket and every kept-alive connection: a stopped emulator
        must not go on answering on old connections (a client pooling them would otherwise
        reach a stopped workspace through a port a new emulator was given)."""
        super().server_close()
        with self._open_lock:
            still_open, self._open = list(self._open), set()
        for conn in still_open:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the client


class _Handler(BaseHTTPRequestHandler):
    """Decodes requests for ``dispatch.route`` and writes its responses."""

    server: EmulatorHTTPServer
    # As Slack does: connections are kept alive between requests (every response carries a
    # Content-Length). A client that pools connections saves a connect per call here too.
    protocol_version = "HTTP/1.1"
    # Headers and body are written separately: without TCP_NODELAY the body of a response on
    # a kept-alive connection waits for the client's delayed ACK (40 ms on Linux).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        url = urlsplit(self.path)
        response = route(self.server.workspace, Request(url.path, url.query, self.headers, body))
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay silent: the request log replaces access logs, keeping demo output clean."""
