"""The ``publish:`` section: targets per audience, FILE:LINE errors."""

from __future__ import annotations

import textwrap

import pytest

from bot.domain.errors import InvalidInput
from bot.publish_config import load_publish

GOOD = """\
publish:
  targets:
    site: {type: site}
    cms: {type: webhook, url: "https://cms.example/hook", secret: "env:CMS"}
    partners: {type: smtp, host: smtp.example, from: a@example.com, to: [p@example.com]}
    status: {type: slack, channel: crisis-status}
  audiences:
    customers: [site, cms, status]
    media: [site]
    partners: [partners]
"""


def write(tmp_path, text):
    path = tmp_path / "crisisbot.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_targets_per_audience(tmp_path):
    config = load_publish(write(tmp_path, GOOD))
    assert [t.name for t in config.targets_for("customers")] == ["site", "cms", "status"]
    assert config.targets_for("regulators") == ()
    assert config.site_audiences() == {"customers", "media"}


@pytest.mark.parametrize("bad, line, words", [
    (GOOD.replace("media: [site]", "press: [site]"), 9, "unknown audience"),
    (GOOD.replace("media: [site]", "media: [website]"), 9, "no target `website`"),
    (GOOD.replace("type: site", "type: carrier-pigeon"), 3, "must be one of"),
    (GOOD.replace(', secret: "env:CMS"', ""), 4, "needs secret"),
    (GOOD.replace(", to: [p@example.com]", ""), 5, "needs `to`"),
    (GOOD.replace('url: "https://cms.example/hook"', 'url: "ftp://cms"'), 4, "http(s) URL"),
])
def test_each_problem_names_file_and_line(tmp_path, bad, line, words):
    path = write(tmp_path, bad)
    with pytest.raises(InvalidInput) as caught:
        load_publish(path)
    assert caught.value.message.startswith(f"{path}:{line}: publish"), caught.value.message
    assert words in caught.value.message
