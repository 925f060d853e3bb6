"""Signed acknowledgement links in pages, served by ``crisisbot serve``.

``GET /pages/ack?i=7&u=U123&s=…`` shows a small bilingual page with one button (a link opened
by a chat preview or a mail scanner acknowledges nothing); its ``POST`` records the
acknowledgement. The signature is an HMAC of the incident and the person with a key derived
from the Slack signing secret, so a link cannot be forged or moved to someone else."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.domain.errors import DomainError
from bot.edge import BadContentLength, BodyTooLarge, read_bounded

MAX_FORM = 2048
log = logging.getLogger(__name__)


class AckLinks:
    def __init__(self, *, secret: str, public_url: str) -> None:
        self._key = hmac.new(secret.encode(), b"crisisbot page acknowledgement", hashlib.sha256).digest()
        self.public_url = public_url.rstrip("/")

    def signature(self, incident: int, user: str) -> str:
        return hmac.new(self._key, f"{incident}:{user}".encode(), hashlib.sha256).hexdigest()[:40]

    def url(self, incident: int, user: str) -> str:
        if not self.public_url:
            return ""
        query = urlencode({"i": incident, "u": user, "s": self.signature(incident, user)})
        return f"{self.public_url}/pages/ack?{query}"

    def check(self, incident: str, user: str, signature: str) -> int | None:
        number = incident_number(incident)
        if number is None or not user or len(user) > 40 or not (signature or "").isascii():
            return None
        expected = self.signature(number, user)
        return number if hmac.compare_digest(expected, signature or "") else None


def incident_number(text: str) -> int | None:
    """An incident number from a link or a button value: ASCII digits, at most 9 of them (a
    ``²``, ``١`` or a 5,000-digit number is no number, never an exception)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    return int(text)


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;
color:#111}}button{{font-size:1.2rem;padding:.6rem 1.4rem}}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=escape(title), body=body), status_code=status,
                        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})


def ack_routes(*, links: AckLinks, acknowledge: Callable[[int, str], list[str]]) -> list[Route]:
    """The two routes; ``acknowledge(incident, user)`` records it and returns the roles."""

    def params(values) -> tuple[int | None, str, str]:
        incident, user, sig = (str(values.get(k) or "") for k in ("i", "u", "s"))
        return links.check(incident, user, sig), user, sig

    async def show(request: Request) -> HTMLResponse:
        number, user, sig = params(request.query_params)
        if number is None:
            return _page("Link not valid · 链接无效", "<p>This acknowledgement link is not valid."
                         "<br>此确认链接无效。</p>", 403)
        form = (f'<form method="post"><input type="hidden" name="i" value="{number}">'
                f'<input type="hidden" name="u" value="{escape(user)}">'
                f'<input type="hidden" name="s" value="{escape(sig)}">'
                f'<p>INC-{number}: acknowledge that you are on it.<br>确认您已在处理。</p>'
                '<button type="submit">Acknowledge · 确认</button></form>')
        return _page(f"INC-{number} · Acknowledge · 确认", form)

    async def confirm(request: Request) -> HTMLResponse:
        try:  # never buffer more than a form's worth
            body = await read_bounded(request, limit=MAX_FORM)
        except (BodyTooLarge, BadContentLength):
            return _page("Too large · 过大", "<p>Request too large.</p>", 413)
        from urllib.parse import parse_qs

        fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        number, user, _ = params(fields)
        if number is None:
            return _page("Link not valid · 链接无效", "<p>This acknowledgement link is not valid."
                         "<br>此确认链接无效。</p>", 403)
        try:
            roles = await asyncio.to_thread(acknowledge, number, user)
        except DomainError as exc:
            return _page("Not recorded · 未记录", f"<p>{escape(exc.message)}</p>", 409)
        except Exception:  # a database blip: say so, never a 500
            log.exception("acknowledgement by link not recorded")
            return _page("Try again · 请重试", "<p>Not recorded; please try again in a minute."
                         "<br>未记录，请稍后重试。</p>", 503)
        if roles:
            said = ", ".join(escape(r) for r in roles)
            return _page("Acknowledged · 已确认", f"<p>INC-{number}: thank you, recorded ({said})."
                         "<br>已记录，谢谢。Join the Slack channel · 请加入 Slack 频道。</p>")
        return _page("Nothing waiting · 无待确认", f"<p>INC-{number}: nothing of yours is waiting "
                     "(already acknowledged?).<br>没有待您确认的呼叫。</p>")

    return [Route("/pages/ack", show, methods=["GET"]),
            Route("/pages/ack", confirm, methods=["POST"])]
