"""Classify a post: keyword classes and entries, sentiment — one segmentation for both."""

from __future__ import annotations

from collections.abc import Sequence

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
