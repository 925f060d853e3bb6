"""Slack user ids as people: ``<@U…>`` mentions in Slack, display names in files.

:class:`UserNames` asks a lookup (the bot wires Slack's ``users.info``) once per user and
caches the answer; a user it cannot look up keeps a readable fallback, never a bare id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

#: ``system:<name>`` actors (the bot itself) as words.
SYSTEM_ACTORS: dict[str, tuple[str, str]] = {
    "monitor": ("crisisbot (monitor)", "crisisbot（监控）"),
    "scheduler": ("crisisbot (scheduler)", "crisisbot（定时任务）"),
    "cli": ("crisisbot (command line)", "crisisbot（命令行）"),
    "demo": ("crisisbot (demo)", "crisisbot（演示）"),
}


def mention(user: str) -> str:
    """A Slack mention for a user id (``<@U123>``); system actors as plain words."""
    if user.startswith("system:"):
        return system_actor(user)
    return f"<@{user}>"


def system_actor(actor: str, lang: str = "en") -> str:
    name = actor.removeprefix("system:")
    words = SYSTEM_ACTORS.get(name)
    if words:
        return words[1] if lang == "zh" else words[0]
    return f"crisisbot ({name})"


Lookup = Callable[[str], dict[str, Any] | None]


class UserNames:
    """Display names of Slack users, looked up once each (``lookup`` returns the ``user``
    object of ``users.info``, or ``None``) and cached for the life of the object."""

    def __init__(self, lookup: Lookup | None = None, *, known: dict[str, str] | None = None) -> None:
        self._lookup = lookup
        self._cache: dict[str, str] = dict(known or {})
        self._lock = threading.Lock()

    def name(self, actor: str | None, lang: str = "en") -> str:
        """``UOMAR`` → ``Omar Haddad``; ``system:monitor`` → ``crisisbot (monitor)``;
        ``monitor:social-mentions`` → ``monitor social-mentions``."""
        if not actor:
            return "—"
        if actor.startswith("system:"):
            return system_actor(actor, lang)
        if actor.startswith("monitor:"):
            return ("监控 " if lang == "zh" else "monitor ") + actor.removeprefix("monitor:")
        with self._lock:
            cached = self._cache.get(actor)
        if cached is not None:
            return cached
        found = self._fetch(actor)
        with self._lock:
            self._cache[actor] = found
        return found

    def _fetch(self, user: str) -> str:
        if self._lookup is not None:
            try:
                info = self._lookup(user) or {}
            except Exception:  # noqa: BLE001 - a name is cosmetic; the report must still render
                info = {}
            profile = info.get("profile") or {}
            for candidate in (profile.get("display_name"), profile.get("real_name"),
                              info.get("real_name"), info.get("name")):
                if candidate and str(candidate).strip():
                    return " ".join(str(candidate).split())
        return "a team member" if not user.isalnum() else f"user {user[-4:].lower()}"
