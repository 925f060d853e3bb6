from __future__ import annotations

import pytest

from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.adapters.rendering.postmortem import PostmortemInput
from bot.adapters.rendering.postmortem.report import build_report


@pytest.fixture(scope="session")
def pm_catalog():
    return load_catalog(bundled_playbooks_dir())


@pytest.fixture
def report_of(pm_catalog):
    def build(source: PostmortemInput):
        data = source.records[0].payload
        try:
            playbook = pm_catalog.playbook(str(data.get("crisis_type")))
        except KeyError:
            playbook = None
        return build_report(source, policy=pm_catalog.policy, playbook=playbook)
    return build
