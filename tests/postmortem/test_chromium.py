"""The HTML post-mortem opened in headless Chromium: the SVG charts really draw.

Chromium comes from Debian's packages (``.ci/run`` installs it). Without it the test is
skipped on a developer machine, and fails in CI (``CI=true`` or
``CRISISBOT_REQUIRE_CHROMIUM=1``), as PostgreSQL does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from bot.adapters.rendering.postmortem.html_report import render_html
from tests.postmortem.test_render import rich_incident

def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    required = (os.environ.get("CI", "").lower() == "true"
                or os.environ.get("CRISISBOT_REQUIRE_CHROMIUM") == "1")
    if required:
        pytest.fail("Chromium is not installed (apt-get install chromium); CI requires it",
                    pytrace=False)
    pytest.skip("Chromium is not installed")


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120,
    )


def coloured_pixels(png: Path) -> int:
    """Pixels of saturated colour (chart bars, lines, fills), not text grey or table lines."""
    image = imread(str(png))[..., :3]
    spread = image.max(axis=2) - image.min(axis=2)
    return int(np.count_nonzero(spread > 0.3))


def test_the_html_charts_render_in_headless_chromium(chromium, report_of, tmp_path):
    report = report_of(rich_incident())
    with_charts = tmp_path / "postmortem.html"
    with_charts.write_text(render_html(report), encoding="utf-8")
    without = tmp_path / "no-charts.html"
    without.write_text(render_html(report, charts=False), encoding="utf-8")

    dom = run_chromium(chromium, tmp_path / "profile-dom", "--dump-dom", with_charts.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    svgs = re.findall(r"<svg\b.*?</svg>", dom.stdout, flags=re.DOTALL)
    assert len(svgs) == 5
    assert all(len(re.findall(r"<path\b", svg)) >= 5 for svg in svgs)

    shots = {}
    for name, page in (("charts", with_charts), ("plain", without)):
        png = tmp_path / f"{name}.png"
        shot = run_chromium(chromium, tmp_path / f"profile-{name}", "--window-size=1000,7000",
                            f"--screenshot={png}", page.as_uri())
        assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
        shots[name] = coloured_pixels(png)
    # the page itself draws (coloured state words), the five charts add tens of thousands
    assert shots["plain"] > 0
    assert shots["charts"] > shots["plain"] + 20_000, shots


def test_the_html_prints_on_a4_pages(chromium, report_of, tmp_path):
    page = tmp_path / "postmortem.html"
    page.write_text(render_html(report_of(rich_incident())), encoding="utf-8")
    pdf = tmp_path / "postmortem.pdf"
    printed = run_chromium(chromium, tmp_path / "profile-pdf", "--no-pdf-header-footer",
                           f"--print-to-pdf={pdf}", page.as_uri())
    assert printed.returncode == 0 and pdf.exists(), printed.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) >= 2  # several pages, every one A4 (595 × 842 pt)
    assert all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes), boxes
