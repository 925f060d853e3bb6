"""A real Alertmanager (Debian's ``prometheus-alertmanager``) delivering to ``crisisbot serve``.

Alerts are pushed through Alertmanager's own API (``POST /api/v2/alerts``); Alertmanager groups
them and posts its webhook to the bot, re-sending at every (tiny) ``repeat_interval``. The test
walks fire → repeats → a person resolves while the alerts still fire → more repeats →
Alertmanager resolves → one alert re-fires with a new ``startsAt``, and checks incidents,
channels, timeline events, the "still firing" notice and reopen offers exactly.

``.ci/run`` installs the package. Without it the test is skipped on a developer machine and
fails in CI (``CI=true`` or ``CRISISBOT_REQUIRE_ALERTMANAGER=1``), as Chromium and PostgreSQL do.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.db import make_engine
from bot.adapters.db.models import IncidentRow, TimelineRow
from bot.adapters.db.monitor_models import AlertRow
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.integration.processes import ServeProcess, free_port
from tests.integration.slack_world import PEOPLE

BINARY = "/usr/bin/prometheus-alertmanager"
TIMEOUT = 90.0  # generous: the machine is shared and Alertmanager ticks every second


def _alertmanager() -> str:
    found = shutil.which("prometheus-alertmanager") or (BINARY if Path(BINARY).exists() else None)
    if found:
        return found
    if (os.environ.get("CI", "").lower() == "true"
            or os.environ.get("CRISISBOT_REQUIRE_ALERTMANAGER") == "1"):
        pytest.fail("prometheus-alertmanager is not installed (apt-get install "
                    "prometheus-alertmanager); CI requires it", pytrace=False)
    pytest.skip("prometheus-alertmanager is not installed")


def until(predicate: Callable[[], bool], *, timeout: float = TIMEOUT, what: str = "") -> None:
    """Poll ``predicate`` (a database or emulator read) until true; fail after ``timeout``."""
    stop = threading.Event()
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while not predicate():
        if datetime.now(UTC) > deadline:
            pytest.fail(f"timed out waiting for {what or predicate}")
        stop.wait(0.2)


class Stack:
    """Slack emulator + ``crisisbot serve`` + Alertmanager, all on this machine."""

    def __init__(self, tmp: Path, binary: str) -> None:
        self.emulator = SlackEmulator().start()
        for user in PEOPLE:
            self.emulator.add_user(user, name=user.lower())
        self.emulator.add_channel("general", members=[*PEOPLE, "UBOT"])
        self.emulator.add_channel("crisis-announce", members=["UBOT"])
        config = tmp / "crisisbot.yaml"
        config.write_text(yaml.safe_dump({
            "announce_channel": "crisis-announce",
            "roster": {role: [uid] for uid, role in PEOPLE.items() if role and role != "lead"},
            "monitors": {"fallback_type": "service_logistics", "refire_window": "2h"},
        }), encoding="utf-8")
        self.secret = secrets.token_hex(16)
        signing = secrets.token_hex(16)
        self.database_url = f"sqlite:///{tmp / 'bot.db'}"
        port = free_port()
        self.serve = ServeProcess({
            **os.environ, "CRISISBOT_DATABASE_URL": self.database_url,
            "SLACK_API_URL": self.emulator.api_url, "SLACK_BOT_TOKEN": self.emulator.token,
            "SLACK_SIGNING_SECRET": signing, "CRISISBOT_MONITOR_SECRET": self.secret,
            "CRISISBOT_CONFIG": str(config),
        }, port)
        self.bot_url = f"http://127.0.0.1:{port}"
        self.driver = SlackDriver(bot_url=self.bot_url, emulator=self.emulator, signing_secret=signing)
        self.engine = make_engine(self.database_url)
        self.am_port = free_port()
        am_config = tmp / "alertmanager.yml"
        am_config.write_text(yaml.safe_dump({
            "route": {"receiver": "crisisbot", "group_by": ["alertname"], "group_wait": "1s",
                      "group_interval": "1s", "repeat_interval": "2s"},
            "receivers": [{"name": "crisisbot", "webhook_configs": [{
                "url": f"{self.bot_url}/monitors/alertmanager", "send_resolved": True,
                "http_config": {"authorization": {"type": "Bearer", "credentials": self.secret}},
            }]}],
        }), encoding="utf-8")
        self.am_log = (tmp / "alertmanager.log").open("w")
        self.alertmanager = subprocess.Popen(
            [binary, f"--config.file={am_config}", f"--storage.path={tmp / 'am-data'}",
             f"--web.listen-address=127.0.0.1:{self.am_port}", "--cluster.listen-address=",
             "--log.level=warn"],
            stdout=self.am_log, stderr=subprocess.STDOUT,
        )
        self.am_url = f"http://127.0.0.1:{self.am_port}"
        until(self._am_ready, what="Alertmanager to listen")

    def _am_ready(self) -> bool:
        if self.alertmanager.poll() is not None:
            pytest.fail(f"Alertmanager exited with {self.alertmanager.returncode}")
        try:
            return httpx.get(f"{self.am_url}/-/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def push(self, *alerts: dict[str, Any]) -> None:
        response = httpx.post(f"{self.am_url}/api/v2/alerts", json=list(alerts), timeout=10)
        assert response.status_code == 200, response.text

    # ------------------------------------------------------------------ reading

    def incidents(self) -> list[IncidentRow]:
        with Session(self.engine) as session:
            return list(session.scalars(select(IncidentRow).order_by(IncidentRow.number)))

    def events(self, name: str) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            return [row.payload for row in session.scalars(
                select(TimelineRow).where(TimelineRow.name == name).order_by(TimelineRow.id))]

    def alerts(self) -> dict[str, AlertRow]:
        with Session(self.engine) as session:
            return {row.labels.get("instance", ""): row for row in session.scalars(select(AlertRow))}

    def channels(self) -> list[dict[str, Any]]:
        return [c for c in self.emulator.channels() if c["name"].startswith("inc-")]

    def texts(self) -> list[str]:
        (channel,) = self.channels()
        return [m.get("text", "") for m in self.emulator.messages(channel["id"])]

    def reopen_offers(self) -> int:
        (channel,) = self.channels()
        return sum("reopen_incident" in json.dumps(m.get("blocks", []))
                   for m in self.emulator.messages(channel["id"]))

    def command(self, text: str, *, user: str) -> None:
        (channel,) = self.channels()
        response = self.driver.command(text, user=user, channel=channel["id"])
        assert response.status_code == 200, response.text

    def close(self) -> None:
        self.alertmanager.terminate()
        try:
            self.alertmanager.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.alertmanager.kill()
        self.am_log.close()
        self.driver.close()
        self.serve.stop()
        self.engine.dispose()
        self.emulator.stop()


@pytest.fixture
def stack(tmp_path) -> Iterator[Stack]:
    binary = _alertmanager()
    running = Stack(tmp_path, binary)
    try:
        yield running
    finally:
        running.close()


def am_alert(instance: str, *, starts_at: datetime, ends_at: datetime | None = None) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "labels": {"alertname": "CheckoutErrorBudgetBurn", "instance": instance,
                   "severity": "critical", "service": "checkout"},
        "annotations": {"summary": "Checkout error budget burning 14x",
                        "description": f"5xx ratio above 2% on {instance}",
                        "runbook_url": "https://runbooks.acme.example/checkout-5xx"},
        "startsAt": starts_at.isoformat(),
        "generatorURL": "http://prometheus.acme.example:9090/graph?g0.expr=checkout",
    }
    if ends_at is not None:
        alert["endsAt"] = ends_at.isoformat()
    return alert


def test_alertmanager_fire_repeat_human_resolve_resolve_and_refire(stack):
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    stack.push(am_alert("checkout-a:8080", starts_at=started), am_alert("checkout-b:8080", starts_at=started))

    # Fire: one incident for the group, both alerts on it, one channel.
    until(lambda: len(stack.events("alert.fired")) == 2, what="both alerts to fire")
    assert [i.number for i in stack.incidents()] == [1]
    until(lambda: len(stack.channels()) == 1, what="the incident channel")
    assert stack.incidents()[0].severity == "S"  # severity: critical -> S (default table)

    # Repeat interval: Alertmanager re-sends the unchanged alerts; they are only counted.
    until(lambda: min(r.count for r in stack.alerts().values()) >= 3, what="three deliveries")
    assert len(stack.events("alert.fired")) == 2
    assert len(stack.incidents()) == 1 and len(stack.channels()) == 1

    # A person resolves while the alerts still fire: told once, re-sends stay quiet.
    stack.command("role commander <@ULEAD|lead>", user="UEXEC")
    until(lambda: any("commander" in t.lower() for t in stack.texts()), what="the commander role")
    stack.command("resolve customers served again", user="ULEAD")
    until(lambda: stack.incidents()[0].status == "resolved", what="the human resolution")
    counted = min(r.count for r in stack.alerts().values())
    until(lambda: min(r.count for r in stack.alerts().values()) >= counted + 3,
          what="re-sends after the resolution")
    until(lambda: any("still firing after resolution" in t for t in stack.texts()), what="the notice")
    assert sum("2 signals still firing after resolution" in t for t in stack.texts()) == 1
    assert len(stack.events("alert.fired")) == 2
    assert stack.reopen_offers() == 0
    assert not any("fired again" in t for t in stack.texts())
    assert len(stack.incidents()) == 1 and len(stack.channels()) == 1
    assert stack.incidents()[0].status == "resolved"

    # Alertmanager resolves them: recorded on the timeline, quietly.
    messages_before = len(stack.texts())
    ended = datetime.now(UTC).replace(microsecond=0)
    stack.push(am_alert("checkout-a:8080", starts_at=started, ends_at=ended),
               am_alert("checkout-b:8080", starts_at=started, ends_at=ended))
    until(lambda: {r.status for r in stack.alerts().values()} == {"resolved"}, what="the resolves")
    until(lambda: len(stack.events("alert.resolved")) == 2, what="alert.resolved events")
    assert not any("monitor *CheckoutErrorBudgetBurn* resolved" in t for t in stack.texts())
    assert len(stack.texts()) == messages_before

    # Re-fire with a new startsAt: it rejoins the incident with one reopen offer.
    refired = ended + timedelta(seconds=1)
    stack.push(am_alert("checkout-a:8080", starts_at=refired))
    until(lambda: len(stack.events("alert.fired")) == 3, what="the re-fire")
    until(lambda: stack.reopen_offers() == 1, what="the reopen offer")
    fired = stack.events("alert.fired")[-1]
    assert fired["labels"]["instance"] == "checkout-a:8080"
    assert datetime.fromisoformat(fired["first_seen"]) == refired
    # ... and its repeats change nothing more.
    counted = stack.alerts()["checkout-a:8080"].count
    until(lambda: stack.alerts()["checkout-a:8080"].count >= counted + 2, what="repeats of the re-fire")
    assert len(stack.events("alert.fired")) == 3
    assert stack.reopen_offers() == 1
    assert sum("was resolved, but this signal fired again" in t for t in stack.texts()) == 1
    assert [i.number for i in stack.incidents()] == [1] and len(stack.channels()) == 1
    assert stack.alerts()["checkout-b:8080"].status == "resolved"
