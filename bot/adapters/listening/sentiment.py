"""Offline sentiment of a post: negative / neutral / positive with a score in [-1, 1].

Chosen by measurement (``python bench/sentiment_eval.py``; README "Listening"): the crisis
lexicon (``lexicon.py``) combined with a model shipped inside a PyPI package —

- Chinese: snownlp's naive-Bayes sentiment model (``snownlp/sentiment/sentiment.marshal.3``,
  trained on product reviews) over jieba's words. Only that file is read: importing
  ``snownlp`` loads all its models (~400 MB, ~6 s), the sentiment model alone is ~15 MB;
- English: VADER (``vaderSentiment``), a lexicon and rules for social-media text.

Nothing is downloaded at run time. Every candidate the benchmark compares lives here, so the
benchmark measures exactly what runs.
"""

from __future__ import annotations

import gzip
import importlib.util
import marshal
import math
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.adapters.listening import lexicon as lx
from bot.adapters.listening.segment import BREAKS, Segmenter, fold


class SentimentModel(Protocol):
    name: str

    def classify(self, text: str, *, lang: str, words: Sequence[str] | None = None) -> tuple[str, float]:
        """``(label, score)`` for ``text`` in ``lang`` (``zh``/``en``)."""


def label_for(score: float, *, negative: float, positive: float) -> str:
    if score <= -negative:
        return "negative"
    if score >= positive:
        return "positive"
    return "neutral"


class KeywordBaseline:
    """What a naive filter does: count a few generic good/bad words as substrings."""

    name = "keyword baseline"

    def classify(self, text: str, *, lang: str, words: Sequence[str] | None = None) -> tuple[str, float]:
        bad, good = lx.BASELINE["zh" if lang == "zh" else "en"]
        folded = fold(text)
        score = sum(w in folded for w in good) - sum(w in folded for w in bad)
        return label_for(score, negative=1, positive=1), max(-1.0, min(1.0, score / 2))


# --- the package models ---------------------------------------------------------------


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {name} package is not installed (pip install {name})")
    return Path(next(iter(spec.submodule_search_locations)))


class SnowNlpBayes:
    """snownlp's shipped sentiment model: P(positive | words), add-one smoothed naive Bayes
    (the arithmetic of ``snownlp.classification.bayes.Bayes.classify``)."""

    def __init__(self) -> None:
        base = _package_dir("snownlp")
        with gzip.open(base / "sentiment" / "sentiment.marshal.3", "rb") as handle:
            data = marshal.loads(handle.read())
        self.total = float(data["total"])
        self.classes = {k: (v["d"], float(v["total"]), float(v["none"])) for k, v in data["d"].items()}
        stop = (base / "normal" / "stopwords.txt").read_text(encoding="utf-8").split()
        self.stopwords = frozenset(stop)

    def positive(self, words: Sequence[str]) -> float:
        words = [w for w in words if w not in self.stopwords]
        logs = {}
        for cls, (freq, total, none) in self.classes.items():
            value = math.log(total) - math.log(self.total)
            for word in words:
                value += math.log(freq.get(word, none) / total)
            logs[cls] = value
        top = max(logs.values())
        weights = {cls: math.exp(v - top) for cls, v in logs.items()}
        return weights.get("pos", 0.0) / sum(weights.values())


class Vader:
    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.analyzer = SentimentIntensityAnalyzer()

    def compound(self, text: str) -> float:
        return float(self.analyzer.polarity_scores(text)["compound"])


_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def _model(name: str) -> Any:
    with _models_lock:
        if name not in _models:
            _models[name] = SnowNlpBayes() if name == "snownlp" else Vader()
        return _models[name]


class PackageModels:
    """snownlp (zh) and VADER (en) as shipped, with their usual cut-offs."""

    name = "package models (snownlp / VADER)"

    def __init__(self, segmenter: Segmenter, *, negative: float = 0.4, positive: float = 0.4) -> None:
        self.segmenter = segmenter
        self.negative, self.positive = negative, positive

    def score(self, text: str, *, lang: str, words: Sequence[str] | None = None) -> float:
        if lang == "zh":
            words = list(words) if words is not None else self.segmenter.words(text)
            return 2 * _model("snownlp").positive(words) - 1
        return _model("vader").compound(text)

    def classify(self, text: str, *, lang: str, words: Sequence[str] | None = None) -> tuple[str, float]:
        value = self.score(text, lang=lang, words=words)
        return label_for(value, negative=self.negative, positive=self.positive), value


# --- the crisis lexicon ----------------------------------------------------------------


