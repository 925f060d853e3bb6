"""``/crisis oncall …`` after the permission table: one duty-service call and a reply."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.handlers import Reply
from bot.adapters.slack.oncall import messages as m
from bot.adapters.slack.oncall.commands import Oncall, OncallOverride, OncallSwap
from bot.domain.roles import Actor
from bot.services.oncall import DutyService


class OncallHandler:
    """Called by ``CommandHandler`` for the rows whose call is ``duty.*``."""

    def __init__(self, *, duty: DutyService, zone: str) -> None:
        self.duty = duty
        self.zone = zone

    def __call__(self, command: Any, *, method: str, actor: Actor) -> Reply:
        return getattr(self, method)(command, actor=actor)

    def show(self, command: Oncall, *, actor: Actor) -> Reply:
        if not self.duty.configured:
            return Reply(m.NO_ROTA)
        return Reply(m.duty_text(self.duty.show(command.role), zone=self.zone))

    def override(self, command: OncallOverride, *, actor: Actor) -> Reply:
        done = self.duty.override(role=command.role, user=command.user,
                                  duration=command.duration, actor=actor)
        return Reply(m.overridden(done, zone=self.zone), public=True)

    def swap(self, command: OncallSwap, *, actor: Actor) -> Reply:
        pair = self.duty.swap(role=command.role, first=command.first or actor.id,
                              second=command.second, actor=actor)
        return Reply(m.swapped(pair, zone=self.zone), public=True)

    def home_section(self) -> str | None:
        """The App Home's "on duty today" text, or None without a rota."""
        if not self.duty.configured:
            return None
        return m.home_duty(self.duty.today(), zone=self.zone)
