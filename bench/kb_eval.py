"""P11: similar-crisis retrieval — recall@3 and MRR, and query latency at 10,000 cases.

    python bench/kb_eval.py [--distractors 300] [--cases 10000] [--queries-per-db 200]
                            [--no-pg] [--pg-url URL]

The labelled set (bench/kb_queries.yaml: 44 queries, half Chinese, some across languages)
names the sample case (samples/cases.yaml) each query should find. The sample cases are stored
with generated distractors — plausible cases of every type in both languages, built from the
same crisis vocabulary — and each query runs through the real knowledge base
(``KnowledgeBase.search``: revision check, in-memory BM25 index, full cases read from the
table). Printed:

* recall@3 and MRR with the default tokens (Chinese character bigrams + Latin words), at
  --distractors and again at --cases stored cases;
* the same for the alternatives considered (Chinese unigrams; unigrams + bigrams), so the
  choice stays a measurement;
* query latency p50/p95 at --cases stored cases on SQLite and on PostgreSQL (a throw-away
  cluster from tests/pg.py, or --pg-url).

Targets (SPEC P11): recall@3 ≥ 0.9; p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.db import make_engine, upgrade
from bot.adapters.knowledge.base import KnowledgeBase
from bot.adapters.knowledge.files import read_cases
from bot.domain.knowledge import Case
from bot.domain.knowledge_search import CaseIndex

TYPES = ("product_quality", "service_logistics", "supply_chain", "brand_reputation",
         "data_security")
NOW = datetime(2026, 11, 30, tzinfo=UTC)

#: Per type: (English subjects, English problems, Chinese subjects, Chinese problems).
_POOLS = {
    "product_quality": (
        ["blender", "kettle", "yoghurt", "face mask", "phone charger", "baby bottle", "rice",
         "headphones", "running shoes", "vitamin pills", "dog food", "hair dryer"],
        ["failed a quality inspection", "was sold with a misleading label", "broke after a week",
         "had a foreign object inside", "did not match the product photos",
         "was recalled by the maker", "caused skin irritation"],
        ["榨汁机", "电水壶", "酸奶", "面膜", "手机充电器", "奶瓶", "大米", "耳机", "跑鞋", "维生素",
         "狗粮", "吹风机"],
        ["抽检不合格", "标签与实物不符", "使用一周就损坏", "发现异物", "与宣传图片不符", "厂家召回",
         "引起皮肤过敏"]),
    "service_logistics": (
        ["north region", "west warehouse", "same-day delivery", "gift cards", "search page",
         "order tracking", "returns desk", "live chat", "coupon service", "login page"],
        ["was slow for a day", "showed wrong prices", "lost parcels", "was down for an hour",
         "double-charged orders", "sent duplicate emails", "missed delivery windows"],
        ["华北地区", "西部仓库", "当日达", "礼品卡", "搜索页", "物流查询", "退货中心", "在线客服",
         "优惠券服务", "登录页"],
        ["一天都很慢", "显示错误价格", "丢失包裹", "宕机一小时", "重复扣款", "重复发送邮件",
         "配送超时"]),
    "supply_chain": (
        ["packaging supplier", "coffee beans", "laptop stock", "sofa factory", "fabric mill",
         "frozen seafood", "garden furniture", "printer ink"],
        ["raised prices by a third", "missed the delivery date", "ran out before the campaign",
         "failed an audit", "was stuck in customs", "changed the recipe"],
        ["包装供应商", "咖啡豆", "笔记本库存", "沙发工厂", "面料厂", "冷冻海鲜", "户外家具", "墨盒"],
        ["价格上涨三成", "延误交货", "活动前断货", "验厂不合格", "清关受阻", "更换配方"]),
    "brand_reputation": (
        ["spokes-model", "holiday campaign", "founder interview", "packaging design",
         "charity pledge", "loyalty programme", "store manager", "mascot video"],
        ["drew criticism online", "was mocked on social media", "was called tone-deaf",
         "became a meme", "angered long-time customers", "was misquoted by a blog"],
        ["代言人", "节日广告", "创始人采访", "包装设计", "公益承诺", "会员计划", "店长", "吉祥物视频"],
        ["在网上引发批评", "被网友嘲讽", "被指不合时宜", "成为表情包", "激怒老用户", "被自媒体断章取义"]),
    "data_security": (
        ["loyalty database", "email newsletter list", "admin panel", "payment page script",
         "employee laptop", "analytics vendor", "backup server", "API key"],
        ["was accessed without authorisation", "was exposed for a day", "was found on a forum",
         "was infected", "leaked order numbers", "was misconfigured"],
        ["会员数据库", "邮件订阅名单", "管理后台", "支付页脚本", "员工电脑", "统计服务商", "备份服务器",
         "接口密钥"],
        ["遭未授权访问", "暴露了一天", "在论坛上被发现", "被病毒感染", "泄露订单号", "配置错误"]),
}
_LESSONS_EN = ["Write the holding statement earlier", "Name an owner for every vendor",
               "Check the numbers before publishing", "Brief customer service first",
               "Keep the status page up to date", "Agree escalation contacts in advance"]
_LESSONS_ZH = ["更早发布首份声明", "每个供应商都要有负责人", "发布前核对数字", "先给客服统一口径",
               "及时更新状态页", "提前约定升级联系人"]


def distractors(count: int, *, seed: int = 7) -> list[Case]:
    """``count`` generated cases of every type, in English and Chinese."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        crisis_type = TYPES[i % len(TYPES)]
        en_s, en_p, zh_s, zh_p = _POOLS[crisis_type]
        chinese = rng.random() < 0.5
        if chinese:
            title = f"{rng.choice(zh_s)}{rng.choice(zh_p)}"
            summary = f"{rng.choice(zh_s)}{rng.choice(zh_p)}，{rng.choice(zh_s)}{rng.choice(zh_p)}。"
            lessons = tuple(rng.sample(_LESSONS_ZH, 2))
        else:
            title = f"The {rng.choice(en_s)} {rng.choice(en_p)}"
            summary = f"The {rng.choice(en_s)} {rng.choice(en_p)}; the {rng.choice(en_s)} {rng.choice(en_p)}."
            lessons = tuple(rng.sample(_LESSONS_EN, 2))
        out.append(Case(id=f"D-{i:05d}", title=title, crisis_type=crisis_type,
                        severity=rng.choice(("SS", "S", "A")),
                        date=date(2019, 1, 1) + timedelta(days=rng.randrange(2500)),
                        summary=summary, lessons=lessons))
    return out


