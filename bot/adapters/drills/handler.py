"""``/crisis drill …``: through the permission table (roster commanders and execs, plus the
site's drill facilitators) to one :class:`~bot.services.drills.DrillService` call and a reply."""

from __future__ import annotations

from bot.adapters.drills.commands import parse_drill
from bot.adapters.drills.config import DrillSettings
from bot.adapters.rendering.formatting import crisis_type_label, duration
from bot.adapters.slack import commands as c
from bot.adapters.slack.escape import escape_mrkdwn, one_line
from bot.adapters.slack.handlers import CommandHandler, Reply, error_reply
from bot.domain.permissions import Standing, check, permission
from bot.services.drills import DrillService


class DrillHandler:
    def __init__(self, *, service: DrillService, commands: CommandHandler,
                 settings: DrillSettings) -> None:
        self.service = service
        self.commands = commands
        self.settings = settings

    def handle(self, command: c.Drill, *, user_id: str, channel_id: str | None,
               key: str | None = None) -> Reply:
        """Never raises: errors become a reply."""
        try:
            return self._handle(command, user_id=user_id, channel_id=channel_id, key=key)
        except Exception as exc:  # noqa: BLE001 - every error gets an answer
            return error_reply(exc)

    def _handle(self, command: c.Drill, *, user_id: str, channel_id: str | None,
                key: str | None) -> Reply:
        action = parse_drill(command.args)
        row = permission(f"drill {action.verb}")
        actor = self.commands.actor(user_id)
        check(row, Standing(user=user_id, roster_roles=actor.roles,
                            drill_facilitator=self.settings.is_facilitator(user_id)),
              incident_label=None)
        if action.verb == "list":
            return Reply(self.listing())
        if action.verb == "start":
            run, outcome = self.service.start(action.scenario, actor=actor, team=action.team,
                                              scale=action.scale, idempotency_key=key)
            if outcome.duplicate:
                return Reply(":white_check_mark: That drill has already started.")
            return Reply(f":joystick: Drill {outcome.incident.id} started: `{run.scenario}`, "
                         f"{duration(run.wall_duration)} at ×{run.clock_factor:g}; its channel is "
                         f"being opened. 演练已开始，频道正在创建。")
        number = self.commands.incident_for(command, channel_id)
        if action.verb == "inject":
            inject = self.service.inject_now(number, action.no or 0, actor=actor)
            return Reply(f":white_check_mark: Inject {inject.no} fired early. 注入 {inject.no} 已提前触发。")
        if action.verb == "end":
            ended = self.service.end(number, actor=actor)
            return Reply(f":checkered_flag: Drill ended: {ended.card.met}/{len(ended.card.results)} "
                         f"expectations met; the scorecard is being posted. 演练结束，评分卡即将发布。")
        getattr(self.service, action.verb)(number, actor=actor)
        return Reply(f":white_check_mark: Drill {action.verb}d. 演练已{'暂停' if action.verb == 'pause' else '继续'}。")

    def listing(self) -> str:
        lines = ["*Drill scenarios* / 演练场景"]
        for key, s in sorted(self.service.scenarios.items()):
            lines.append(f"• `{key}` — {escape_mrkdwn(one_line(s.title.en))} / "
                         f"{escape_mrkdwn(one_line(s.title.zh))} · {escape_mrkdwn(crisis_type_label(s.crisis_type))} "
                         f"{s.severity.value} · "
                         f"{len(s.injects)} injects · {duration(s.duration)} ≙ {duration(s.represents)}")
        return "\n".join(lines)
