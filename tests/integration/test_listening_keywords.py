"""The keyword library on real jieba segmentation and OpenCC folding."""

from __future__ import annotations

import pytest

from bot.adapters.listening.config import parse_listening
from bot.adapters.listening.keywords import KeywordLibrary, entries_from_config
from bot.adapters.listening.segment import segmenter
from bot.domain.errors import InvalidInput
from tests.integration.listening_helpers import KEYWORDS


@pytest.fixture(scope="module")
def library() -> KeywordLibrary:
    return KeywordLibrary(entries_from_config(KEYWORDS, where="k"), segmenter())


@pytest.mark.parametrize(("text", "entities"), [
    ("用了艾克美的面霜第二天就烂脸了", ("brand:Acme", "industry:面霜")),
    ("艾克美商城這次的保濕霜真的爛臉", ("brand:Acme", "industry:保湿霜")),   # Traditional script
    ("Acme's moisturisers are back", ("brand:Acme", "industry:moisturiser")),  # possessive, plural
    ("格洛贝趁机打折", ("competitor:Globex",)),
    ("ACME Anvil review", ()),              # an exclusion wins
    ("acmeville fair opens", ()),           # a word, never a substring
    ("美克艾", ()),
])
def test_terms_match_as_words_in_both_scripts_and_english(library, text, entities):
    assert library.tag(text).entities == entities


def test_bad_library_config_is_one_clear_line():
    with pytest.raises(InvalidInput, match=r"listening.keywords: unknown class\(es\) brands"):
        parse_listening({"keywords": {"brands": ["Acme"]}}, source="site.yaml")
    with pytest.raises(InvalidInput, match=r"listening.keywords.brand\[0\]: unknown key\(s\) alias"):
        parse_listening({"keywords": {"brand": [{"term": "Acme", "alias": ["x"]}]}}, source="s")
    with pytest.raises(InvalidInput, match="listening.rules.0..metric must be one of"):
        parse_listening({"rules": [{"name": "r", "metric": "nope", "rule": {"kind": "threshold"}}]})
