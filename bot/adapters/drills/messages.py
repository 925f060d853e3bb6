"""Drill control's words in Slack, English and Chinese. Scenario text is escaped for mrkdwn
(it is data a playbook author wrote, never markup); the gateway adds the DRILL marker."""

from __future__ import annotations

from typing import Any

from bot.adapters.drills.scorecard import render_files, t_plus
from bot.adapters.rendering.formatting import duration
from bot.adapters.slack.escape import escape_mrkdwn, mention, one_line
from bot.domain.drill_scores import Scorecard
from bot.domain.drills import DrillRun, Inject, InjectKind, Persona, Scenario
from bot.domain.incident import Incident
from bot.domain.roles import Role

PERSONA = {
    Persona.SOCIAL: (":iphone: Social media", "社交媒体"),
    Persona.JOURNALIST: (":newspaper: Journalist", "记者"),
    Persona.REGULATOR: (":classical_building: Regulator", "监管部门"),
    Persona.CUSTOMER: (":bust_in_silhouette: Customer", "顾客"),
    Persona.EXECUTIVE: (":briefcase: Executive", "高管"),
    Persona.CONTROL: (":joystick: Drill control", "演练控制"),
}
KIND = {
    InjectKind.ALERT: (":rotating_light: Monitor alert", "监控告警"),
    InjectKind.FACT: (":mag: Fact revealed (added to the facts register, unconfirmed)", "新事实（已加入事实登记，未确认）"),
    InjectKind.RETRACT: (":warning: Correction", "更正"),
    InjectKind.SEVERITY: (":chart_with_upwards_trend: Escalation", "事态升级"),
}


def _label(inject: Inject) -> tuple[str, str]:
    return PERSONA[inject.persona] if inject.kind is InjectKind.POST else KIND[inject.kind]


class SlackDrillNarrator:
    """The :class:`~bot.services.drills.DrillNarrator` for Slack."""

    def inject(self, *, scenario: Scenario, inject: Inject, run: DrillRun, early: bool) -> dict[str, Any]:
        en, zh = _label(inject)
        when = t_plus(inject.at) + (" (fired early by the facilitator / 提前触发)" if early else "")
        lines = [f"*{en}* / {zh} · inject {inject.no} · {when}",
                 f">{escape_mrkdwn(one_line(inject.text.en))}",
                 f">{escape_mrkdwn(one_line(inject.text.zh))}"]
        if inject.kind is InjectKind.SEVERITY and inject.severity:
            lines.append(f"_The situation now looks like severity {inject.severity.value}. "
                         f"情况已达到 {inject.severity.value} 级特征。_")
        if inject.expect is not None:
            lines.append(f"_Expected by {t_plus(inject.expect.by)} / 预期截止 {t_plus(inject.expect.by)}: "
                         f"{escape_mrkdwn(one_line(inject.expect.text.en))} · "
                         f"{escape_mrkdwn(one_line(inject.expect.text.zh))}_")
        return {"text": "\n".join(lines)}

    def control(self, *, what: str, scenario: Scenario, run: DrillRun, by: str) -> dict[str, Any]:
        title = escape_mrkdwn(one_line(scenario.title.en))
        title_zh = escape_mrkdwn(one_line(scenario.title.zh))
        if what == "started":
            text = (f":joystick: Drill *{title}* started by {mention(by)} · {len(scenario.injects)} "
                    f"injects over {duration(run.wall_duration)}; incident clocks run ×{run.clock_factor:g} "
                    f"({duration(run.wall_duration)} stand for {duration(run.represents)}).\n"
                    f"演练「{title_zh}」已开始 · {len(scenario.injects)} 个注入，历时 "
                    f"{duration(run.wall_duration, 'zh')}；事件时钟加速 {run.clock_factor:g} 倍。\n"
                    f">{escape_mrkdwn(one_line(scenario.summary.en))}")
        else:
            zh = {"paused": "已暂停", "resumed": "已继续", "ended": "已结束"}.get(what, what)
            text = f":joystick: Drill {what} by {mention(by)}. 演练{zh}。"
        return {"text": text}

    def scorecard(self, *, scenario: Scenario, run: DrillRun, card: Scorecard,
                  incident: Incident) -> dict[str, Any]:
        files = render_files(scenario=scenario, run=run, card=card, incident_label=incident.id)
        view = files["view"]
        lines = [f":bar_chart: *Drill scorecard* / 演练评分卡 — {escape_mrkdwn(one_line(scenario.title.en))}",
                 (f"Score 得分: *{view['score']}* — {card.met}/{len(card.results)} expectations met · "
                  f"达成 {card.met}/{len(card.results)} 项预期")]
        for row in view["expectations"]:
            icon = ":white_check_mark:" if row[4] == "met" else ":x:"
            done = f"done {row[3]}" if row[3] != "—" else "not done"
            lines.append(f"{icon} {row[0]} {escape_mrkdwn(one_line(row[1]))} — due {row[2]}, {done}")
        for row in view["response"][:2]:
            lines.append(f"• {row[0]}: {row[1]} (target {row[2]}) {row[3]}")
        lines.append(f"• Trend 趋势: {escape_mrkdwn(view['trend'])}")
        stem = f"{incident.id.lower()}-drill-{scenario.key}-run{run.id}"
        return {"text": "\n".join(lines), "markdown": files["markdown"], "html": files["html"],
                "filename": stem, "summary": files["summary"]}


def announcement(incident: Incident) -> str:
    """The drill channel's line when a drill opens (never the real announce channel)."""
    return (f":construction: *DRILL* {incident.id} · {escape_mrkdwn(one_line(incident.title))} — "
            f"severity {incident.severity.value}, led by {mention(incident.holder(Role.COMMANDER))}. "
            "An exercise, not a real incident · 演练，非真实事件。")
