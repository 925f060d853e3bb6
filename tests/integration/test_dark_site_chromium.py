"""The dark site in headless Chromium, driven over the DevTools protocol: after statements are
published over signed HTTP, the page shows them in both languages, fits a phone's width with
no horizontal scroll, and axe-core (run in the page) finds no serious or critical violation.

Chromium comes from Debian's packages and axe-core from npm (both installed by ``.ci/run``;
``CRISISBOT_AXE_JS`` may point at another ``axe.min.js``). Without them the test is skipped
on a developer machine and fails in CI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest

from tests.integration.cdp import Browser
from tests.integration.dark_site_helpers import check_atom, declare, publish, site_world

ROOT = Path(__file__).resolve().parents[2]
PHONE = 375


def _required() -> bool:
    return (os.environ.get("CI", "").lower() == "true"
            or os.environ.get("CRISISBOT_REQUIRE_CHROMIUM") == "1")


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if _required():
        pytest.fail("Chromium is not installed (apt-get install chromium); CI requires it",
                    pytrace=False)
    pytest.skip("Chromium is not installed")


@pytest.fixture(scope="module")
def axe_js() -> str:
    path = Path(os.environ.get("CRISISBOT_AXE_JS")
                or ROOT / ".ci" / "axe" / "node_modules" / "axe-core" / "axe.min.js")
    if not path.is_file():
        if _required():
            pytest.fail(f"axe-core is not installed at {path} (.ci/run installs it from npm)",
                        pytrace=False)
        pytest.skip("axe-core is not installed (npm install --prefix .ci/axe axe-core)")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def world(tmp_path, clock):
    w = site_world(tmp_path, clock=clock)
    yield w
    w.close()


AXE_RUN = """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))"""
LAYOUT = """({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  body: document.body.scrollWidth, text: document.body.innerText,
  langs: Array.from(document.querySelectorAll('[lang]')).map(e => e.getAttribute('lang')),
  landmarks: ['header', 'nav', 'main', 'footer'].filter(t => document.querySelector(t)),
  scripts: document.scripts.length})"""


def test_published_statements_in_both_languages_fit_a_phone_and_pass_axe(
        world, chromium, axe_js, tmp_path):
    number = declare(world)
    publish(world, number, "customers", "holding", "en")
    publish(world, number, "customers", "holding", "zh")
    publish(world, number, "media", "qa", "en")
    english = world.incident(number).statement(1).text
    chinese = world.incident(number).statement(2).text

    atom = httpx.get(f"{world.server.url}/news/feed.atom", timeout=60)
    assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
    check_atom(atom.content)

    problems: dict[str, list] = {}
    for page in ("en/", "zh/"):
        browser = Browser(chromium, tmp_path / f"profile-{page.strip('/')}")
        try:
            browser.open(f"{world.server.url}/news/{page}", width=PHONE, height=800, mobile=True)
            layout = browser.evaluate(LAYOUT)
            shot = browser.screenshot(tmp_path / f"phone-{page.strip('/')}.png")
            browser.evaluate(axe_js)
            problems[page] = [v for v in browser.evaluate(AXE_RUN)
                              if v["impact"] in ("serious", "critical")]
        finally:
            browser.close()
        text = " ".join(layout["text"].split())
        for statement in (english, chinese):
            # the first line of each statement, as the reader sees it
            assert " ".join(statement.splitlines()[0].split()) in text, page
        assert layout["scroll"] <= layout["inner"] == PHONE, layout
        assert layout["body"] <= PHONE, layout
        assert {"en", "zh-Hans"} <= set(layout["langs"])
        assert layout["landmarks"] == ["header", "nav", "main", "footer"]
        assert layout["scripts"] == 0  # the page itself runs no JavaScript
        assert shot.stat().st_size > 10_000
    assert problems == {"en/": [], "zh/": []}, problems


def test_the_dormant_page_passes_axe_too(world, chromium, axe_js, tmp_path):
    browser = Browser(chromium, tmp_path / "profile")
    try:
        browser.open(f"{world.server.url}/news/", width=PHONE, mobile=True)
        layout = browser.evaluate(LAYOUT)
        browser.evaluate(axe_js)
        violations = [v for v in browser.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")]
    finally:
        browser.close()
    assert "No active notices" in layout["text"]
    assert layout["scroll"] <= layout["inner"]
    assert violations == []
