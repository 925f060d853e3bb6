"""The ``monitors:`` site-config section and alert routing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.monitors.config import parse_monitors
from bot.adapters.monitors.routing import Router
from bot.domain.alerts import Alert, AlertStatus
from bot.domain.errors import InvalidInput
from bot.domain.severity import Severity
from bot.siteconfig import parse_site_config
from tests.conftest import T0

TYPES = ("service_logistics", "brand_reputation", "data_security")


def alert(monitor="checkout-5xx", **labels) -> Alert:
    severity = labels.pop("severity", None)
    crisis_type = labels.pop("crisis_type", None)
    return Alert(monitor=monitor, fingerprint="f", status=AlertStatus.FIRING, title="t",
                 observed_at=T0, severity=severity, crisis_type=crisis_type, labels=labels)


CONFIG = {
    "fallback_type": "service_logistics",
    "refire_window": "90m",
    "on_higher_severity": "propose",
    "routes": [
        {"match": {"labels": {"env": "staging"}}, "ignore": True},
        {"match": {"monitor": "checkout-*", "labels": {"env": "prod"}},
         "crisis_type": "service_logistics", "severity": "S", "group_by": ["monitor", "region"]},
    ],
    "snoozes": [{"monitor": "nightly-batch", "until": "2026-11-21T06:00:00Z"}],
}


def test_the_monitors_section_is_read_into_the_site_config():
    site = parse_site_config({"monitors": CONFIG})
    assert site.monitors.refire_window == timedelta(minutes=90)
    assert site.monitors.raise_severity is False
    assert len(site.monitors.routes) == 2
    assert site.monitors.snoozed("nightly-batch", T0)
    assert not site.monitors.snoozed("checkout-5xx", T0)


def test_a_matching_route_decides_type_severity_and_group():
    route = Router(parse_monitors(CONFIG), crisis_types=TYPES)(alert(env="prod", region="eu"))
    assert (route.crisis_type, route.severity) == ("service_logistics", Severity.S)
    assert route.group_key == "monitor=checkout-5xx,region=eu"
    assert not route.ignore


def test_an_ignore_route_drops_the_alert():
    assert Router(parse_monitors(CONFIG), crisis_types=TYPES)(alert(env="staging")).ignore


def test_unmatched_alerts_read_their_labels_then_fall_back_to_an_a_level_incident():
    router = Router(parse_monitors(CONFIG), crisis_types=TYPES)
    labelled = router(alert("mentions", crisis_type="brand_reputation", severity=Severity.SS))
    assert (labelled.crisis_type, labelled.severity) == ("brand_reputation", Severity.SS)
    plain = router(alert("mentions"))
    assert (plain.crisis_type, plain.severity) == ("service_logistics", Severity.A)
    assert plain.group_key == "monitor=mentions"
    unknown = router(alert("mentions", crisis_type="alien_invasion"))
    assert unknown.crisis_type == "service_logistics"


@pytest.mark.parametrize(
    ("section", "named"),
    [
        ({"on_higher_severity": "panic"}, "on_higher_severity"),
        ({"refire_window": "soon"}, "refire_window"),
        ({"routes": [{"severity": "Z"}]}, r"routes\[0\].severity"),
        ({"routes": [{"group_by": "monitor"}]}, r"routes\[0\].group_by"),
        ({"snoozes": [{"monitor": "x", "until": "2026-11-21T06:00:00"}]}, "time zone"),
        ({"sources": [{"name": "s", "metric": "m", "path": "a.csv", "rule": {"kind": "magic"}}]},
         r"sources\[0\].rule.kind"),
        ({"sources": [{"name": "s", "metric": "m", "rule": {"kind": "threshold"}}]},
         "exactly one of url or path"),
        ({"sources": [{"name": "s", "metric": "m", "url": "ftp://x", "rule": {"kind": "threshold"}}]},
         "http"),
        ({"sources": [{"name": "s", "metric": "m", "path": "a.csv", "rule": {"kind": "change"}}]},
         "pct"),
    ],
)
def test_config_problems_name_the_key(section, named):
    with pytest.raises(InvalidInput, match=named):
        parse_monitors(section)


def test_the_example_site_config_documents_a_valid_monitors_section(tmp_path):
    """The example ships its polled sources commented out (they point at sample data and
    made-up URLs); uncommented, they are valid."""
    import re
    import shutil
    from pathlib import Path

    import yaml

    from bot.siteconfig import load_site_config

    root = Path(__file__).resolve().parents[2]
    text = (root / "crisisbot.example.yaml").read_text(encoding="utf-8")
    assert load_site_config(root / "crisisbot.example.yaml").monitors.sources == ()
    assert yaml.safe_load(text)["monitors"]["routes"]
    uncommented = re.sub(r"(?m)^  # (sources:|  )", r"  \1", text)
    (tmp_path / "crisisbot.yaml").write_text(uncommented, encoding="utf-8")
    shutil.copytree(root / "samples", tmp_path / "samples")
    site = load_site_config(tmp_path / "crisisbot.yaml")
    assert {s.rule.kind for s in site.monitors.sources} == {"change", "zscore"}
    assert site.monitors.sources[0].path.is_file()
