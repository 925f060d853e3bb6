"""The ``listening:`` section of the site config.

```yaml
listening:
  keywords:                       # the three-level library; both Chinese scripts match
    brand:
      - {term: Acme, aliases: [艾克美, 艾克美商城], exclude: [Acme Anvil]}
    competitor:
      - {term: Globex, aliases: [格洛贝]}
    industry: [moisturiser, 保湿霜, 面霜]
  kol_followers: 100000           # an author with this many followers is a KOL
  kol_pool:                       # friendly KOLs to brief in a crisis
    - {name: Lily Beauty Lab, platform: weibo, handle: lilylab, contact: "lily@agency.example", quota: 2}
  brief_within: 2h                # deadline of the "brief the KOL pool" task
  digest_every: 1h                # "what people are saying" in each open incident channel
  digest_top: 5                   # top posts by reach in a digest
  lang: en                        # wording of digests and callouts: en or zh
  evaluate_every: 30s             # rules run at most this often after posts arrive (0: always)
  rules:                          # signal rules over the post series (see series.py)
    - name: listening-negative-brand
      metric: negative_brand
      rule: {kind: change, window: 24h, pct: 300}
      title: Negative brand mentions surging
      crisis_type: brand_reputation
      severity: S
  sources:                        # polled exports (JSON or CSV), URL or file
    - {name: weibo-export, path: exports/weibo.csv, interval: 5m}
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.adapters.listening.keywords import Entry, entries_from_config
from bot.adapters.monitors.config import RuleSpec, SourceSpec, _duration, _labels, _rule, _severity
from bot.domain.errors import InvalidInput
from bot.domain.listening import KolContact as Kol

#: Series the rules may name (``series.py``); ``competitor:<name>`` and
#: ``competitor_sentiment:<name>`` exist per competitor of the library.
METRICS = ("brand", "negative_brand", "negative_reach_share", "competitor",
           "competitor_negative", "competitor_sentiment", "industry", "posts")


@dataclass(frozen=True)
class PostSource:
    name: str
    url: str | None = None
    path: Path | None = None
    interval: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class ListeningConfig:
    keywords: tuple[Entry, ...] = ()
    kol_followers: int = 100_000
    kol_pool: tuple[Kol, ...] = ()
    brief_within: timedelta = timedelta(hours=2)
    digest_every: timedelta = timedelta(hours=1)
    digest_top: int = 5
    evaluate_every: timedelta = timedelta(seconds=30)
    rules: tuple[SourceSpec, ...] = ()
    sources: tuple[PostSource, ...] = ()
    #: Wording of digests and callouts: en or zh.
    lang: str = "en"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.keywords or self.rules or self.sources)


_KEYS = frozenset({"keywords", "kol_followers", "kol_pool", "brief_within", "digest_every",
                   "digest_top", "evaluate_every", "rules", "sources", "lang"})


def parse_listening(data: Any, *, source: str = "site config", base: Path | None = None) -> ListeningConfig:
    """Parse the ``listening:`` mapping; problems raise :class:`InvalidInput` naming the key."""
    if data is None:
        return ListeningConfig()
    where = f"{source}: listening"
    if not isinstance(data, dict):
        raise InvalidInput(f"{where} must be a mapping")
    unknown = sorted(set(map(str, data)) - _KEYS)
    if unknown:
        raise InvalidInput(f"{where}: unknown setting(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(_KEYS))}")
    try:
        keywords = entries_from_config(data.get("keywords"), where=f"{where}.keywords")
    except (TypeError, ValueError) as exc:
        raise InvalidInput(str(exc)) from None
    competitors = [e.name for e in keywords if e.cls == "competitor"]
    return ListeningConfig(
        keywords=keywords,
        kol_followers=_whole(data.get("kol_followers", 100_000), f"{where}.kol_followers"),
        kol_pool=tuple(_kol(k, f"{where}.kol_pool[{i}]") for i, k in enumerate(_list(data, "kol_pool", where))),
        brief_within=_duration(data.get("brief_within", "2h"), f"{where}.brief_within"),
        digest_every=_duration(data.get("digest_every", "1h"), f"{where}.digest_every"),
        digest_top=_whole(data.get("digest_top", 5), f"{where}.digest_top", low=1, high=10),
        evaluate_every=_every(data.get("evaluate_every", "30s"), f"{where}.evaluate_every"),
        rules=tuple(_rule_source(r, f"{where}.rules[{i}]", competitors)
                    for i, r in enumerate(_list(data, "rules", where))),
        sources=tuple(_source(s, f"{where}.sources[{i}]", base)
                      for i, s in enumerate(_list(data, "sources", where))),
        lang=_lang(data.get("lang", "en"), f"{where}.lang"),
        raw=data,
    )


def _lang(value: Any, where: str) -> str:
    if value not in ("en", "zh"):
        raise InvalidInput(f"{where} must be en or zh")
    return str(value)


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise InvalidInput(f"{where}.{key} must be a list")
    return value


def _every(value: Any, where: str) -> timedelta:
    """A duration, or 0 for "after every batch"."""
    if value in (0, "0", "0s"):
        return timedelta(0)
    return _duration(value, where)


def _whole(value: Any, where: str, *, low: int = 0, high: int = 10**12) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{where} must be a whole number from {low} to {high}")
    return value


def _kol(raw: Any, where: str) -> Kol:
    if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
        raise InvalidInput(f"{where} needs a name (and platform, handle, contact, quota)")
    unknown = sorted(set(map(str, raw)) - {"name", "platform", "handle", "contact", "quota"})
    if unknown:
        raise InvalidInput(f"{where}: unknown key(s) {', '.join(unknown)}")
    return Kol(name=str(raw["name"]).strip(), platform=str(raw.get("platform") or ""),
               handle=str(raw.get("handle") or "").lstrip("@"), contact=str(raw.get("contact") or ""),
               quota=_whole(raw.get("quota", 1), f"{where}.quota", low=0, high=1000))


def _rule_source(raw: Any, where: str, competitors: list[str]) -> SourceSpec:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} must be a mapping")
    name, metric = raw.get("name"), raw.get("metric")
    if not name or not metric:
        raise InvalidInput(f"{where} needs name and metric")
    known = list(METRICS) + [f"{m}:{c}" for c in competitors for m in ("competitor", "competitor_sentiment")]
    if str(metric) not in known:
        raise InvalidInput(f"{where}.metric must be one of {', '.join(known)}")
    rule: RuleSpec = _rule(raw.get("rule"), f"{where}.rule")
    return SourceSpec(
        name=str(name), metric=str(metric), rule=rule, url=None, path=None,
        title=str(raw.get("title") or f"{name}: {metric}"),
        crisis_type=str(raw["crisis_type"]) if raw.get("crisis_type") else None,
        severity=_severity(raw.get("severity"), f"{where}.severity"),
        labels=_labels(raw.get("labels"), f"{where}.labels"),
    )


def _source(raw: Any, where: str, base: Path | None) -> PostSource:
    if not isinstance(raw, dict) or not raw.get("name"):
        raise InvalidInput(f"{where} needs a name and one of url or path")
    url, path = raw.get("url"), raw.get("path")
    if bool(url) == bool(path):
        raise InvalidInput(f"{where} needs exactly one of url or path")
    if url and not str(url).startswith(("http://", "https://")):
        raise InvalidInput(f"{where}.url must be an http(s) URL")
    resolved = Path(str(path)) if path else None
    if resolved is not None and not resolved.is_absolute() and base is not None:
        resolved = base / resolved
    return PostSource(name=str(raw["name"]), url=str(url) if url else None, path=resolved,
                      interval=_duration(raw.get("interval", "5m"), f"{where}.interval"))
