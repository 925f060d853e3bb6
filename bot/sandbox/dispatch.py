"""Routing of decoded HTTP requests to Web API methods, uploads and response URLs.

Kept free of socket handling so the rules (faults, auth, logging) read in one place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from bot.sandbox import response_urls
from bot.sandbox.args import Args, SlackError
from bot.sandbox.methods import METHODS
from bot.sandbox.methods.files import UPLOAD_PATH, store_upload
from bot.sandbox.scopes import check_scope
from bot.sandbox.workspace import Workspace

API_PATH = "/api/"
JSON = "application/json; charset=utf-8"
_log = logging.getLogger(__name__)


@dataclass
class Request:
    """An HTTP request as the emulator needs it."""

    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


@dataclass
class Response:
    """An HTTP response to send back."""

    status: int
    body: bytes
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: dict[str, Any], **headers: str) -> Response:
    """Build a JSON response."""
    return Response(status, json.dumps(payload).encode(), headers=headers)


def route(ws: Workspace, request: Request) -> Response:
    """Answer one request under the workspace lock, then wake anyone waiting for a change."""
    with ws.lock:
        try:
            return _route(ws, request)
        finally:
            ws.changed.notify_all()


def _route(ws: Workspace, request: Request) -> Response:
    if request.path.startswith(API_PATH):
        return _api_call(ws, request.path[len(API_PATH):], request)
    if request.path.startswith(UPLOAD_PATH):
        status, text = store_upload(ws, request.path[len(UPLOAD_PATH):], request.body)
        # Slack's upload host answers in plain text, which slack_sdk expects.
        return Response(status, text.encode(), content_type="text/plain; charset=utf-8")
    if request.path.startswith(response_urls.RESPONSE_PATH):
        return json_response(*response_urls.handle_post(ws, request.path, request.body))
    return json_response(404, {"ok": False, "error": "not_found"})


def _api_call(ws: Workspace, method: str, request: Request) -> Response:
    """Run a Web API method; every call is appended to the request log."""
    entry: dict[str, Any] = {"method": method, "args": {}, "time": ws.now()}
    status, headers = 200, {}
    try:
        raw = parse_args(request)
        token = raw.pop("token", None) or _bearer(request.headers)
        entry["args"] = raw
        fault = ws.faults.take(method, entry["time"])
        if fault is not None:
            status, headers, body = fault.response()
        elif method not in METHODS:
            body = {"ok": False, "error": "unknown_method"}
        elif not token:
            body = {"ok": False, "error": "not_authed"}
        elif token != (ws.app_token if method == "apps.connections.open" else ws.token):
            # apps.connections.open takes the app-level token, and only it takes it.
            body = {"ok": False, "error": "not_allowed_token_type" if token in (
                ws.token, ws.app_token) else "invalid_auth"}
        else:
            kind = ws.channel_kind(raw.get("channel") or raw.get("channel_id"))
            check_scope(method, raw, granted=ws.scopes, channel_kind=kind)
            wait = ws.limiter.admit(method, raw)
            if wait is not None:
                status, headers = 429, {"Retry-After": str(wait)}
                body = {"ok": False, "error": "ratelimited"}
            else:
                body = {"ok": True, **METHODS[method](ws, Args(raw))}
    except SlackError as err:
        body = {"ok": False, "error": err.code, **err.extra}
    except Exception:  # noqa: BLE001 - an emulator bug must not kill the server thread
        _log.exception("emulated %s crashed", method)
        status, body = 500, {"ok": False, "error": "internal_error"}
    entry.update(http_status=status, ok=body["ok"], error=body.get("error"))
    ws.request_log.append(entry)
    return json_response(status, body, **headers)


def parse_args(request: Request) -> dict[str, Any]:
    """Merge query-string and body arguments, as Slack does.

    slack_sdk's WebClient sends form-encoded or JSON bodies; AsyncWebClient puts
    ``params`` in the query string. Multipart bodies (legacy ``files.upload``) are not
    emulated and get ``invalid_post_type``.
    """
    args: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
    if not request.body:
        return args
    content_type = request.headers.get("Content-Type")
    if not content_type:
        raise SlackError("missing_post_type")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        try:
            body = json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise SlackError("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackError("invalid_json")
        args.update(body)
    elif kind == "application/x-www-form-urlencoded":
        try:
            args.update(parse_qsl(request.body.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise SlackError("invalid_form_data") from None
    else:
        raise SlackError("invalid_post_type")
    return args


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
