"""Context-aware phrase matching for the statement lint: pure functions.

A flagged phrase found in a statement does not count when

- it sits inside an *allowed* phrase (``尽可能`` holds ``可能``; ``we will never ask for your
  password`` holds ``never``), including the required wording of the statement's kind (a breach
  notice must state the ``likely consequences`` / ``可能后果``);
- it is *negated* just before it, in the same clause (``we cannot guarantee``, ``并不保证``) —
  only for the rules that ask for it (absolute claims: denying a claim makes none);
- it is inside quotation marks in a sentence that denies what is quoted (``Posts saying the cream
  “may contain lead” are false``; ``网传“疑似含铅”的说法不实``).

>>> spans_found("We will do as much as possible.", ["possible"], Context(allow=("as much as possible",)))
[]
>>> spans_found("We cannot guarantee delivery.", ["guarantee"], Context(negations=("cannot",)))
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CLAUSE_END = re.compile(r"[.!?。！？；;:：\n]")
#: A negation stays within its clause: commas end it too.
_NEGATION_CLAUSE_END = re.compile(r"[.!?。！？；;:：,，、\n]")
_QUOTES = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|‘[^’]*’|\"[^\"]*\"|《[^》]*》")
#: How far before a phrase a negation may stand: Latin words, or Chinese characters.
NEGATION_WORDS = 6
NEGATION_CHARS = 6


@dataclass(frozen=True)
class Context:
    """What excuses a phrase: allowed phrases, negation words and denial words."""

    allow: tuple[str, ...] = ()
    negations: tuple[str, ...] = ()
    denials: tuple[str, ...] = ()


def _is_latin(phrase: str) -> bool:
    return phrase.isascii()


def occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    """Spans of ``phrase`` in ``text``: whole words for Latin phrases (any case), plain
    substrings for Chinese."""
    phrase = phrase.strip()
    if not phrase:
        return []
    folded = text.casefold()
    needle = phrase.casefold()
    if _is_latin(phrase):
        pattern = r"(?<![A-Za-z0-9])" + re.escape(needle) + r"(?![A-Za-z0-9])"
        return [(m.start(), m.end()) for m in re.finditer(pattern, folded)]
    spans, start = [], folded.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = folded.find(needle, start + 1)
    return spans


def _clause_start(text: str, at: int, pattern: re.Pattern[str] = _CLAUSE_END) -> int:
    start = 0
    for match in pattern.finditer(text, 0, at):
        start = match.end()
    return start


def _sentence(text: str, start: int, end: int) -> str:
    left = _clause_start(text, start)
    match = re.compile(r"[.!?。！？\n]").search(text, end)
    return text[left: match.end() if match else len(text)]


def _negated(text: str, start: int, negations: Iterable[str]) -> bool:
    before = text[_clause_start(text, start, _NEGATION_CLAUSE_END): start].casefold()
    words = re.findall(r"[a-z0-9'’]+", before)
    window_en = " ".join(words[-NEGATION_WORDS:])
    window_zh = before[-NEGATION_CHARS:]
    for word in negations:
        word = word.casefold()
        if _is_latin(word):
            if re.search(r"(?<![a-z0-9'])" + re.escape(word) + r"(?![a-z0-9'])", window_en):
                return True
        elif word in window_zh:
            return True
    return False


def _denied_quote(text: str, start: int, end: int, denials: Iterable[str]) -> bool:
    for quote in _QUOTES.finditer(text):
        if quote.start() <= start and end <= quote.end():
            sentence = _sentence(text, quote.start(), quote.end())
            rest = sentence.replace(quote.group(0), " ")
            return any(occurrences(rest, word) for word in denials)
    return False


def inside_quotes(text: str, phrase: str) -> bool:
    """Whether every occurrence of ``phrase`` in ``text`` stands inside quotation marks."""
    spans = occurrences(text, phrase)
    quotes = [(q.start(), q.end()) for q in _QUOTES.finditer(text)]
    return bool(spans) and all(any(a <= s and e <= b for a, b in quotes) for s, e in spans)


def spans_found(
    text: str, phrases: Iterable[str], context: Context, *, negatable: bool = False
) -> list[str]:
    """The phrases of ``phrases`` that occur in ``text`` at least once without an excuse."""
    allowed = [span for phrase in context.allow for span in occurrences(text, phrase)]
    found: list[str] = []
    for phrase in phrases:
        phrase = phrase.strip()
        if not phrase or phrase in found:
            continue
        for start, end in occurrences(text, phrase):
            if any(a <= start and end <= b for a, b in allowed):
                continue
            if negatable and _negated(text, start, context.negations):
                continue
            if _denied_quote(text, start, end, context.denials):
                continue
            found.append(phrase)
            break
    return found
