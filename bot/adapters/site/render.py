"""The dark site's HTML: one sandboxed, autoescaping Jinja template, no JavaScript.

The stylesheet is inlined and allowed by its hash in the Content-Security-Policy, so the page
loads nothing else and runs no script at all.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.adapters.rendering.formatting.dates import ZONE_NAMES, format_datetime
from bot.adapters.rendering.jinja_env import build_environment, render
from bot.adapters.site.config import DarkSiteConfig
from bot.adapters.site.model import Notice
from bot.adapters.site.wording import audience_heading, audience_word, kind_word, lang_word, word
from bot.adapters.site.zones import PICKER

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _env():
    return build_environment(directory=TEMPLATES, autoescape=True)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATES / "site.css").read_text(encoding="utf-8").strip()


def content_security_policy() -> str:
    digest = base64.b64encode(hashlib.sha256(stylesheet().encode()).digest()).decode()
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def render_page(
    *, notices: Sequence[Notice], config: DarkSiteConfig, lang: str, zone: str, now: datetime,
    root: str = "", live: bool = True, keep_query: str = "",
) -> str:
    """The page in UI language ``lang`` (``en``/``zh``) with times in ``zone``. ``root`` is the
    relative way back to the site's root (``""`` or ``"../"``), so the same links work when
    served and when exported; ``live`` adds the zone picker (a GET form)."""
    zone_info = ZoneInfo(zone)

    def when(at: datetime) -> str:
        return format_datetime(at, zone=zone_info, lang=lang)

    def day(at: datetime) -> str:  # the date part of ``when``: 2026年11月19日 / 19 November 2026
        return when(at).split(" ")[0] if lang == "zh" else when(at).split(",")[0]

    names = ZONE_NAMES.get(zone)
    zone_name = (names[1] if lang == "zh" else names[0]) + f" ({zone})" if names else zone
    # The stylesheet is our own file (hashed into the CSP), so it is not escaped.
    return render(_env(), "page.html.j2", {
        "notices": list(notices), "lang": lang, "html_lang": "zh-Hans" if lang == "zh" else "en",
        "title": config.title(lang), "contacts": [c.text(lang) for c in config.contacts],
        "css": Markup(stylesheet()), "root": root, "live": live, "zone": zone, "zone_name": zone_name,
        "zones": list(PICKER) if zone in PICKER else [zone, *PICKER],
        "now": now, "keep_query": keep_query,
        "w": lambda key: word(key, lang), "aw": lambda a: audience_word(a, lang),
        "ah": lambda a: audience_heading(a, lang),
        "kw": lambda k: kind_word(k, lang), "lw": lambda code: lang_word(code, lang),
        "when": when, "day": day, "iso": iso,
    })


def iso(at: datetime) -> str:
    """RFC 3339 in UTC (``2026-11-30T08:15:00Z``)."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
