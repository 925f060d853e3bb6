"""Words of a post: jieba segments Chinese, a regular expression splits everything else.

Both scripts of Chinese are folded to Simplified first (OpenCC ``t2s``) so one library entry
matches 艾克美 and 艾克美 alike; Latin text is NFKC-folded and lower-cased. The library's terms
and the sentiment lexicon's phrases are added to jieba's dictionary, so a brand name or a
crisis phrase (烂脸) is one word and matches whole — never as a substring of an unrelated
word.

jieba builds its prefix dictionary on first use (about two seconds; cached in the temporary
directory); :func:`segmenter` keeps one per process.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from bot.domain.listening import is_han

_LATIN = re.compile(r"[0-9a-z]+(?:[-'’.][0-9a-z]+)*|[#@][\w-]+|[,.!?;:，。！？；：、…]", re.UNICODE)
#: Clause marks are words too: a phrase never matches across one, and a negation ends there.
BREAKS = frozenset(",.!?;:，。！？；：、…")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """NFKC, lower case, Traditional → Simplified."""
    text = unicodedata.normalize("NFKC", text).lower()
    if _HAN_RUN.search(text):
        text = str(_t2s().convert(text))
    return text


class Segmenter:
    """One jieba tokenizer with the library's and the lexicon's words added."""

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self._added: set[str] = set()
        self._lock = threading.Lock()

    def add_words(self, words: Iterable[str]) -> None:
        with self._lock:
            for word in words:
                word = fold(word)
                if word and word not in self._added and any(is_han(ch) for ch in word):
                    self._jieba.add_word(word, freq=2_000_000)
                    self._added.add(word)

    def words(self, text: str, *, folded: bool = False) -> list[str]:
        """The words of ``text`` in reading order (Han runs segmented, Latin words whole)."""
        text = text if folded else fold(text)
        if not _HAN_RUN.search(text):
            return _LATIN.findall(text)
        # One jieba pass over the whole post: it keeps Latin runs whole and yields
        # punctuation as words of its own; spaces are dropped.
        return [w for w in self._jieba.lcut(text, HMM=False) if w.strip()]


_lock = threading.Lock()
_shared: Segmenter | None = None


def segmenter() -> Segmenter:
    """The process's segmenter (built once, thread-safe)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Segmenter()
        return _shared