def load_queries() -> list[dict]:
    return yaml.safe_load((ROOT / "bench" / "kb_queries.yaml").read_text(encoding="utf-8"))["queries"]


def samples() -> list[Case]:
    return read_cases(ROOT / "samples" / "cases.yaml", crisis_types=TYPES)


def score(ranks: list[int | None]) -> tuple[float, float]:
    recall = sum(1 for r in ranks if r is not None and r <= 3) / len(ranks)
    mrr = sum(1 / r for r in ranks if r is not None) / len(ranks)
    return recall, mrr


def evaluate_index(cases: list[Case], queries: list[dict], *, mode: str) -> tuple[float, float, list[str]]:
    index = CaseIndex(mode=mode)
    for case in cases:
        index.add(case.id, case.search_text(), crisis_type=case.crisis_type, severity=case.severity)
    ranks: list[int | None] = []
    misses = []
    for q in queries:
        hits = index.search(q["q"], crisis_type=q.get("type"), severity=q.get("sev"), limit=10)
        ids = [h.case_id for h in hits]
        rank = ids.index(q["expect"]) + 1 if q["expect"] in ids else None
        ranks.append(rank)
        if rank is None or rank > 3:
            misses.append(f"{q['q']} → {ids[:3]} (want {q['expect']})")
    recall, mrr = score(ranks)
    return recall, mrr, misses


