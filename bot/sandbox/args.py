"""Argument access and error signalling shared by the emulated Web API methods."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class SlackError(Exception):
    """Aborts a method call with a Slack error code (``{"ok": false, "error": code}``).

    ``extra`` is merged into the response body, e.g. the per-user ``errors`` list of
    ``conversations.invite``.
    """

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


class Args:
    """Typed read access to a request's arguments.

    Slack accepts the same argument either as a form field (always a string, with
    structured values JSON-encoded) or as a JSON body value (native types), so every
    accessor normalises both spellings.
    """

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = dict(raw)

    def get_str(self, name: str, *, missing: str | None = None) -> str | None:
        """Return the argument as a string; raise ``SlackError(missing)`` if it is absent."""
        value = self.raw.get(name)
        if value is None or value == "":
            if missing is not None:
                raise SlackError(missing)
            return None
        return value if isinstance(value, str) else str(value)

    def require(self, name: str, *, missing: str = "invalid_arguments") -> str:
        """Return a mandatory string argument or fail with ``missing``."""
        value = self.get_str(name)
        if value is None:
            raise SlackError(missing)
        return value

    def get_bool(self, name: str, *, default: bool = False) -> bool:
        """Return a boolean argument; form encoding sends ``"1"``/``"0"`` or ``"true"``."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true", "yes")

    def get_int(self, name: str, *, default: int) -> int:
        """Return an integer argument; a malformed number is ``invalid_arguments``."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None

    def get_json(self, name: str, *, invalid: str = "invalid_arguments") -> Any:
        """Return a structured argument, decoding it when it arrived as a JSON string."""
        value = self.raw.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise SlackError(invalid) from None

    def get_list(self, name: str) -> list[str]:
        """Return a comma-separated argument (or a JSON array) as a list of strings."""
        value = self.raw.get(name)
        if isinstance(value, list):
            return [str(item) for item in value]
        if not value:
            return []
        return [part.strip() for part in str(value).split(",") if part.strip()]


def paginate(items: Sequence[T], args: Args, *, default_limit: int = 100) -> tuple[list[T], str]:
    """Slice ``items`` by the request's ``cursor``/``limit``; return the page and next cursor.

    Cursors are opaque base64 strings like Slack's, encoding the next offset; the last
    page has an empty ``next_cursor``.
    """
    limit = args.get_int("limit", default=default_limit)
    if limit <= 0:
        limit = default_limit
    cursor = args.get_str("cursor")
    offset = 0
    if cursor:
        try:
            offset = int(base64.b64decode(cursor).decode().removeprefix("next:"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise SlackError("invalid_cursor") from None
    page = list(items[offset : offset + limit])
    end = offset + limit
    next_cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return page, next_cursor
