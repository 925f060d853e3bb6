"""Similar past crises: tokens that work on Chinese, English and mixed text, a BM25 index kept
in process, and a score that also weighs crisis type and severity. Pure (standard library).

Tokens: Latin words (lower-cased, lightly stemmed, stop words dropped) and, for every run of
Chinese characters, its character bigrams (a one-character run is kept as itself). Chinese
has no spaces; bigrams need no dictionary and match most two-character words exactly, which
is what ``bench/kb_eval.py`` measured best (the README has the figures). A small bilingual
crisis glossary adds the other language's term for a query word (召回 ↔ recall), so an English
query finds a Chinese case and the reverse.

>>> tokens("Recall of milk powder 奶粉召回")
['recall', 'milk', 'powder', '奶粉', '粉召', '召回']
"""

from __future__ import annotations

import heapq
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

_LATIN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_SPLIT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:['’][a-z]+)?")

STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
    "we", "our", "us", "you", "your", "they", "their", "not", "no", "but", "after", "before",
    "during", "about", "into", "than", "then", "there", "these", "those", "been", "being", "all",
    "any", "can", "could", "did", "do", "does", "had", "how", "more", "most", "other", "some",
    "such", "up", "out", "over", "under", "very", "via", "what", "when", "which", "who", "why",
    "every", "each", "always", "also", "just",
))
#: Chinese bigrams too common to tell cases apart.
STOP_BIGRAMS = frozenset({"我们", "一个", "进行", "已经", "没有", "以及", "相关", "对于", "通过"})

#: Crisis vocabulary in both languages: a query term adds its other-language terms.
GLOSSARY: tuple[tuple[str, ...], ...] = (
    ("recall", "召回"), ("defect", "缺陷", "质量问题"), ("safety", "安全"),
    ("hazard", "隐患", "危险"), ("injury", "受伤"), ("fire", "起火", "着火", "火灾"),
    ("battery", "电池"), ("overheat", "过热"), ("contamination", "污染"), ("mold", "霉变"),
    ("counterfeit", "假货", "假冒"), ("fake", "假货", "虚假"), ("label", "标签"),
    ("advertised", "宣传"), ("false", "虚假"), ("refund", "退款"), ("compensation", "补偿", "赔偿"),
    ("coupon", "优惠券"), ("delivery", "配送", "发货"), ("delay", "延迟", "延误"),
    ("logistics", "物流"), ("courier", "快递"), ("warehouse", "仓库", "仓"),
    ("order", "订单"), ("outage", "宕机", "故障"), ("checkout", "结算", "下单"),
    ("payment", "支付"), ("app", "应用"), ("crash", "崩溃"), ("after-sales", "售后"),
    ("customer", "客户", "用户", "消费者"), ("complaint", "投诉"), ("service", "客服", "服务"),
    ("supplier", "供应商"), ("supply", "供应", "供货"), ("shortage", "短缺", "缺货"),
    ("stock", "库存", "缺货"), ("price", "价格"), ("cost", "成本"), ("factory", "工厂"),
    ("shipping", "运输", "海运"), ("port", "港口"), ("raw", "原材料"),
    ("rumour", "谣言", "传言"), ("rumor", "谣言", "传言"), ("influencer", "网红", "博主"),
    ("livestream", "直播"), ("review", "评价", "差评"), ("boycott", "抵制"),
    ("trending", "热搜"), ("weibo", "微博"), ("media", "媒体"), ("competitor", "竞争对手"),
    ("smear", "抹黑"), ("ad", "广告"), ("advert", "广告"), ("discrimination", "歧视"),
    ("breach", "泄露", "数据泄露"), ("leak", "泄露"), ("data", "数据"), ("password", "密码"),
    ("hack", "黑客", "攻击"), ("attack", "攻击"), ("ransomware", "勒索"),
    ("phishing", "钓鱼"), ("malware", "恶意软件"), ("account", "账号", "账户"),
    ("personal", "个人信息"), ("vendor", "第三方"), ("third-party", "第三方"),
    ("regulator", "监管"), ("statement", "声明"), ("apology", "道歉"), ("hotline", "热线"),
    ("template", "模板"), ("food", "食品"), ("milk", "奶粉", "牛奶"), ("formula", "奶粉"),
    ("cosmetics", "化妆品"), ("toy", "玩具"), ("flash", "秒杀", "闪购"), ("sale", "大促", "促销"),
    ("festival", "大促", "节日"), ("singles", "双十一", "双11"), ("promotion", "促销", "活动"),
    ("price-gouging", "哄抬"), ("lead", "含铅", "铅"), ("allergy", "过敏"),
)


