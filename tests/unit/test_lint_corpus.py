"""The labelled lint corpus: its size and mix, and the lint's precision and recall on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.lint_corpus import RULES, bundled_rules, evaluate, load_corpus, script

ROOT = Path(__file__).resolve().parents[2]


def test_the_corpus_has_300_sentences_half_english_half_chinese_in_both_scripts():
    samples = load_corpus()
    by_script = {s: sum(1 for x in samples if script(x.lang) == s) for s in ("en", "zh-Hans", "zh-Hant")}
    assert len(samples) >= 300
    chinese = by_script["zh-Hans"] + by_script["zh-Hant"]
    assert 0.4 <= by_script["en"] / len(samples) <= 0.6 and by_script["zh-Hant"] >= 50
    assert chinese >= 150
    for rule in RULES:  # every rule has true violations in both languages
        assert any(rule in x.expected and script(x.lang) == "en" for x in samples), rule
        assert any(rule in x.expected and script(x.lang) != "en" for x in samples), rule
    legit = [x for x in samples if not x.expected]
    assert len(legit) >= 150  # the look-alikes the lint must leave alone


def test_the_look_alikes_a_professional_needs_pass():
    texts = {x.text: x for x in load_corpus()}
    for needed in ("We will never ask for your password by phone, SMS or email.",
                   "本网站是此事的唯一官方发布渠道。",
                   "我们将尽可能在三个工作日内完成退款。",
                   "如您可能购买了2411-B批次的产品，请停止使用。",
                   "可能后果：相关数据存在被用于钓鱼诈骗的风险。"):
        assert not texts[needed].expected
    # every legitimate sentence of the tuning set passes (the held-out set is measured, not tuned)
    legit = [x for x in texts.values() if not x.expected and not x.heldout]
    scores = evaluate(bundled_rules(), legit)
    assert scores.get(("all", "all")) is None, scores[("all", "all")].errors


def test_precision_and_recall_meet_the_target_overall_and_per_language():
    scores = evaluate(bundled_rules(), load_corpus())
    overall = scores[("all", "all")]
    assert overall.precision >= 0.95 and overall.recall >= 0.95, overall.errors
    for each in ("en", "zh-Hans", "zh-Hant"):
        assert scores[("all", each)].precision >= 0.9 and scores[("all", each)].recall >= 0.9


def test_the_bench_script_prints_the_figures_and_exits_0():
    result = subprocess.run([sys.executable, "bench/lint_eval.py"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "overall: precision" in result.stdout and "held-out" in result.stdout
    assert "speculation       zh-Hant" in result.stdout