class CrisisLexicon:
    """Sums the lexicon's weights over the post's words; a negator flips the next three."""

    name = "crisis lexicon"
    WINDOW = 3

    def __init__(self, segmenter: Segmenter, *, negative: float = 1.0, positive: float = 1.0) -> None:
        self.segmenter = segmenter
        self.negative, self.positive = negative, positive
        tables: dict[str, dict[str, float]] = {}
        tables["zh"] = {fold(w): -v for w, v in lx.NEGATIVE_ZH.items()} | {
            fold(w): v for w, v in lx.POSITIVE_ZH.items()}
        tables["en"] = {w: -v for w, v in lx.NEGATIVE_EN.items()} | dict(lx.POSITIVE_EN)
        segmenter.add_words(tables["zh"])
        self.index: dict[str, dict[str, list[tuple[tuple[str, ...], float]]]] = {}
        for lang, table in tables.items():
            index: dict[str, list[tuple[tuple[str, ...], float]]] = defaultdict(list)
            for phrase, weight in table.items():
                words = tuple(segmenter.words(phrase)) or (phrase,)
                index[words[0]].append((words, weight))
            for entries in index.values():
                entries.sort(key=lambda e: -len(e[0]))  # longest phrase first
            self.index[lang] = dict(index)

    def parts(self, text: str, *, lang: str, words: Sequence[str] | None = None) -> tuple[float, bool]:
        """``(lexicon score, has a neutral cue)``."""
        lang = "zh" if lang == "zh" else "en"
        words = list(words) if words is not None else self.segmenter.words(text)
        index = self.index[lang]
        negators = lx.NEGATORS_ZH if lang == "zh" else lx.NEGATORS_EN
        cues = lx.NEUTRAL_CUES_ZH if lang == "zh" else lx.NEUTRAL_CUES_EN
        score, negated, i = 0.0, 0, 0
        cue = "?" in text or "？" in text
        while i < len(words):
            word = words[i]
            cue = cue or word in cues
            for phrase, weight in index.get(word, ()):
                if tuple(words[i:i + len(phrase)]) == phrase:
                    score += -weight if negated else weight
                    negated = 0
                    i += len(phrase)
                    break
            else:
                if word in BREAKS:
                    negated = 1
                if word in negators:
                    negated = self.WINDOW + 1
                negated = max(0, negated - 1)
                i += 1
        return score, cue

    def classify(self, text: str, *, lang: str, words: Sequence[str] | None = None) -> tuple[str, float]:
        score, _ = self.parts(text, lang=lang, words=words)
        return label_for(score, negative=self.negative, positive=self.positive), math.tanh(score / 2)


@dataclass(frozen=True)
class Weights:
    """How the combination weighs the package model against the lexicon, and its cut-offs."""

    model: float = 0.5
    cue_damping: float = 0.0
    negative: float = 0.9
    positive: float = 0.7


class Combined:
    """The crisis lexicon plus the package model (damped on questions and reports)."""

    name = "crisis lexicon + package models"

    def __init__(self, segmenter: Segmenter, *, weights: Weights | None = None,
                 lexicon: CrisisLexicon | None = None, models: PackageModels | None = None) -> None:
        self.segmenter = segmenter
        self.lexicon = lexicon or CrisisLexicon(segmenter)
        self.models = models or PackageModels(segmenter)
        self.weights = weights or Weights()

    def classify(self, text: str, *, lang: str, words: Sequence[str] | None = None) -> tuple[str, float]:
        words = list(words) if words is not None else self.segmenter.words(text)
        lexical, cue = self.lexicon.parts(text, lang=lang, words=words)
        w = self.weights
        weight = w.model * (w.cue_damping if cue else 1.0)
        # The model moves the score by at most ``weight``: where the lexicon alone is past
        # a cut-off by more than that, the model cannot change the label and is not run
        # (same labels, a third of the time on crisis posts).
        settled = (weight == 0 or lexical + weight <= -w.negative or lexical - weight >= w.positive
                   or (lexical - weight > -w.negative and lexical + weight < w.positive))
        if settled:
            score = lexical
        else:
            score = lexical + weight * self.models.score(text, lang=lang, words=words)
        return label_for(score, negative=w.negative, positive=w.positive), math.tanh(score / 2)


def candidates(segmenter: Segmenter) -> list[SentimentModel]:
    """Everything ``bench/sentiment_eval.py`` compares, the chosen one last."""
    lexicon = CrisisLexicon(segmenter)
    models = PackageModels(segmenter)
    return [KeywordBaseline(), models, lexicon, Combined(segmenter, lexicon=lexicon, models=models)]


def default_model(segmenter: Segmenter) -> SentimentModel:
    """The model the bot classifies posts with (the benchmark's winner)."""
    return Combined(segmenter)
