"""A small Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no websocket
library needed): headless Chromium reads commands on fd 3 and writes replies on fd 4, each a
JSON message ended by a NUL byte. Enough to open a page at a phone's width, evaluate script in
it (axe-core, layout measurements) and take a screenshot."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

TIMEOUT = 120  # a loaded 2-core machine: generous, never a synchronisation sleep


class CdpError(RuntimeError):
    pass


class Browser:
    def __init__(self, binary: str, profile: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # in the child, before exec: the pipes become fds 3 and 4
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--hide-scrollbars", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, pass_fds=(3, 4),  # noqa: PLW1509 - wire() only calls dup2
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._next = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.session = ""

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                break
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                with self._cond:
                    if "id" in message:
                        self._replies[message["id"]] = message
                    else:
                        self._events.append(message)
                    self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None) -> dict[str, Any]:
        with self._cond:
            self._next += 1
            message_id = self._next
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        session = self.session if session is None else session
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        with self._cond:
            if not self._cond.wait_for(lambda: message_id in self._replies, timeout=TIMEOUT):
                raise CdpError(f"no reply to {method} within {TIMEOUT} s")
            reply = self._replies.pop(message_id)
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str) -> dict[str, Any]:
        with self._cond:
            found: list[dict[str, Any]] = []

            def seen() -> bool:
                for event in self._events:
                    if event.get("method") == method:
                        found.append(event)
                        self._events.remove(event)
                        return True
                return False

            if not self._cond.wait_for(seen, timeout=TIMEOUT):
                raise CdpError(f"no {method} within {TIMEOUT} s")
            return found[0]

    def open(self, url: str, *, width: int, height: int = 800, mobile: bool = False) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session="")
        attached = self.send("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session="")
        self.session = attached["sessionId"]
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        # The page forbids every script by its CSP; the test's own probes (axe-core, layout
        # measurements) come in through DevTools, so the CSP is lifted for them only.
        self.send("Page.setBypassCSP", {"enabled": True})
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CdpError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def close(self) -> None:
        try:
            self.send("Browser.close", session="")
        except (CdpError, OSError):
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
