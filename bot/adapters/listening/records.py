"""Raw post records -> posts, one clear error per bad record.

A record is a JSON object (``POST /monitors/posts``, a JSON export) or a CSV row (an export
file) with these fields:

| field | | |
|---|---|---|
| ``id`` | required | the platform's post id |
| ``platform`` | required | weibo, douyin, xiaohongshu, x, … (lower-cased) |
| ``text`` | required | up to 10,000 characters |
| ``posted_at`` | required | ISO-8601 with a zone (``Z``, ``+08:00``) |
| ``author`` | required | the account |
| ``lang`` | optional | ``zh`` (zh-Hans, zh-Hant, zh-TW, zh-HK) or ``en``; detected when absent |
| ``url`` | optional | http(s) link to the post |
| ``followers``, ``reposts``, ``comments``, ``likes`` | optional | whole numbers ≥ 0 |
| ``repost_of`` | optional | the id of the post it reposts, on the same platform |

Records become unclassified :class:`~bot.domain.listening.Post` objects. A bad record never
stops the others: :func:`parse_records` returns the good ones and an
error per bad one (``posts[3].posted_at: …`` or ``export.csv:5: …``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.listening import Post, detect_language

MAX_TEXT = 10_000
MAX_RECORDS = 5_000
REQUIRED = ("id", "platform", "text", "posted_at", "author")
NUMBERS = ("followers", "reposts", "comments", "likes")
FIELDS = (*REQUIRED, "lang", "url", *NUMBERS, "repost_of")
_LANGS = {"zh": "zh", "zh-hans": "zh", "zh-cn": "zh", "zh-hant": "zh", "zh-tw": "zh", "zh-hk": "zh",
          "en": "en", "en-us": "en", "en-gb": "en"}


@dataclass(frozen=True)
class RecordError:
    index: int
    id: str | None
    error: str

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "id": None if self.id is None else _printable(self.id),
                "error": _printable(self.error)}


def _printable(text: str) -> str:
    """``text`` that encodes as UTF-8 (a lone surrogate sent as ``\\ud800`` is shown escaped)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _encodable(value: str, where: str) -> str:
    """Refuse what no database stores: a lone surrogate (``\\ud800`` in JSON)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordProblem(f"{where} is not valid Unicode (a lone surrogate)") from None
    return value


class RecordProblem(ValueError):
    pass


def parse_records(records: Sequence[Any], *, where: str = "posts",
                  locate: Any = None) -> tuple[list[Post], list[RecordError]]:
    """Good posts and one error per bad record. ``locate(i)`` names record ``i`` in errors
    (default ``posts[i]``)."""
    good: list[Post] = []
    bad: list[RecordError] = []
    for i, record in enumerate(records):
        name = locate(i) if locate else f"{where}[{i}]"
        try:
            good.append(parse_record(record, name))
        except RecordProblem as exc:
            ident = record.get("id") if isinstance(record, dict) else None
            bad.append(RecordError(i, None if ident is None else str(ident)[:100], str(exc)))
    return good, bad


def parse_record(record: Any, name: str) -> Post:
    if not isinstance(record, dict):
        raise RecordProblem(f"{name}: must be an object with {', '.join(REQUIRED)}")
    unknown = sorted(set(map(str, record)) - set(FIELDS))
    if unknown:
        raise RecordProblem(f"{name}: unknown field(s) {', '.join(unknown)[:120]}; "
                            f"known: {', '.join(FIELDS)}")
    for key in REQUIRED:
        value = record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise RecordProblem(f"{name}.{key} is missing")
    ident = _ident(record["id"], f"{name}.id")
    platform = _string(record["platform"], f"{name}.platform", 60).lower()
    text = _string(record["text"], f"{name}.text", MAX_TEXT)
    author = _string(record["author"], f"{name}.author", 200)
    posted_at = _when(record["posted_at"], f"{name}.posted_at")
    lang = record.get("lang")
    if lang in (None, ""):
        lang = detect_language(text)
    else:
        lang = _LANGS.get(str(lang).strip().lower())
        if lang is None:
            raise RecordProblem(f"{name}.lang must be zh (zh-Hans, zh-Hant, zh-TW, zh-HK) or en, "
                                f"not {str(record['lang'])[:20]!r}; leave it out to detect it")
    url = record.get("url") or ""
    if (not isinstance(url, str) or (url and not url.startswith(("http://", "https://")))
            or len(url) > 2000 or "\x00" in url):
        raise RecordProblem(f"{name}.url must be an http(s) link")
    _encodable(url, f"{name}.url")
    numbers = {key: _count(record.get(key), f"{name}.{key}") for key in NUMBERS}
    repost = record.get("repost_of")
    repost_key = f"{platform}:{_ident(repost, f'{name}.repost_of')}" if repost not in (None, "") else None
    return Post(key=f"{platform}:{ident}", platform=platform, text=text, author=author,
                   posted_at=posted_at, lang=lang, url=url, repost_of=repost_key, **numbers)


def _ident(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordProblem(f"{where} must be a string or a whole number")
    text = _encodable(str(value), where).strip()
    if "\x00" in text:
        raise RecordProblem(f"{where} must not contain NUL bytes")
    if not text or len(text) > 200:
        raise RecordProblem(f"{where} must be 1 to 200 characters")
    return text


def _string(value: Any, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise RecordProblem(f"{where} must be a string")
    value = _encodable(value, where).replace("\x00", "").strip()
    if len(value) > limit:
        raise RecordProblem(f"{where} is longer than {limit} characters")
    return value


def _count(value: Any, where: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 10**12:
        raise RecordProblem(f"{where} must be a whole number ≥ 0")
    return value


def _when(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise RecordProblem(f"{where} must be an ISO-8601 time, e.g. 2026-11-30T08:00:00Z")
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise RecordProblem(f"{where}: {value[:40]!r} is not an ISO-8601 time") from None
    if when.tzinfo is None:
        raise RecordProblem(f"{where} needs a time zone, e.g. 2026-11-30T08:00:00Z or +08:00")
    return when


def records_from_json(data: Any, *, where: str = "posts") -> list[Any]:
    """``[...]`` or ``{"posts": [...]}``; raises :class:`RecordProblem` for anything else."""
    if isinstance(data, dict) and set(data) == {"posts"}:
        data = data["posts"]
    if not isinstance(data, list):
        raise RecordProblem('the body must be a list of posts or {"posts": [...]}')
    if not data:
        raise RecordProblem("the list of posts is empty")
    if len(data) > MAX_RECORDS:
        raise RecordProblem(f"at most {MAX_RECORDS} posts per request, got {len(data)}")
    return data


def parse_csv(text: str, *, source: str) -> tuple[list[Post], list[RecordError]]:
    """A CSV export with a header row of the field names; errors name ``source:line``."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise RecordProblem(f"{source}:1: the header lacks {', '.join(missing)}")
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for row in reader:
        rows.append({k: v for k, v in row.items() if k is not None and v not in (None, "")})
        lines.append(reader.line_num)
    return parse_records(rows, locate=lambda i: f"{source}:{lines[i]}")
