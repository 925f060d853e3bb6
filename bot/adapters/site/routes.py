"""The dark site served by ``crisisbot serve``: ``<path>`` (the page, language negotiated),
``<path>en/``, ``<path>zh/``, ``<path>feed.atom`` and ``<path>feed.json``.

Reads go through :func:`~bot.adapters.site.query.site_statements`; a rendering is kept until
the timeline grows or the minute changes, so a crowd of readers costs one query each. If the
database fails, the last good rendering is served: in a crisis the page must stay up.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import Engine, func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from bot.adapters.db.models import TimelineRow
from bot.adapters.site.config import DarkSiteConfig
from bot.adapters.site.feeds import atom_feed, json_feed
from bot.adapters.site.model import Notice
from bot.adapters.site.query import site_statements
from bot.adapters.site.render import content_security_policy, render_page
from bot.adapters.site.zones import reader_lang, reader_zone
from bot.domain.severity import SeverityPolicy

log = logging.getLogger(__name__)

#: Readers and CDNs may keep a page this long; a crisis page must not go stale for longer.
MAX_AGE = 60
#: Rendered variants kept (languages × zones × feeds); past it the cache starts over.
_MAX_BODIES = 256


@dataclass
class DarkSite:
    engine: Engine
    policy: SeverityPolicy
    config: DarkSiteConfig
    clock: Callable[[], datetime]

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, str], list[Notice]] | None = None
        #: Rendered bodies of the current notices, by (kind, language, zone, …); emptied
        #: whenever the notices are read again.
        self._bodies: dict[tuple[str, ...], bytes] = {}

    def body(self, now: datetime, variant: tuple[str, ...],
             build: Callable[[list[Notice]], bytes]) -> bytes:
        """``build(notices)``, built once per version of the notices and ``variant``."""
        notices = self.notices(now)
        with self._lock:
            cached = self._bodies.get(variant)
        if cached is not None:
            return cached
        body = build(notices)
        with self._lock:
            if self._cached is not None and self._cached[1] is notices:
                if len(self._bodies) >= _MAX_BODIES:
                    self._bodies.clear()
                self._bodies[variant] = body
        return body

    def notices(self, now: datetime) -> list[Notice]:
        """The notices as of ``now``; the last good ones when the database cannot answer."""
        try:
            with self.engine.connect() as conn:
                head = conn.execute(select(func.max(TimelineRow.id))).scalar() or 0
            key = (int(head), now.strftime("%Y%m%d%H%M"))
            with self._lock:
                if self._cached is not None and self._cached[0] == key:
                    return self._cached[1]
            notices = site_statements(self.engine, policy=self.policy, now=now,
                                      audiences=self.config.audiences,
                                      keep_days=self.config.keep_days)
        except Exception:
            log.exception("dark site: reading the statements failed; serving the last good page")
            with self._lock:
                if self._cached is None:
                    raise
                return self._cached[1]
        with self._lock:
            self._cached = (key, notices)
            self._bodies.clear()
        return notices

    def routes(self) -> list[BaseRoute]:
        inner = [
            Route("/", self._page, methods=["GET"]),
            Route("/en/", self._page, methods=["GET"]),
            Route("/zh/", self._page, methods=["GET"]),
            Route("/feed.atom", self._feed, methods=["GET"]),
            Route("/feed.json", self._feed, methods=["GET"]),
        ]
        return [Mount(self.config.path.rstrip("/") or "", routes=inner)]

    # ------------------------------------------------------------------ handlers

    def _host_matches(self, request: Request) -> bool:
        if not self.config.host:
            return True
        host = request.headers.get("host", "").rsplit(":", 1)[0].strip().lower()
        return host == self.config.host

    async def _page(self, request: Request) -> Response:
        if not self._host_matches(request):
            return _not_found()
        sub = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        explicit = sub if sub in ("en", "zh") else None
        lang = explicit or reader_lang(request.query_params.get("lang"),
                                       request.headers.get("accept-language"))
        zone = reader_zone(request.query_params.get("tz"), request.headers.get("accept-language"),
                           self.config.zone)
        tz_given = request.query_params.get("tz") == zone
        now = self.clock()
        root, keep = ("../" if explicit else ""), (f"?tz={quote(zone, safe='/')}" if tz_given else "")

        def build(notices: list[Notice]) -> bytes:
            return render_page(notices=notices, config=self.config, lang=lang, zone=zone,
                               now=now, root=root, live=True, keep_query=keep).encode("utf-8")

        try:
            body = await asyncio.to_thread(self.body, now, ("page", lang, zone, root, keep), build)
        except Exception:
            log.exception("dark site: the page could not be built")
            return _unavailable()
        # The language and the zone both follow Accept-Language unless the path and ``?tz=``
        # pin them: a shared cache must then key on the header (or one reader's zone is shown to all).
        vary = None if (explicit and tz_given) else "Accept-Language"
        return _cached(request, body, "text/html; charset=utf-8", vary=vary,
                       csp=content_security_policy())

    async def _feed(self, request: Request) -> Response:
        if not self._host_matches(request):
            return _not_found()
        atom = request.url.path.endswith(".atom")
        base = self.config.base_url or str(request.url.replace(query="", fragment="")
                                           ).rsplit("/", 1)[0] + "/"
        now = self.clock()
        feed = atom_feed if atom else json_feed

        def build(notices: list[Notice]) -> bytes:
            return feed(notices=notices, config=self.config, base=base, now=now)

        try:
            body = await asyncio.to_thread(self.body, now, ("atom" if atom else "json", base), build)
        except Exception:
            log.exception("dark site: the feed could not be built")
            return _unavailable()
        media = "application/atom+xml; charset=utf-8" if atom else "application/feed+json; charset=utf-8"
        return _cached(request, body, media, vary=None, csp="default-src 'none'")


def _headers(csp: str) -> dict[str, str]:
    return {
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
    }


def _cached(request: Request, body: bytes, media: str, *, vary: str | None, csp: str) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {**_headers(csp), "cache-control": f"public, max-age={MAX_AGE}", "etag": etag}
    if vary:
        headers["vary"] = vary
    given = request.headers.get("if-none-match", "")
    if etag in [tag.strip() for tag in given.split(",")] or given.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)


def _not_found() -> Response:
    return Response("Not Found", status_code=404, media_type="text/plain; charset=utf-8",
                    headers=_headers("default-src 'none'"))


def _unavailable() -> Response:
    return Response("The notices are briefly unavailable; please try again in a minute.\n"
                    "公告暂时无法显示，请稍后再试。", status_code=503,
                    media_type="text/plain; charset=utf-8",
                    headers={**_headers("default-src 'none'"), "retry-after": "30",
                             "cache-control": "no-store"})
