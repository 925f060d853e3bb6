"""What start-up no longer builds (SPEC P5) is built, the same, at first use."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from bot.adapters.listening.classify import ClassifierOnFirstPosts
from bot.adapters.monitors.poller import Poller
from bot.adapters.outbound.worker import OutboundWorker
from bot.adapters.rendering.chinese import ScriptForms, all_scripts
from bot.adapters.rendering.statement_config import lint_rules
from bot.domain.knowledge_search import CaseIndex
from bot.domain.statement_lint import lint_text


def test_script_forms_convert_on_first_use_to_exactly_what_all_scripts_gives():
    phrases = ("绝对安全", "lowest price", "尽可能")
    forms = ScriptForms(phrases)
    assert forms._forms is None  # nothing converted (OpenCC not needed) until used
    assert forms == all_scripts(phrases)
    assert tuple(forms) == all_scripts(phrases) and len(forms) == len(all_scripts(phrases))
    assert "絕對安全" in forms


def test_script_forms_of_latin_phrases_need_no_conversion():
    forms = ScriptForms(("lowest price", "100% safe"))
    assert forms._forms == ("lowest price", "100% safe")


def test_lazily_converted_word_lists_still_catch_a_traditional_chinese_claim():
    rules = lint_rules({"absolute_claims": {"en": ["100% safe"], "zh": ["绝对安全"]}})
    findings = lint_text("本產品絕對安全。", kind="update", lang="zh-Hant", facts=[], contact="",
                         rules=rules)
    assert "absolute_claim" in [f.code for f in findings]


def test_the_index_keeps_one_string_per_distinct_token():
    index = CaseIndex()
    index.add("A", "奶粉召回 recall of milk powder", crisis_type="t", severity="S")
    index.add("B", "奶粉召回 milk powder recalled", crisis_type="t", severity="S")
    a, b = dict.fromkeys(index._doc_tokens["A"]), dict.fromkeys(index._doc_tokens["B"])
    shared = [t for t in a if t in b]
    assert shared  # 奶粉, 粉召, 召回, recall, milk, powder
    for token in shared:
        in_b = next(t for t in index._doc_tokens["B"] if t == token)
        assert in_b is token
    assert [h.case_id for h in index.search("奶粉 recall", limit=2)] == ["A", "B"]


def test_pollers_and_the_outbound_worker_make_their_http_client_at_first_use():
    poller = Poller(sources=(), ingest=lambda alerts: [], samples=None,
                    clock=lambda: datetime.now(UTC))
    worker = OutboundWorker(store=None, channels=dict, clock=lambda: datetime.now(UTC))
    assert poller._client is None and worker._http is None
    assert isinstance(poller.client, httpx.Client) and poller.client is poller.client
    assert isinstance(worker.http, httpx.Client)
    poller.close()
    worker.http.close()


def test_the_post_classifier_is_built_once_with_the_first_posts():
    built = []

    class Fake:
        def classify_all(self, posts):
            return [p.upper() for p in posts]

    lazy = ClassifierOnFirstPosts(lambda: built.append(1) or Fake())
    assert built == []
    assert lazy.classify_all(["a"]) == ["A"] and lazy.classify_all(["b"]) == ["B"]
    assert built == [1]
