"""The site config's ``postmortem_lang``."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidInput
from bot.siteconfig import parse_site_config


def test_postmortem_lang_defaults_to_english_and_accepts_zh_and_both():
    assert parse_site_config({}).postmortem_lang == "en"
    assert parse_site_config({"postmortem_lang": "ZH"}).postmortem_lang == "zh"
    assert parse_site_config({"postmortem_lang": "both"}).postmortem_lang == "both"


def test_an_unknown_postmortem_lang_is_refused_with_the_choices():
    with pytest.raises(InvalidInput, match="postmortem_lang must be en, zh or both, not `fr`"):
        parse_site_config({"postmortem_lang": "fr"})