def _build_glossary() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for group in GLOSSARY:
        group_tokens = [tokens(term, expand=False) for term in group]
        for i, own in enumerate(group_tokens):
            for tok in own:
                extra = out.setdefault(tok, [])
                for j, other in enumerate(group_tokens):
                    if j != i:
                        extra.extend(t for t in other if t not in extra and t != tok)
    return {k: tuple(v) for k, v in out.items()}


def _stem(word: str) -> str:
    """A light English stemmer: enough to make ``recalls``/``recalled``/``recalling`` one."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 16)
def _word(piece: str) -> str:
    """The token of a Latin word (``""`` for a stop word or a lone letter). Cached: words
    repeat across cases, and the cache hands every case the same string object."""
    word = piece.replace("’", "'").split("'")[0]
    if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
        return ""
    return _stem(word)


def tokens(text: str, *, expand: bool = False, mode: str = "bigram") -> list[str]:
    """The search tokens of ``text`` (see the module doc). ``expand`` adds glossary terms of
    the other language. ``mode``: ``bigram`` (default), ``unigram`` (one token per Chinese
    character) or ``both`` — the alternatives ``bench/kb_eval.py`` compares."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    out: list[str] = []
    for match in _SPLIT.finditer(text):
        piece = match.group(0)
        if piece[0] >= "\u3400":  # a run of Chinese characters (Latin words start below)
            if mode in ("unigram", "both"):
                out.extend(piece)
            if mode in ("bigram", "both"):
                if len(piece) == 1:
                    if mode == "bigram":
                        out.append(piece)
                else:
                    out.extend(b for b in (piece[i:i + 2] for i in range(len(piece) - 1))
                               if b not in STOP_BIGRAMS)
        else:
            word = _word(piece)
            if word:
                out.append(word)
    if expand:
        extra: list[str] = []
        seen = set(out)
        for tok in out:
            for other in _GLOSSARY.get(tok, ()):
                if other not in seen:
                    seen.add(other)
                    extra.append(other)
        out.extend(extra)
    return out


_GLOSSARY: dict[str, tuple[str, ...]] = {}
_GLOSSARY.update(_build_glossary())


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True, slots=True)
class Hit:
    case_id: str
    score: float
    text_score: float
    same_type: bool
    severity_match: str  # "same" | "adjacent" | ""
    shared: tuple[str, ...]


#: How much a matching crisis type / severity adds to a text score normalised to 0..1.
TYPE_WEIGHT = 0.35
SEVERITY_WEIGHT = 0.12
ADJACENT_WEIGHT = 0.05
_SEV_RANK = {"SS": 0, "S": 1, "A": 2}
#: A term in more than this share of the cases (and at least COMMON_MIN of them) is "common".
COMMON_SHARE = 0.1
COMMON_MIN = 200


