"""Confidential incidents: the declare option, the playbook flag, the site's visibility, the
redacted announcement."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog, validate_dir
from bot.adapters.slack import commands as c
from bot.adapters.slack import messages
from bot.domain.errors import InvalidInput
from bot.domain.incident import Incident
from bot.domain.roles import Actor, Role
from bot.domain.severity import Severity
from bot.siteconfig import parse_site_config
from tests.conftest import T0

CATALOG = load_catalog(bundled_playbooks_dir())
LEAD = Actor("ULEAD")


def declare(crisis_type: str, *, confidential: bool | None = None) -> Incident:
    incident = Incident.declare(number=3, title="Payment page shows other addresses",
                                playbook=CATALOG.playbook(crisis_type), severity=Severity.S,
                                description="", actor=LEAD, at=T0, confidential=confidential)
    incident.assign_role(Role.COMMANDER, LEAD.id, actor=LEAD, at=T0)
    return incident


@pytest.mark.parametrize("text, expected", [
    ("declare Customer data exposed confidential:yes", True),
    ("declare Customer data exposed confidential:no type:data_security", False),
    ("declare Customer data exposed confidential: yes", True),
    ("declare Customer data exposed", None),
])
def test_declare_takes_a_confidential_option(text, expected):
    parsed = c.parse_command(text)
    assert parsed.confidential is expected and parsed.title == "Customer data exposed"


def test_a_confidential_option_needs_yes_or_no():
    with pytest.raises(InvalidInput) as info:
        c.parse_command("declare Leak confidential:perhaps")
    assert "yes or no" in info.value.message


def test_data_security_is_confidential_by_default_and_the_others_are_not():
    assert CATALOG.playbook("data_security").confidential
    assert not CATALOG.playbook("brand_reputation").confidential
    assert declare("data_security").confidential
    assert not declare("data_security", confidential=False).confidential
    assert declare("brand_reputation", confidential=True).confidential


def test_confidentiality_survives_a_replay():
    incident = declare("data_security")
    replayed = Incident.replay(list(incident.pending))
    assert replayed.confidential


def test_a_non_boolean_confidential_flag_is_a_validation_problem(tmp_path: Path):
    target = tmp_path / "playbooks"
    shutil.copytree(bundled_playbooks_dir(), target)
    path = target / "data_security.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("confidential: true",
                                                             "confidential: maybe"),
                    encoding="utf-8")
    problems = [str(p) for p in validate_dir(target)]
    assert any("data_security.yaml" in p and "confidential" in p for p in problems), problems


def test_the_announcement_of_a_confidential_incident_is_redacted():
    incident = declare("data_security")
    text = messages.announcement(incident, playbook_name="Data security")
    assert "confidential incident" in text and "INC-3" in text and "<@ULEAD>" in text
    assert "Payment" not in text and "Data security" not in text
    ordinary = declare("brand_reputation")
    assert "Payment page" in messages.announcement(ordinary, playbook_name="Brand")


def test_site_visibility_defaults_to_workspace_and_refuses_other_values():
    assert parse_site_config({}).visibility == "workspace"
    assert parse_site_config({"visibility": "members"}).reads_restricted
    with pytest.raises(InvalidInput) as info:
        parse_site_config({"visibility": "everyone"}, source="crisisbot.yaml")
    assert "crisisbot.yaml" in info.value.message and "visibility" in info.value.message


def test_standing_marks_reads_restricted_for_confidential_incidents():
    incident = declare("data_security")
    assert incident.standing(Actor("UX")).reads_restricted
    assert not declare("brand_reputation").standing(Actor("UX")).reads_restricted
    assert declare("brand_reputation").standing(Actor("UX"), restrict_reads=True).reads_restricted
