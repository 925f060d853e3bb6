"""Traditional Chinese from Simplified, with OpenCC (the ``opencc`` package).

``zh-Hant`` uses OpenCC's standard Traditional characters (``s2t``), ``zh-HK`` Hong Kong forms
(``s2hk``) and ``zh-TW`` Taiwan forms with Taiwan phrases (``s2twp``: 软件 → 軟體, 网络 → 網路).
Statements are written once in Simplified Chinese (the ``zh`` templates and facts) and converted,
never kept as hand-made copies.
"""

from __future__ import annotations

from functools import cache
from typing import Any

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


__all__ = ["CONFIGS", "CONVERTED", "all_scripts", "to_variant"]