class CaseIndex:
    """A BM25 inverted index of case texts, with each case's type and severity.

    Cases are added or replaced by id; :meth:`search` ranks them for a query. Thread safety
    is the caller's (the adapter holds a lock)."""

    K1 = 1.2
    B = 0.75

    def __init__(self, *, mode: str = "bigram") -> None:
        self.mode = mode
        self._postings: dict[str, dict[str, int]] = {}
        self._length: dict[str, int] = {}
        self._meta: dict[str, tuple[str, str]] = {}
        self._doc_tokens: dict[str, tuple[str, ...]] = {}
        self._norm_cache: dict[str, float] | None = None
        self._total = 0

    def __len__(self) -> int:
        return len(self._length)

    def __contains__(self, case_id: object) -> bool:
        return case_id in self._length

    def add(self, case_id: str, text: str, *, crisis_type: str, severity: str) -> None:
        self.remove(case_id)
        counts = Counter(tokens(text, mode=self.mode))
        postings = self._postings
        # One string object per distinct token, shared by every case's token tuple (10,000
        # cases held ~60 copies of each common bigram).
        doc = tuple(map(sys.intern, counts))
        for tok, tf in zip(doc, counts.values()):
            posting = postings.get(tok)
            if posting is None:
                posting = postings[tok] = {}
            posting[case_id] = tf
        length = sum(counts.values())
        self._length[case_id] = length
        self._total += length
        self._meta[case_id] = (crisis_type, severity)
        self._doc_tokens[case_id] = doc
        self._norm_cache = None

    def remove(self, case_id: str) -> None:
        if case_id not in self._length:
            return
        for tok in self._doc_tokens.pop(case_id, ()):
            posting = self._postings.get(tok)
            if posting is not None and posting.pop(case_id, None) is not None and not posting:
                del self._postings[tok]
        self._total -= self._length.pop(case_id)
        self._meta.pop(case_id, None)
        self._norm_cache = None

    def _norms(self) -> dict[str, float]:
        """Each case's BM25 length normaliser, recomputed after the index changed."""
        if self._norm_cache is None:
            avg = self._total / max(1, len(self._length))
            k1, b = self.K1, self.B
            self._norm_cache = {c: k1 * (1 - b + b * n / avg) for c, n in self._length.items()}
        return self._norm_cache

    def search(
        self, query: str, *, crisis_type: str | None = None, severity: str | None = None,
        limit: int = 3, allow: Callable[[str], bool] | None = None,
    ) -> list[Hit]:
        """The ``limit`` best cases for ``query``; ``allow`` filters case ids (who may read).
        A case needs at least one shared term to be a match."""
        n = len(self._length)
        if not n:
            return []
        norms = self._norms()
        q = Counter(tokens(query, expand=True, mode=self.mode))
        scores: dict[str, float] = {}
        idfs: dict[str, float] = {}
        k1 = self.K1
        # Terms in a large share of all cases say little and cost the most (their posting
        # lists are the longest): skipped when the query has rarer terms to go on.
        common = max(COMMON_MIN, COMMON_SHARE * n)
        rare = [t for t in q if 0 < len(self._postings.get(t, ())) <= common]
        for tok, qtf in q.items():
            posting = self._postings.get(tok)
            if not posting or (rare and len(posting) > common):
                continue
            df = len(posting)
            idf = idfs[tok] = math.log(1 + (n - df + 0.5) / (df + 0.5))
            weight = idf * (1 + math.log(qtf)) * (k1 + 1)
            get = scores.get
            for case_id, tf in posting.items():
                scores[case_id] = get(case_id, 0.0) + weight * tf / (tf + norms[case_id])
        if not scores:
            return []
        top = max(scores.values())
        meta = self._meta
        bonus = {"same": SEVERITY_WEIGHT, "adjacent": ADJACENT_WEIGHT}

        def final(case_id: str) -> float:
            ctype, sev = meta[case_id]
            extra = TYPE_WEIGHT if crisis_type is not None and ctype == crisis_type else 0.0
            return scores[case_id] / top + extra + bonus.get(_severity_match(severity, sev), 0.0)

        # Best text scores first; a case whose text score plus the largest possible bonus
        # cannot beat the current cut-off is never scored in full.
        order = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        ceiling = (TYPE_WEIGHT if crisis_type else 0.0) + (SEVERITY_WEIGHT if severity else 0.0)
        want = limit if allow is None else limit * 4
        while True:
            heap: list[tuple[float, str]] = []  # the `want` best (final, id) so far, min first
            for case_id, text_score in order:
                if len(heap) >= want and text_score / top + ceiling < heap[0][0]:
                    break
                item = (final(case_id), case_id)
                if len(heap) < want:
                    heapq.heappush(heap, item)
                elif item[0] > heap[0][0]:
                    heapq.heapreplace(heap, item)
            finals = {c: f for f, c in heap}
            ranked = sorted(finals, key=lambda c: (-finals[c], c))
            out: list[Hit] = []
            for case_id in ranked:
                if allow is not None and not allow(case_id):
                    continue
                doc = set(self._doc_tokens.get(case_id, ()))
                shared = tuple(t for _, t in sorted(((idfs[t], t) for t in idfs if t in doc),
                                                    reverse=True)[:4])
                ctype, sev = meta[case_id]
                out.append(Hit(case_id, round(finals[case_id], 4), round(scores[case_id], 4),
                               crisis_type is not None and ctype == crisis_type,
                               _severity_match(severity, sev), shared))
                if len(out) >= limit:
                    return out
            if len(ranked) >= len(scores):
                return out
            want *= 4


