"""Traditional Chinese from Simplified, with OpenCC (the ``opencc`` package).

``zh-Hant`` uses OpenCC's standard Traditional characters (``s2t``), ``zh-HK`` Hong Kong forms
(``s2hk``) and ``zh-TW`` Taiwan forms with Taiwan phrases (``s2twp``: 软件 → 軟體, 网络 → 網路).
Statements are written once in Simplified Chinese (the ``zh`` templates and facts) and converted,
never kept as hand-made copies.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, overload

#: OpenCC configuration per converted language.
CONFIGS: dict[str, str] = {"zh-Hant": "s2t", "zh-HK": "s2hk", "zh-TW": "s2twp"}
CONVERTED: tuple[str, ...] = tuple(CONFIGS)


@cache
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def to_variant(text: str, lang: str) -> str:
    """``text`` (Simplified Chinese) in Chinese variant ``lang``; unchanged for ``zh``/``en``."""
    config = CONFIGS.get(lang)
    if not config or not text:
        return text
    return str(_converter(config).convert(text))


def all_scripts(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """``phrases`` plus their Traditional forms (every variant), without duplicates. OpenCC
    converts by phrase and context (尽可能 alone is 儘可能, inside a sentence 盡可能), so each phrase
    is converted whole and character by character."""
    out: list[str] = []
    for phrase in phrases:
        forms = [phrase]
        if not phrase.isascii():
            for lang in CONVERTED:
                forms.append(to_variant(phrase, lang))
                forms.append("".join(to_variant(ch, lang) for ch in phrase))
        for form in forms:
            if form not in out:
                out.append(form)
    return tuple(out)


class ScriptForms(Sequence[str]):
    """:func:`all_scripts` of ``phrases``, converted on first use: OpenCC's dictionaries
    (about 45 MB resident, never given back) load when a statement is first linted, not when
    the word lists are read at start-up. Compares equal to the tuple it stands for.

    >>> ScriptForms(("lowest price",)) == ("lowest price",)
    True
    """

    __slots__ = ("_forms", "_lock", "_phrases")

    def __init__(self, phrases: Sequence[str]) -> None:
        self._phrases = tuple(phrases)
        self._forms: tuple[str, ...] | None = None if any(
            not p.isascii() for p in self._phrases) else self._phrases
        self._lock = threading.Lock()

    def forms(self) -> tuple[str, ...]:
        forms = self._forms
        if forms is None:
            with self._lock:
                if self._forms is None:
                    self._forms = all_scripts(self._phrases)
                forms = self._forms
        return forms

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.forms()[index]

    def __len__(self) -> int:
        return len(self.forms())

    def __iter__(self) -> Iterator[str]:
        return iter(self.forms())

    def __contains__(self, item: object) -> bool:
        return item in self.forms()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ScriptForms):
            return self.forms() == other.forms()
        if isinstance(other, tuple):
            return self.forms() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.forms())

    def __repr__(self) -> str:
        return f"ScriptForms({self._phrases!r})"


__all__ = ["CONFIGS", "CONVERTED", "ScriptForms", "all_scripts", "to_variant"]
