"""The keyword library: which posts are about us, our competitors, or the industry.

Each entry has a class (brand / competitor / industry), a name, aliases in any script
(Simplified, Traditional, English) and exclusions — phrases that mean a post is about
something else (``Acme Anvil`` is not our shop). Matching is on words (see ``segment.py``):
a term matches where its words appear in a row in the post's words, so 艾克美 matches in
``用了艾克美的面霜`` (segmented 用了 / 艾克美 / 的 / 面霜) and ``acme`` does not match inside
``acmeville``. English words match their plural (``moisturiser`` ↔ ``moisturisers``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.adapters.listening.segment import Segmenter, fold
from bot.domain.listening import CLASSES


@dataclass(frozen=True)
class Entry:
    cls: str
    name: str
    aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.cls}:{self.name}"

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Tags:
    classes: frozenset[str] = frozenset()
    entities: tuple[str, ...] = ()


def _stem(word: str) -> str:
    """``acme's`` → ``acme``, ``moisturisers`` → ``moisturiser``, ``boxes`` → ``box``."""
    if word.endswith(("'s", "’s")):
        return word[:-2]
    if word.isascii() and len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-2] if word.endswith("es") and word[-3] in "sxz" else word[:-1]
    return word


@dataclass
class KeywordLibrary:
    """Built once from the site config; :meth:`tag` classifies one post's text."""

    entries: tuple[Entry, ...]
    segmenter: Segmenter
    _index: dict[str, list[tuple[tuple[str, ...], int, bool]]] = field(default_factory=dict,
                                                                      init=False, repr=False)

    def __post_init__(self) -> None:
        self.segmenter.add_words(p for e in self.entries for p in (*e.phrases, *e.exclude))
        index: dict[str, list[tuple[tuple[str, ...], int, bool]]] = defaultdict(list)
        for number, entry in enumerate(self.entries):
            for phrase, excluding in [(p, False) for p in entry.phrases] + [(p, True) for p in entry.exclude]:
                words = tuple(_stem(w) for w in self.segmenter.words(phrase))
                if words:
                    index[words[0]].append((words, number, excluding))
        self._index = dict(index)

    def words(self, text: str) -> list[str]:
        return [_stem(w) for w in self.segmenter.words(text)]

    def tag(self, text: str, *, words: Sequence[str] | None = None) -> Tags:
        """The classes and entries ``text`` mentions (an entry whose exclusion also appears
        does not count)."""
        words = list(words) if words is not None else self.words(text)
        hit: set[int] = set()
        excluded: set[int] = set()
        for i, word in enumerate(words):
            for phrase, number, excluding in self._index.get(word, ()):
                if tuple(words[i:i + len(phrase)]) == phrase:
                    (excluded if excluding else hit).add(number)
        found = [self.entries[n] for n in sorted(hit - excluded)]
        return Tags(frozenset(e.cls for e in found), tuple(e.id for e in found))


def entries_from_config(data: object, *, where: str) -> tuple[Entry, ...]:
    """``{brand: [...], competitor: [...], industry: [...]}``; each item a term or
    ``{term, aliases, exclude}``. Raises ``ValueError`` naming the key."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise TypeError(f"{where} must be a mapping of brand / competitor / industry lists")
    unknown = sorted(set(map(str, data)) - set(CLASSES))
    if unknown:
        raise ValueError(f"{where}: unknown class(es) {', '.join(unknown)}; use {', '.join(CLASSES)}")
    entries: list[Entry] = []
    for cls in CLASSES:
        items = data.get(cls) or []
        if not isinstance(items, list):
            raise TypeError(f"{where}.{cls} must be a list")
        for i, item in enumerate(items):
            entries.append(_entry(cls, item, f"{where}.{cls}[{i}]"))
    return tuple(entries)


def _entry(cls: str, item: object, where: str) -> Entry:
    if isinstance(item, str) and item.strip():
        return Entry(cls, item.strip())
    if not isinstance(item, dict) or not str(item.get("term") or "").strip():
        raise ValueError(f"{where} must be a term or {{term, aliases, exclude}}")
    unknown = sorted(set(map(str, item)) - {"term", "aliases", "exclude"})
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; use term, aliases, exclude")
    return Entry(cls, str(item["term"]).strip(), _strings(item.get("aliases"), f"{where}.aliases"),
                 _strings(item.get("exclude"), f"{where}.exclude"))


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where} must be a list of words")
    return tuple(v.strip() for v in value)


def all_terms(entries: Iterable[Entry]) -> list[str]:
    return [fold(p) for e in entries for p in (*e.phrases, *e.exclude)]