def _severity_match(wanted: str | None, got: str) -> str:
    if wanted is None or wanted not in _SEV_RANK or got not in _SEV_RANK:
        return ""
    gap = abs(_SEV_RANK[wanted] - _SEV_RANK[got])
    return "same" if gap == 0 else "adjacent" if gap == 1 else ""


# --------------------------------------------------------------------------- lessons


def overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """Jaccard overlap of two token lists (0..1)."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def most_useful(lessons: Sequence[str], query: str, *, limit: int = 2) -> list[str]:
    """The ``limit`` lessons closest to ``query`` (ties keep the written order)."""
    q = set(tokens(query, expand=True))
    scored = [(-len(q & set(tokens(lesson))), i, lesson) for i, lesson in enumerate(lessons)]
    return [lesson for _, _, lesson in sorted(scored)[:limit]]


@dataclass(frozen=True, slots=True)
class RepeatedLesson:
    lesson: str
    cases: tuple[str, ...]


def lesson_similarity(a: str, b: str) -> float:
    """How alike two lessons are (0..1): the share of each one's words found in the other,
    the other counted with its glossary terms, so a lesson and its translation match."""
    a_raw, b_raw = set(tokens(a)), set(tokens(b))
    if not a_raw or not b_raw:
        return 0.0
    a_exp, b_exp = set(tokens(a, expand=True)), set(tokens(b, expand=True))
    return (len(a_raw & b_exp) + len(b_raw & a_exp)) / (len(a_raw) + len(b_raw))


def repeated_lessons(cases: Iterable[tuple[str, Sequence[str]]], *,
                     threshold: float = 0.5) -> list[RepeatedLesson]:
    """Lessons learnt in more than one case (the same lesson twice was not learnt): groups
    lessons at least ``threshold`` alike (:func:`lesson_similarity`), across two cases or
    more. ``cases``: (case id, its lessons).

    >>> repeated_lessons([("A", ["Pre-approve the recall template"]),
    ...                   ("B", ["pre-approve recall templates"]), ("C", ["Call the supplier"])])
    [RepeatedLesson(lesson='Pre-approve the recall template', cases=('A', 'B'))]
    """
    groups: list[tuple[str, list[str]]] = []  # (first text, case ids)
    for case_id, lessons in cases:
        for lesson in lessons:
            for text, ids in groups:
                if lesson_similarity(lesson, text) >= threshold:
                    if case_id not in ids:
                        ids.append(case_id)
                    break
            else:
                groups.append((lesson, [case_id]))
    out = [RepeatedLesson(text, tuple(ids)) for text, ids in groups if len(ids) > 1]
    return sorted(out, key=lambda r: (-len(r.cases), r.lesson))
