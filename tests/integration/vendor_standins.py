"""Local stand-ins for the paging and publishing vendors, built from their documentation.

Each refuses what the vendor refuses, with the vendor's own answer:

* WeCom group robot (``/cgi-bin/webhook/send?key=…``): unknown key -> errcode 93000; a
  ``msgtype`` other than text/markdown/…, or a missing ``markdown.content`` -> 40008/41000-ish
  errors; markdown content over 4,096 bytes -> 40058.
* DingTalk robot (``/robot/send?access_token=…&timestamp=…&sign=…``): wrong token -> 300001;
  a timestamp more than an hour off -> 310000; a sign that is not
  ``base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>"))`` (URL-encoded) -> 310000.
* Feishu custom bot (``/open-apis/bot/v2/hook/<id>``): with a secret, a timestamp more than an
  hour off or a sign that is not ``base64(HMAC-SHA256(key="<timestamp>\\n<secret>", msg=""))``
  -> code 19021; a body over 20 KB -> 9499; an unknown ``msg_type`` -> 9499.
* an SMS gateway (``/sms/send``): wants ``Authorization: Bearer <token>`` and JSON
  ``{"to": "+…", "text": "…"}``.
* a CMS webhook receiver (``/cms/hook``): checks ``X-Crisisbot-Signature`` over
  ``"<X-Crisisbot-Timestamp>.<body>"``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

WECOM_KEY = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "d1n9t0k3n"
DING_SECRET = "SEC0f1e2d3c4b5a69788796a5b4c3d2e1f0"
FEISHU_HOOK = "b2c3d4e5-feishu-hook"
FEISHU_SECRET = "feishu-s3cret"
SMS_TOKEN = "sms-token-123"
CMS_SECRET = "cms-webhook-secret-0123456789"


@dataclass
class Standins:
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refused: list[tuple[str, Any]] = field(default_factory=list)
    fail_next: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def got(self, vendor: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.received.get(vendor, []))

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def _wecom(state: Standins, query: dict, headers: dict, body: bytes) -> tuple[int, dict]:
    if query.get("key") != [WECOM_KEY]:
        return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
    try:
        doc = json.loads(body)
    except ValueError:
        return 200, {"errcode": 40000, "errmsg": "invalid json"}
    if doc.get("msgtype") not in ("text", "markdown", "image", "news", "file", "template_card"):
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}
    if doc["msgtype"] == "markdown":
        content = (doc.get("markdown") or {}).get("content")
        if not isinstance(content, str) or not content:
            return 200, {"errcode": 41009, "errmsg": "missing markdown content"}
        if len(content.encode("utf-8")) > 4096:
            return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
    return 200, {"errcode": 0, "errmsg": "ok", "_doc": doc}


def _ding(state: Standins, query: dict, headers: dict, body: bytes) -> tuple[int, dict]:
    if query.get("access_token") != [DING_TOKEN]:
        return 200, {"errcode": 300001, "errmsg": "token is not exist"}
    timestamp = (query.get("timestamp") or [""])[0]
    sign = (query.get("sign") or [""])[0]
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
        return 200, {"errcode": 310000, "errmsg": "invalid timestamp"}
    expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(sign, expected):
        return 200, {"errcode": 310000, "errmsg": "sign not match"}
    doc = json.loads(body)
    if doc.get("msgtype") == "markdown":
        md = doc.get("markdown") or {}
        if not md.get("title") or not md.get("text"):
            return 200, {"errcode": 40035, "errmsg": "missing markdown title or text"}
    elif doc.get("msgtype") not in ("text", "link", "actionCard", "feedCard"):
        return 200, {"errcode": 40035, "errmsg": "invalid msgtype"}
    at = doc.get("at") or {}
    if not isinstance(at.get("atMobiles", []), list):
        return 200, {"errcode": 40035, "errmsg": "atMobiles must be a list"}
    return 200, {"errcode": 0, "errmsg": "ok", "_doc": doc}


def _feishu(state: Standins, query: dict, headers: dict, body: bytes) -> tuple[int, dict]:
    if len(body) > 20 * 1024:
        return 200, {"code": 9499, "msg": "request body too large"}
    doc = json.loads(body)
    timestamp = str(doc.get("timestamp", ""))
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 3600:
        return 200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour "
                                           "from current time"}
    expected = base64.b64encode(hmac.new(f"{timestamp}\n{FEISHU_SECRET}".encode(), b"",
                                         hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(str(doc.get("sign", "")), expected):
        return 200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour "
                                           "from current time"}
    if doc.get("msg_type") not in ("text", "post", "image", "share_chat", "interactive"):
        return 200, {"code": 9499, "msg": "Bad Request"}
    if doc["msg_type"] == "text" and not (doc.get("content") or {}).get("text"):
        return 200, {"code": 9499, "msg": "text is empty"}
    return 200, {"code": 0, "msg": "success", "data": {}, "_doc": doc}


def _sms(state: Standins, query: dict, headers: dict, body: bytes) -> tuple[int, dict]:
    if headers.get("authorization") != f"Bearer {SMS_TOKEN}":
        return 401, {"error": "unauthorized"}
    doc = json.loads(body)
    if not str(doc.get("to", "")).startswith("+") or not doc.get("text"):
        return 400, {"error": "to (E.164) and text are required"}
    return 200, {"id": "msg-1", "_doc": doc}


def _cms(state: Standins, query: dict, headers: dict, body: bytes) -> tuple[int, dict]:
    timestamp = headers.get("x-crisisbot-timestamp", "")
    signature = headers.get("x-crisisbot-signature", "")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 300:
        return 401, {"error": "stale or missing timestamp"}
    expected = "sha256=" + hmac.new(CMS_SECRET.encode(), f"{timestamp}.".encode() + body,
                                    hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        return 401, {"error": "bad signature"}
    return 200, {"ok": True, "_doc": json.loads(body)}


ROUTES = {"/cgi-bin/webhook/send": ("wecom", _wecom), "/robot/send": ("dingtalk", _ding),
          f"/open-apis/bot/v2/hook/{FEISHU_HOOK}": ("feishu", _feishu), "/sms/send": ("sms", _sms),
          "/cms/hook": ("cms", _cms)}


def start_standins() -> Standins:
    state = Standins()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            url = urlparse(self.path)
            route = ROUTES.get(url.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if route is None:
                self._answer(404, {"error": "not found"})
                return
            vendor, check = route
            with state.lock:
                failing = state.fail_next.get(vendor, 0)
                if failing:
                    state.fail_next[vendor] = failing - 1
            if failing:
                self._answer(503, {"error": "try later"})
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = check(state, parse_qs(url.query), headers, body)
            doc = answer.pop("_doc", None)
            with state.lock:
                if doc is not None:
                    state.received.setdefault(vendor, []).append(doc)
                else:
                    state.refused.append((vendor, answer))
            self._answer(status, answer)

        def _answer(self, status: int, doc: dict) -> None:
            data = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.server, state.port = server, server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """A real SMTP server (aiosmtpd) collecting what it is sent."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[dict[str, Any]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                       "data": envelope.content.decode("utf-8", "replace")})
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
