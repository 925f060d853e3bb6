"""The vendor clients: one function per channel type, each one HTTP request with httpx.

A message is ``{"title", "text", "markdown", "to", "ack_url"}`` (pages and statements alike;
webhooks send ``document``). Each client raises :class:`DeliveryFailed` saying whether a retry
can help (network trouble, 5xx, 429, the vendor's rate limit) or not (bad key, bad signature).

Payloads follow each vendor's documentation:

* WeCom group robot — ``POST <webhook>?key=…`` ``{"msgtype": "markdown", "markdown":
  {"content": …}}`` (at most 4,096 bytes); success is ``errcode`` 0.
* DingTalk robot — ``POST …/robot/send?access_token=…&timestamp=<ms>&sign=<urlencoded base64
  HMAC-SHA256 of "<timestamp>\\n<secret>" keyed by the secret>``, ``{"msgtype": "markdown",
  "markdown": {"title", "text"}, "at": {"atMobiles": […]}}``; success is ``errcode`` 0.
* Feishu/Lark custom bot — ``POST …/bot/v2/hook/<id>`` ``{"timestamp": "<s>", "sign": <base64
  HMAC-SHA256 with key "<timestamp>\\n<secret>" over nothing>, "msg_type": "text", "content":
  {"text": …}}``; success is ``code`` 0 (20 KB at most).
* a generic SMS/voice gateway — the configured body template rendered in the Jinja sandbox.
* a signed webhook — JSON with ``X-Crisisbot-Timestamp`` and ``X-Crisisbot-Signature:
  sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` (the scheme crisisbot's own monitor
  webhooks accept).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import httpx

from bot.paging_config import ChannelConfig

WECOM_MAX_BYTES = 4096
FEISHU_MAX_BYTES = 20 * 1024
#: Vendor error codes that mean "slow down" (retry later).
_RATE_LIMITED = {45009, 130101, 11232, 9499}


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp: int) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def cut_bytes(text: str, limit: int) -> str:
    """``text`` within ``limit`` UTF-8 bytes, cut at a character boundary with an ellipsis."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode("utf-8", errors="ignore") + "…"


def _post(http: httpx.Client, url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = http.post(url, **kwargs)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{exc.__class__.__name__} reaching the server", retry=True) from None
    if response.status_code == 429 or response.status_code >= 500:
        raise DeliveryFailed(f"HTTP {response.status_code}", retry=True)
    if response.status_code >= 400:
        raise DeliveryFailed(f"HTTP {response.status_code}", retry=False)
    return response


def _vendor_answer(response: httpx.Response, code_key: str) -> None:
    try:
        body = response.json()
    except ValueError:
        raise DeliveryFailed("the answer is not JSON", retry=True) from None
    code = body.get(code_key, body.get("StatusCode", 0)) if isinstance(body, dict) else None
    if code in (0, None) and isinstance(body, dict):
        return
    message = str(body.get("errmsg") or body.get("msg") or body)[:160]
    raise DeliveryFailed(f"error {code}: {message}", retry=code in _RATE_LIMITED)


def send_wecom(channel: ChannelConfig, message: dict[str, Any], *, http: httpx.Client,
               now: float) -> None:
    content = cut_bytes(message["markdown"], WECOM_MAX_BYTES)
    response = _post(http, channel.get("url"),
                     json={"msgtype": "markdown", "markdown": {"content": content}})
    _vendor_answer(response, "errcode")


def send_dingtalk(channel: ChannelConfig, message: dict[str, Any], *, http: httpx.Client,
                  now: float) -> None:
    timestamp = int(now * 1000)
    url = channel.get("url")
    url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={dingtalk_sign(channel.get('secret'), timestamp)}"
    mobiles = [message["to"]] if message.get("to") else []
    text = message["markdown"] + "".join(f" @{m}" for m in mobiles)  # DingTalk shows @ in the text
    body = {"msgtype": "markdown", "markdown": {"title": message["title"], "text": text},
            "at": {"atMobiles": mobiles, "isAtAll": False}}
    _vendor_answer(_post(http, url, json=body), "errcode")


def send_feishu(channel: ChannelConfig, message: dict[str, Any], *, http: httpx.Client,
                now: float) -> None:
    body: dict[str, Any] = {"msg_type": "text", "content": {"text": message["text"]}}
    secret = channel.get("secret")
    if secret:
        timestamp = int(now)
        body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
    data = json.dumps(body, ensure_ascii=False).encode()
    if len(data) > FEISHU_MAX_BYTES:
        body["content"]["text"] = cut_bytes(message["text"], FEISHU_MAX_BYTES - 1024)
        data = json.dumps(body, ensure_ascii=False).encode()
    response = _post(http, channel.get("url"), content=data,
                     headers={"Content-Type": "application/json; charset=utf-8"})
    _vendor_answer(response, "code")


def send_http(channel: ChannelConfig, message: dict[str, Any], *, http: httpx.Client,
              now: float) -> None:
    from bot.adapters.rendering.jinja_env import build_expression_environment

    try:
        body = build_expression_environment().from_string(str(channel.settings["body"])).render(
            to=message.get("to", ""), text=message["text"], title=message["title"],
            ack_url=message.get("ack_url", ""), incident=message.get("incident", ""),
            severity=message.get("severity", ""))
    except Exception as exc:  # noqa: BLE001 - a template problem is the config's, not retried
        raise DeliveryFailed(f"the body template failed ({str(exc).splitlines()[0]})",
                             retry=False) from None
    headers = {str(k): (channel_value(v)) for k, v in (channel.settings.get("headers") or {}).items()}
    headers.setdefault("Content-Type", str(channel.settings.get("content_type") or "application/json"))
    _post(http, channel.get("url"), content=body.encode("utf-8"), headers=headers)


def send_webhook(channel: ChannelConfig, message: dict[str, Any], *, http: httpx.Client,
                 now: float) -> None:
    body = json.dumps(message["document"], ensure_ascii=False, sort_keys=True).encode()
    timestamp = int(now)
    _post(http, channel.get("url"), content=body, headers={
        "Content-Type": "application/json",
        "X-Crisisbot-Timestamp": str(timestamp),
        "X-Crisisbot-Signature": webhook_signature(channel.get("secret"), timestamp, body),
    })


def channel_value(value: Any) -> str:
    from bot.paging_config import expand

    return expand(str(value))


SENDERS: dict[str, Callable[..., None]] = {
    "wecom": send_wecom, "dingtalk": send_dingtalk, "feishu": send_feishu,
    "http": send_http, "webhook": send_webhook,
}
