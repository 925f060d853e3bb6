"""The dark site's pure parts: its config section, the FAQ from a Q&A kit, the reader's
language and zone, the page and the feeds built from notices (escaping, structure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.site.config import parse_dark_site
from bot.adapters.site.faq import faq_pairs
from bot.adapters.site.feeds import atom_feed, json_feed
from bot.adapters.site.model import Notice, SiteStatement
from bot.adapters.site.render import content_security_policy, render_page, stylesheet
from bot.adapters.site.zones import reader_lang, reader_zone, valid_zone
from bot.domain.errors import InvalidInput
from bot.siteconfig import parse_site_config
from tests.integration.dark_site_helpers import ATOM, check_atom

T = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
CONFIG = parse_dark_site({"title": {"en": "Acme notices", "zh": "Acme 公告"}},
                         company="Acme", contact="400-800-1234", press_contact="press@acme.example")


def statement(text: str, *, lang: str = "en", at: datetime = T, **extra) -> SiteStatement:
    return SiteStatement(notice="20261130T080000Z", audience="customers", kind="holding",
                         lang=lang, text=text, published_at=at, **extra)


def notice(*statements: SiteStatement, active: bool = True) -> Notice:
    return Notice(key="20261130T080000Z", first_published_at=T,
                  updated_at=max(s.published_at for s in statements), active=active,
                  resolved_at=None, next_update_at=T + timedelta(hours=1),
                  statements=statements, audiences=("customers", "media"))


# ------------------------------------------------------------------ config


def test_the_section_defaults_to_the_company_contacts_and_two_audiences():
    config = parse_site_config({"company": {"name": "Acme", "contact": "400-800",
                                            "press_contact": "press@acme.example"},
                                "dark_site": {"path": "/news"}})
    site = config.dark_site
    assert (site.path, site.audiences, site.zone, site.configured) == (
        "/news/", ("customers", "media"), "Asia/Shanghai", True)
    assert [c.text("en") for c in site.contacts] == ["Customer service: 400-800",
                                                      "Media enquiries: press@acme.example"]
    assert site.title("zh") == "Acme：公告"
    assert parse_site_config({}).dark_site.configured is False


@pytest.mark.parametrize(("section", "problem"), [
    ({"path": "news"}, "dark_site.path must be a URL path"),
    ({"path": "/a/../b"}, "dark_site.path must be a URL path"),
    ({"host": "a/b"}, "dark_site.host must be a host name"),
    ({"base_url": "ftp://x"}, "dark_site.base_url must be an absolute http(s) URL"),
    ({"audiences": ["press"]}, "dark_site.audiences must be a list of"),
    ({"zone": "Mars/Olympus"}, "`Mars/Olympus` is not a time zone"),
    ({"keep_days": True}, "dark_site.keep_days must be a whole number"),
    ({"contacts": "x"}, "dark_site.contacts must be a list"),
    ({"contacts": [{"fr": "x"}]}, "dark_site.contacts[0] must be a text or {en: ..., zh: ...}"),
    ({"colour": "red"}, "dark_site: unknown setting(s) colour"),
    ("yes", "dark_site must be a mapping"),
])
def test_a_bad_section_is_one_clear_line(section, problem):
    with pytest.raises(InvalidInput) as caught:
        parse_site_config({"dark_site": section}, source="crisisbot.yaml")
    assert problem in str(caught.value) and str(caught.value).startswith("crisisbot.yaml: ")
    assert "\n" not in str(caught.value)


# ------------------------------------------------------------------ FAQ, language, zone


def test_the_faq_keeps_question_and_answer_pairs_and_drops_the_note_to_the_spokesperson():
    kit = ("媒体问答口径 — Acme，内部标题（2026）\n供新闻发言人使用。\n\n问：发生了什么？\n答：目前已确认：\n"
           "- 仓库进水\n\n问：没有答案的问题？\n\n問：什麼時候？\n答：稍後。")
    assert faq_pairs(kit) == [("发生了什么？", "目前已确认：\n- 仓库进水"), ("什麼時候？", "稍後。")]
    assert faq_pairs("no questions here") == []


def test_reader_language_and_zone_come_from_the_query_then_accept_language():
    assert reader_lang(None, "fr-FR, zh-CN;q=0.8, en;q=0.5") == "zh"
    assert reader_lang("en", "zh-CN") == "en"
    assert reader_lang(None, "en;q=0, zh;q=0") == "en"
    assert reader_zone(None, "zh-TW", "Asia/Shanghai") == "Asia/Taipei"
    assert reader_zone(None, "en-GB,en", "Asia/Shanghai") == "Europe/London"
    assert reader_zone("America/New_York", "zh-TW", "Asia/Shanghai") == "America/New_York"
    assert reader_zone("../../etc/passwd", None, "Asia/Shanghai") == "Asia/Shanghai"
    assert valid_zone("x" * 1000) is None and valid_zone("\x00") is None


# ------------------------------------------------------------------ the page


def test_the_dormant_page_is_calm_and_lists_the_contacts():
    html = render_page(notices=[], config=CONFIG, lang="en", zone="Asia/Shanghai", now=T)
    assert "No active notices" in html and "Customer service: 400-800-1234" in html
    assert "<script" not in html and 'content="noindex"' in html


def test_statement_text_is_escaped_and_carries_its_language():
    evil = 'Hi <script>alert("x")</script> & <img src=x onerror=1>'
    html = render_page(notices=[notice(statement(evil), statement("你好", lang="zh"))],
                       config=CONFIG, lang="en", zone="Europe/Berlin", now=T)
    assert "<script>" not in html and "<img" not in html
    assert "Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img" in html
    assert '<p class="text" lang="zh-Hans">你好</p>' in html
    assert "Berlin time" in html and "Next update expected by" in html


def test_the_inline_stylesheet_is_the_only_thing_the_policy_allows():
    html = render_page(notices=[], config=CONFIG, lang="zh", zone="Asia/Shanghai", now=T)
    assert f"<style>{stylesheet()}</style>" in html  # unescaped, so the hash matches
    policy = content_security_policy()
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "style-src 'sha256-" in policy


# ------------------------------------------------------------------ feeds


def test_the_atom_feed_follows_rfc_4287_and_survives_control_characters():
    later = T + timedelta(minutes=30)
    body = atom_feed(notices=[notice(statement("first\x00\x1b"), statement("later", at=later))],
                     config=CONFIG, base="https://news.acme.example/", now=T)
    root = check_atom(body)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}content") for e in entries] == ["later", "first\ufffd\ufffd"]
    assert root.findtext(f"{ATOM}updated") == "2026-11-30T08:30:00Z"


def test_a_dormant_feed_is_valid_and_empty():
    root = check_atom(atom_feed(notices=[], config=CONFIG, base="", now=T))
    assert root.findall(f"{ATOM}entry") == []
    document = json.loads(json_feed(notices=[], config=CONFIG, base="", now=T))
    assert document["version"] == "https://jsonfeed.org/version/1.1" and document["items"] == []


def test_feed_ids_are_stable_and_reveal_nothing_internal():
    one = atom_feed(notices=[notice(statement("x"))], config=CONFIG, base="", now=T)
    two = atom_feed(notices=[notice(statement("x"))], config=CONFIG, base="",
                    now=T + timedelta(days=1))
    ids = [e.findtext(f"{ATOM}id") for e in check_atom(one).findall(f"{ATOM}entry")]
    assert ids == [e.findtext(f"{ATOM}id") for e in check_atom(two).findall(f"{ATOM}entry")]
    assert all(i.startswith("urn:uuid:") for i in ids)


def test_the_public_reads_initial_statement_and_a_natural_audience_heading():
    notices = [notice(statement("We are checking."), statement("我们正在核实。", lang="zh"))]
    en = render_page(notices=notices, config=CONFIG, lang="en", zone="Asia/Shanghai", now=T)
    zh = render_page(notices=notices, config=CONFIG, lang="zh", zone="Asia/Shanghai", now=T)
    assert "For customers</h4>" in en and "Initial statement" in en
    assert "olding statement" not in en
    assert "致用户</h4>" in zh and "致 用户" not in zh and "首次声明" in zh
