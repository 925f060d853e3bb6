"""The ``dark_site:`` section of the site config: where the crisis dark site is served and what
it shows.

```yaml
dark_site:
  path: /news/                      # served by `crisisbot serve` under this path
  host: news.acme.example           # optional: answer only for this Host header
  base_url: https://news.acme.example/news/   # optional: absolute links in the feeds
  title: {en: "Acme Shop notices", zh: "Acme 商城公告"}
  contacts:                         # default: company.contact and company.press_contact
    - {en: "Customer service: 400-800-1234", zh: "客服热线：400-800-1234"}
    - "press@acme.example"
  audiences: [customers, media]     # whose published statements are shown
  zone: Asia/Shanghai               # times shown in this zone unless the reader picks one
  keep_days: 30                     # a resolved incident's notices stay this long
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import InvalidInput
from bot.domain.statements import AUDIENCES


@dataclass(frozen=True)
class Contact:
    """One contact channel, in English and Chinese (the same text when given once)."""

    en: str
    zh: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class DarkSiteConfig:
    path: str = "/news/"
    host: str | None = None
    base_url: str | None = None
    title_en: str = ""
    title_zh: str = ""
    contacts: tuple[Contact, ...] = ()
    audiences: tuple[str, ...] = ("customers", "media")
    zone: str = "Asia/Shanghai"
    keep_days: int = 30
    #: Whether the section was given at all (the site is served either way: it is dormant
    #: until a statement is published).
    configured: bool = False

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


KNOWN = frozenset({"path", "host", "base_url", "title", "contacts", "audiences", "zone",
                   "keep_days"})


def parse_dark_site(data: Any, *, source: str = "site config", company: str = "",
                    contact: str = "", press_contact: str = "") -> DarkSiteConfig:
    """Validate the ``dark_site:`` section; each problem is one :class:`InvalidInput` line."""
    where = f"{source}: dark_site"
    defaults = _default_contacts(contact, press_contact)
    name = company or "Our company"
    if data is None:
        return DarkSiteConfig(title_en=f"{name}: notices", title_zh=f"{name}：公告",
                              contacts=defaults)
    if not isinstance(data, dict):
        raise InvalidInput(f"{where} must be a mapping, e.g. `dark_site: {{path: /news/}}`")
    unknown = sorted(set(map(str, data)) - KNOWN)
    if unknown:
        raise InvalidInput(f"{where}: unknown setting(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(KNOWN))}")
    path = str(data.get("path") or "/news/").strip()
    if not path.startswith("/") or any(c in path for c in "?#\\ ") or "//" in path or ".." in path:
        raise InvalidInput(f"{where}.path must be a URL path such as /news/, not `{path}`")
    path = path.rstrip("/") + "/"
    host = data.get("host")
    if host is not None and (not isinstance(host, str) or not host.strip()
                             or any(c in host for c in "/ ?#@")):
        raise InvalidInput(f"{where}.host must be a host name such as news.acme.example")
    base_url = data.get("base_url")
    if base_url is not None:
        base_url = str(base_url).strip()
        if not base_url.startswith(("https://", "http://")):
            raise InvalidInput(f"{where}.base_url must be an absolute http(s) URL")
        base_url = base_url.rstrip("/") + "/"
    title_en, title_zh = _bilingual(data.get("title"), f"{where}.title")
    audiences = data.get("audiences", ["customers", "media"])
    if isinstance(audiences, str):
        audiences = [audiences]
    if not isinstance(audiences, list) or not audiences or any(a not in AUDIENCES for a in audiences):
        raise InvalidInput(f"{where}.audiences must be a list of {', '.join(AUDIENCES)}")
    zone = str(data.get("zone") or "Asia/Shanghai")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{where}.zone: `{zone}` is not a time zone (e.g. Asia/Shanghai)") from None
    keep = data.get("keep_days", 30)
    if isinstance(keep, bool) or not isinstance(keep, int) or not 0 <= keep <= 3650:
        raise InvalidInput(f"{where}.keep_days must be a whole number of days (0–3650)")
    contacts = defaults
    if "contacts" in data:
        raw = data["contacts"]
        if not isinstance(raw, list):
            raise InvalidInput(f"{where}.contacts must be a list of texts or {{en: ..., zh: ...}}")
        contacts = tuple(Contact(*_bilingual(item, f"{where}.contacts[{i}]"))
                         for i, item in enumerate(raw))
    return DarkSiteConfig(
        path=path, host=host.strip().lower() if isinstance(host, str) else None,
        base_url=base_url, title_en=title_en or f"{name}: notices",
        title_zh=title_zh or f"{name}：公告", contacts=contacts,
        audiences=tuple(dict.fromkeys(audiences)), zone=zone, keep_days=keep, configured=True,
    )


def _bilingual(value: Any, where: str) -> tuple[str, str]:
    if value is None:
        return ("", "")
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value).strip()
        return (text, text)
    if isinstance(value, dict) and value and set(map(str, value)) <= {"en", "zh"}:
        en, zh = str(value.get("en") or "").strip(), str(value.get("zh") or "").strip()
        return (en or zh, zh or en)
    raise InvalidInput(f"{where} must be a text or {{en: ..., zh: ...}}")


def _default_contacts(contact: str, press: str) -> tuple[Contact, ...]:
    found = []
    if contact:
        found.append(Contact(f"Customer service: {contact}", f"客户服务：{contact}"))
    if press:
        found.append(Contact(f"Media enquiries: {press}", f"媒体垂询：{press}"))
    return tuple(found)
