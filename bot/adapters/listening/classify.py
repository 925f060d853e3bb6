"""Classify a post: keyword classes and entries, sentiment — one segmentation for both."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from bot.adapters.listening.keywords import Entry, KeywordLibrary, _stem
from bot.adapters.listening.segment import Segmenter, fold, segmenter
from bot.adapters.listening.sentiment import SentimentModel, default_model
from bot.domain.listening import Post


class PostClassifier:
    """``classify(post)`` returns the post with ``classes``, ``entities``, ``sentiment`` and
    ``score`` filled in. Builds the segmenter and models on first use (seconds), so build
    it once per process (bootstrap does)."""

    def __init__(self, *, keywords: Sequence[Entry], words: Segmenter | None = None,
                 model: SentimentModel | None = None) -> None:
        self.segmenter = words or segmenter()
        self.library = KeywordLibrary(tuple(keywords), self.segmenter)
        self.model = model or default_model(self.segmenter)

    def classify(self, post: Post) -> Post:
        folded = fold(post.text)
        words = self.segmenter.words(folded, folded=True)
        tags = self.library.tag(folded, words=[_stem(w) if w[-1:] == "s" else w for w in words])
        label, score = self.model.classify(post.text, lang=post.lang, words=words)
        return Post(key=post.key, platform=post.platform, text=post.text, author=post.author,
                    posted_at=post.posted_at, lang=post.lang, url=post.url,
                    followers=post.followers, reposts=post.reposts, comments=post.comments,
                    likes=post.likes, repost_of=post.repost_of, classes=tags.classes,
                    entities=tags.entities, sentiment=label, score=round(score, 4))

    def classify_all(self, posts: Sequence[Post]) -> list[Post]:
        return [self.classify(p) for p in posts]


class ClassifierOnFirstPosts:
    """The service's classifier, built by ``build`` when the first posts are classified: the
    segmenter and sentiment models (jieba, SnowNLP, VADER, OpenCC; seconds and tens of MB)
    are not loaded by a bot that only evaluates its post rules, or receives no posts."""

    def __init__(self, build: Callable[[], PostClassifier]) -> None:
        self._build = build
        self._built: PostClassifier | None = None
        self._lock = threading.Lock()

    def classifier(self) -> PostClassifier:
        with self._lock:
            if self._built is None:
                self._built = self._build()
            return self._built

    def classify_all(self, posts: Sequence[Post]) -> list[Post]:
        return self.classifier().classify_all(posts)
