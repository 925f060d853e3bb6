"""Parses the words after ``/crisis statement`` (the :class:`~commands.Statement` command).

``/crisis statement <audience> [kind] [lang]`` drafts (kind and language in any order, holding
and English by default); ``submit|approve|show <id>``, ``reject <id> <reason>``,
``publish <id> [channel]``, ``edit <id> <text>`` and ``correct <id> <reason>`` act on
statement ``#id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.adapters.slack import commands as c
from bot.adapters.slack import messages as msg
from bot.adapters.slack.commands import _plain as plain_text
from bot.domain.errors import InvalidInput
from bot.domain.statements import AUDIENCES, KINDS, LANGS

_ID = re.compile(r"#?([0-9]{1,9})")
_LANG_ALIASES = {
    "en": "en",
    "english": "en",
    "zh": "zh",
    "cn": "zh",
    "chinese": "zh",
    "zh-hans": "zh",
    "中文": "zh",
    "zh-hant": "zh-Hant",
    "繁體": "zh-Hant",
    "zh-hk": "zh-HK",
    "zh-tw": "zh-TW",
}
VERBS = ("submit", "approve", "reject", "publish", "show", "edit", "correct")


@dataclass(frozen=True)
class DraftStatement:
    incident: int | None
    audience: str
    kind: str = "holding"
    lang: str = "en"


@dataclass(frozen=True)
class StatementAction:
    """``verb`` is one of :data:`VERBS` (or ``list``, with ``statement_id`` 0); ``text`` is the
    reason, channel or new text."""

    incident: int | None
    verb: str
    statement_id: int
    text: str = ""


def parse_statement(command: c.Statement) -> DraftStatement | StatementAction:
    args = [plain_text(a) for a in command.args]
    if not args:
        raise InvalidInput(msg.STATEMENT_USAGE)
    first = args[0].lower()
    if first == "list":
        if len(args) > 1:
            raise InvalidInput("`/crisis statement list` takes nothing after it.")
        return StatementAction(command.incident, "list", 0)
    if first in VERBS:
        if len(args) < 2 or not _ID.fullmatch(args[1]) or int(_ID.fullmatch(args[1]).group(1)) < 1:
            raise InvalidInput(
                f"`/crisis statement {first}` needs a statement number, e.g. "
                f"`/crisis statement {first} 2`."
            )
        statement_id = int(_ID.fullmatch(args[1]).group(1))
        rest = _rest(command.text, 2)
        if first in ("submit", "approve", "show") and rest:
            raise InvalidInput(
                f"`/crisis statement {first} {statement_id}` takes nothing after "
                f"the number (got {msg.code(rest)})."
            )
        if first == "reject" and not rest:
            raise InvalidInput(
                "Say why, e.g. `/crisis statement reject 2 the refund date is not confirmed`."
            )
        if first == "edit" and not rest:
            raise InvalidInput(
                "Give the new text, e.g. `/crisis statement edit 2 <new text>`; or "
                "use the Edit button on the statement."
            )
        if first == "correct" and not rest:
            raise InvalidInput(
                "Say what was wrong, e.g. `/crisis statement correct 2 the refund date is 3 Dec`."
            )
        return StatementAction(command.incident, first, statement_id, rest)
    audience = first if first in AUDIENCES else f"{first}s" if f"{first}s" in AUDIENCES else ""
    if not audience:
        raise InvalidInput(
            f"{msg.code(args[0])} is not an audience or statement action. " + msg.STATEMENT_USAGE
        )
    kind, lang = "holding", "en"
    seen: set[str] = set()
    for word in args[1:]:
        low = word.lower()
        if low in KINDS and "kind" not in seen:
            kind = low
            seen.add("kind")
        elif low in _LANG_ALIASES and "lang" not in seen:
            lang = _LANG_ALIASES[low]
            seen.add("lang")
        else:
            raise InvalidInput(
                f"Unexpected {msg.code(word)}: the kind is one of "
                f"{', '.join(KINDS)} and the language one of {', '.join(LANGS)}, e.g. "
                f"`/crisis statement {audience} holding zh`."
            )
    assert lang in LANGS
    return DraftStatement(command.incident, audience, kind, lang)


def _rest(raw: str, skip: int) -> str:
    """The raw text after the first ``skip`` words, back in the form the person typed."""
    parts = raw.strip().split(None, skip)
    return plain_text(parts[skip]) if len(parts) > skip else ""