def latency(url: str, cases: list[Case], queries: list[dict], *,
            rounds: int) -> tuple[float, float, float, float, float]:
    """(seconds to store, first search incl. index build, p50 ms, p95 ms, p95 ms of queries
    whose cases are not cached) through the real knowledge base at ``url``."""
    engine = make_engine(url)
    upgrade(engine)
    kb = KnowledgeBase(engine)
    started = time.perf_counter()
    for i in range(0, len(cases), 1000):
        kb.save(cases[i:i + 1000], now=NOW)
    stored = time.perf_counter() - started
    started = time.perf_counter()
    kb.search("warm up", crisis_type=None, severity=None, limit=3, allow=lambda m: True)
    first = time.perf_counter() - started
    def timed(q: dict) -> float:
        started = time.perf_counter()
        found = kb.search(q["q"], crisis_type=q.get("type"), severity=q.get("sev"), limit=3,
                          allow=lambda m: True)
        assert found, q
        return (time.perf_counter() - started) * 1000

    # Every query once with no case cached (each hit read from the table), then the mix.
    cold = []
    for q in queries:
        kb._cases.clear()
        cold.append(timed(q))
    times = [timed(queries[i % len(queries)]) for i in range(rounds)] + cold
    engine.dispose()
    times.sort()
    cold.sort()
    return (stored, first, statistics.median(times), times[int(0.95 * (len(times) - 1))],
            cold[int(0.95 * (len(cold) - 1))])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--distractors", type=int, default=300)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--queries-per-db", type=int, default=200)
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--pg-url", help="an empty PostgreSQL database to use")
    parser.add_argument("--misses", action="store_true", help="print the queries missed")
    args = parser.parse_args()
    queries = load_queries()
    base = samples()
    zh = sum(1 for q in queries if any("\u4e00" <= ch <= "\u9fff" for ch in q["q"]))
    print(f"labelled set: {len(queries)} queries ({zh} Chinese), {len(base)} sample cases")
    small = base + distractors(args.distractors)
    big = base + distractors(args.cases - len(base))
    for mode in ("bigram", "unigram", "both"):
        for label, cases in ((f"{len(small)} cases", small), (f"{len(big)} cases", big)):
            recall, mrr, misses = evaluate_index(cases, queries, mode=mode)
            chosen = " (chosen)" if mode == "bigram" else ""
            print(f"tokens={mode:<8}{chosen:<9} {label:>12}: recall@3 {recall:.3f}  MRR {mrr:.3f}")
            if args.misses and mode == "bigram":
                for miss in misses:
                    print("   miss:", miss)
    with tempfile.TemporaryDirectory() as tmp:
        stored, first, p50, p95, cold = latency(f"sqlite:///{tmp}/kb.db", big, queries,
                                                rounds=args.queries_per_db)
        print(f"SQLite     {len(big)} cases: stored in {stored:.1f} s, index built in {first:.2f} s; "
              f"query p50 {p50:.1f} ms, p95 {p95:.1f} ms, uncached p95 {cold:.1f} ms "
              "(target p95 ≤ 50 ms)")
    if args.no_pg:
        return 0
    server = None
    url = args.pg_url
    if url is None:
        from sqlalchemy import create_engine, text

        from tests.pg import start_pg

        server = start_pg()
        name = f"kb_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = server.url(name)
    try:
        stored, first, p50, p95, cold = latency(url, big, queries, rounds=args.queries_per_db)
        print(f"PostgreSQL {len(big)} cases: stored in {stored:.1f} s, index built in {first:.2f} s; "
              f"query p50 {p50:.1f} ms, p95 {p95:.1f} ms, uncached p95 {cold:.1f} ms "
              "(target p95 ≤ 50 ms)")
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
