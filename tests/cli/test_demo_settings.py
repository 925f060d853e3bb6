"""`crisisbot demo` (the real executable) honours CRISISBOT_CONFIG and CRISISBOT_PLAYBOOKS."""

from __future__ import annotations

import shutil

from bot.adapters.playbooks import bundled_playbooks_dir
from tests.cli.test_errors import run


def test_demo_reads_the_site_config_and_the_playbooks_directory(tmp_path):
    config = tmp_path / "site.yaml"
    config.write_text('company: {name: "Zeta Outfitters", contact: "help.zeta.example"}\n',
                      encoding="utf-8")
    playbooks = tmp_path / "my-playbooks"
    shutil.copytree(bundled_playbooks_dir(), playbooks)
    template = playbooks / "templates/statements/customers/holding.en.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "a message to our customers", "a note from our own playbooks"), encoding="utf-8")
    result = run(tmp_path, "demo", CRISISBOT_CONFIG=str(config), CRISISBOT_PLAYBOOKS=str(playbooks))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Zeta Outfitters" in result.stdout and "help.zeta.example" in result.stdout
    assert "a note from our own playbooks" in result.stdout
    assert "Acme Shop" not in result.stdout
