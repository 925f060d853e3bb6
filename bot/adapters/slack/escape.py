"""Make user text safe for Slack: no broadcasts, no mentions, no links it did not ask for.

Slack reads ``<…>`` as control sequences (``<!channel>``, ``<@U123>``, ``<#C123>``,
``<https://…|label>``) and wants ``&``, ``<`` and ``>`` written as entities. Every piece of text
that came from a person, a monitor or a playbook goes through :func:`escape_mrkdwn` (mrkdwn
fields, message ``text``) or :func:`plain_text_safe` (``plain_text`` objects) before it is put
in a message; the only mentions crisisbot writes are built by :func:`mention` and
:func:`channel_link` from ids it validated.
"""

from __future__ import annotations

import re

#: U+2060 WORD JOINER: invisible, and stops Slack from reading ``@channel`` as a broadcast.
WORD_JOINER = "\u2060"

_BROADCAST = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
_SAFE_URL = re.compile(r"https?://[^\s<>|]+")
_SPACE = re.compile(r"\s+")
ELLIPSIS = "…"


def escape_mrkdwn(text: str) -> str:
    """Escape ``&``, ``<``, ``>`` and neutralise ``@channel`` / ``@here`` / ``@everyone``.

    >>> escape_mrkdwn("<!channel> & @here")
    '&lt;!channel&gt; &amp; @\\u2060here'
    """
    text = "" if text is None else str(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@" + WORD_JOINER, text)


def plain_text_safe(text: str) -> str:
    """Make text safe for a ``plain_text`` object (headers, buttons, options, modal titles).

    Slack does not parse mentions in ``plain_text``, but whether it decodes entities there is
    not documented, so instead of ``&lt;`` (which might show literally) angle brackets become
    the look-alikes ``‹`` / ``›``; broadcast words are neutralised as in :func:`escape_mrkdwn`.
    """
    text = "" if text is None else str(text)
    text = text.replace("<", "\u2039").replace(">", "\u203a")
    return _BROADCAST.sub("@" + WORD_JOINER, text)


def mention(user_id: str | None) -> str:
    """``<@U123>`` for a Slack user id, ``_crisisbot (monitor)_`` for ``system:monitor``.

    Anything else (a name, a malformed id) is shown as escaped text, never as a mention.
    """
    if not user_id:
        return "_unknown_"
    user_id = str(user_id)
    if user_id.startswith("system:"):
        name = escape_mrkdwn(one_line(user_id[len("system:"):]))
        return f"_crisisbot ({name})_" if name else "_crisisbot_"
    if _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape_mrkdwn(one_line(user_id))


def is_user_id(value: str | None) -> bool:
    """True for Slack user ids (``U…`` / ``W…``) that :func:`mention` renders as mentions."""
    return bool(value) and _USER_ID.fullmatch(str(value)) is not None


def channel_link(channel_id: str | None) -> str:
    """``<#C123>`` for a channel id; any other text escaped (``#general`` stays plain)."""
    if channel_id and _CHANNEL_ID.fullmatch(str(channel_id)):
        return f"<#{channel_id}>"
    return escape_mrkdwn(one_line(channel_id or ""))


def link(url: str | None, label: str) -> str:
    """``<https://…|label>`` when ``url`` is a plain http(s) URL, else just the escaped label."""
    safe_label = escape_mrkdwn(one_line(label)).replace("|", "¦")
    if url and _SAFE_URL.fullmatch(str(url)):
        return f"<{escape_mrkdwn(url)}|{safe_label}>"
    return safe_label


def one_line(text: str | None) -> str:
    """Collapse all whitespace (newlines included) into single spaces."""
    return _SPACE.sub(" ", "" if text is None else str(text)).strip()


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Slack's limits (an emoji outside the Basic
    Multilingual Plane counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix(text: str, units: int) -> str:
    """The longest prefix of ``text`` of at most ``units`` UTF-16 units (never half a
    character)."""
    if utf16_len(text) <= units:
        return text
    total = 0
    for i, char in enumerate(text):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > units:
            return text[:i]
    return text


def truncate(text: str, limit: int) -> str:
    """Cut escaped mrkdwn to at most ``limit`` UTF-16 units, ending with ``…`` when cut.

    Never cuts inside an entity (``&amp;``) or a ``<…>`` sequence, so the result stays valid.
    The one truncation helper for mrkdwn: every Block Kit builder goes through it.
    """
    limit = max(1, int(limit))
    if utf16_len(text) <= limit:
        return text
    cut = _prefix(text, limit - len(ELLIPSIS))
    amp = cut.rfind("&")
    if amp > cut.rfind(";"):
        cut = cut[:amp]
    lt = cut.rfind("<")
    if lt > cut.rfind(">"):
        cut = cut[:lt]
    return cut + ELLIPSIS


def truncate_plain(text: str, limit: int) -> str:
    """Cut ``plain_text`` to ``limit`` UTF-16 units (no entities to protect there)."""
    limit = max(1, int(limit))
    return text if utf16_len(text) <= limit else _prefix(text, limit - len(ELLIPSIS)) + ELLIPSIS


def cut_plain(text: str, limit: int) -> str:
    """Plain text for fields Slack shows unformatted (channel topic and purpose): one line,
    cut at a character boundary to ``limit`` UTF-16 units, ``…`` when cut."""
    return truncate_plain(one_line(text), limit)
