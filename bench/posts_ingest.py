"""P13: raw posts ingested — classified (keywords on jieba words, sentiment) and stored — on
SQLite, in posts per second.

    python bench/posts_ingest.py [--streams 3] [--batch 500] [--db URL]

Posts come from the sample stream generator (three days, mixed Chinese and English, a crisis
arc; each extra stream is another seed, so texts and ids differ). They go through the same
``ListeningService.ingest`` as ``POST /monitors/posts``, in batches, into a fresh migrated
SQLite database in a temporary directory. The segmenter and models are loaded before the
clock starts (a running bot loads them once). Rule evaluation is timed separately: in the bot
it runs at most once per ``evaluate_every``, not per batch.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.adapters.db import make_engine, upgrade
from bot.adapters.db.alerts import SqlSampleStore
from bot.adapters.db.listening import SqlPostStore
from bot.adapters.listening.classify import PostClassifier
from bot.adapters.listening.config import parse_listening
from bot.adapters.listening.records import parse_records
from bot.adapters.listening.sample_stream import SAMPLE_LISTENING, sample_posts
from bot.adapters.listening.series import PostRules
from bot.services.listening import ListeningService

TARGET = 2000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--db", help="SQLAlchemy URL (default: SQLite in a temporary directory)")
    args = parser.parse_args(argv)
    end = datetime.now(UTC)
    records = [r | {"id": f"{seed}-{r['id']}"} for seed in range(args.streams)
               for r in sample_posts(end=end, seed=21 + seed)]
    posts, rejected = parse_records(records)
    assert not rejected, rejected[:3]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        config = parse_listening(SAMPLE_LISTENING)
        started = time.perf_counter()
        classifier = PostClassifier(keywords=config.keywords)
        classifier.classify_all(posts[:20])  # models loaded, caches warm
        loaded = time.perf_counter() - started
        store = SqlPostStore(engine)
        rules = PostRules(rules=config.rules, posts=store.posts, samples=SqlSampleStore(engine),
                          competitors=["Globex"])
        service = ListeningService(classifier=classifier, store=store, rules=rules,
                                   alerts=lambda alerts: [], clock=lambda: end)
        per_batch = []
        started = time.perf_counter()
        for i in range(0, len(posts), args.batch):
            t = time.perf_counter()
            service.ingest(posts[i:i + args.batch], source="bench", evaluate=False)
            per_batch.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - started
        stored = store.count()
        t = time.perf_counter()
        alerts = rules.evaluate(end)
        evaluation = time.perf_counter() - t
        engine.dispose()
    rate = len(posts) / elapsed
    print(f"posts: {len(posts)} ({sum(1 for p in posts if p.lang == 'zh')} Chinese), "
          f"batches of {args.batch}; stored {stored}")
    print(f"models loaded in {loaded:.1f} s (once per process)")
    print(f"ingested (classified + stored): {rate:,.0f} posts/s "
          f"(median batch {statistics.median(per_batch) * 1000:.0f} ms, "
          f"{statistics.median(per_batch) / args.batch * 1e6:.0f} µs per post)")
    print(f"rules over the stored posts: {evaluation * 1000:.0f} ms for {len(rules.rules)} rule(s), "
          f"{sum(a.firing for a in alerts)} firing")
    print(f"target ≥ {TARGET:,.0f} posts/s: {'met' if rate >= TARGET else 'missed'}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
