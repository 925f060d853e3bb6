"""The drill scorecard as files (Markdown and HTML, like the post-mortem) and as the summary
lines posted in the channel. Durations and labels come from the shared formatting layer; user
and scenario text is escaped (Markdown with the post-mortem's ``md_escape``, HTML by Jinja's
autoescaping in the shared sandbox)."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.adapters.rendering.formatting import duration, percent
from bot.adapters.rendering.formatting.dates import format_datetime
from bot.adapters.rendering.jinja_env import build_environment
from bot.domain.drill_scores import Measure, Scorecard
from bot.domain.drills import DrillRun, Scenario

TEMPLATES = Path(__file__).parent / "templates"

_WORDS = {
    "title": ("Drill scorecard", "演练评分卡"),
    "expectations": ("Expectations", "预期"),
    "inject": ("Inject", "注入"),
    "expected": ("Expected", "预期行为"),
    "due": ("Due", "截止"),
    "done_at": ("Done at", "完成于"),
    "result": ("Result", "结果"),
    "met": ("met", "达成"),
    "missed": ("missed", "未达成"),
    "response": ("Response on the drill clock", "演练时钟下的响应"),
    "measure": ("Measure", "指标"),
    "value": ("Value", "实际"),
    "target": ("Scaled target", "缩放后目标"),
    "team": ("Team assembled", "团队集结"),
    "first": ("First statement (golden 4 h, scaled)", "首次声明（黄金4小时，缩放）"),
    "waits": ("Approval waits", "审批等待"),
    "lint": ("Lint errors at submission", "提交时的检查错误"),
    "tasks": ("Tasks on time / late / open", "任务 按时 / 逾期 / 未完成"),
    "answers": ("Injects answered", "注入响应"),
    "fired": ("Fired", "触发于"),
    "answered": ("Answered after", "响应用时"),
    "unanswered": ("not answered", "未响应"),
    "retractions": ("Retracted facts", "撤回的事实"),
    "caught": ("caught before publication", "发布前已撤回"),
    "not_caught": ("NOT caught before publication", "发布前未撤回"),
    "trend": ("Trend against earlier runs", "与以往演练对比"),
    "score": ("Score", "得分"),
    "first_run": ("first run of this scenario", "该场景首次演练"),
    "scale": ("Clock", "时钟"),
    "started": ("Started", "开始于"),
    "fact": ("Fact", "事实"),
    "not_done": ("not done", "未完成"),
}


def w(key: str, lang: str) -> str:
    en, zh = _WORDS[key]
    return zh if lang == "zh" else en


def t_plus(delta: timedelta | None, lang: str = "en") -> str:
    return "—" if delta is None else "T+" + duration(max(delta, timedelta(0)), lang)


def span(delta: timedelta | None, lang: str = "en") -> str:
    return "—" if delta is None else duration(delta, lang)


def scorecard_view(*, scenario: Scenario, run: DrillRun, card: Scorecard, incident_label: str,
                   lang: str = "en") -> dict[str, Any]:
    """Everything the files and the Slack summary show, as plain strings."""
    def measure(m: Measure) -> list[str]:
        state = "" if m.met is None else (w("met", lang) if m.met else w("missed", lang))
        return [t_plus(m.value, lang), t_plus(m.target, lang), state]

    waits = ", ".join(span(x, lang) for x in card.approval_waits) or "—"
    trend = [percent(s, share=True) for s in card.trend] + [percent(card.score, share=True)]
    return {
        "title": f"{w('title', lang)} — {scenario.title.get(lang)}",
        "incident": incident_label,
        "started": format_datetime(run.started_at, zone="UTC", lang=lang),
        "score": percent(card.score, share=True),
        "met": card.met, "total": len(card.results),
        "clock": (f"{duration(run.wall_duration, lang)} = {duration(run.represents, lang)} "
                  f"(×{card.clock_factor:g})"),
        "expectations": [
            [f"#{r.inject}", r.expectation.text.get(lang), t_plus(r.due, lang),
             t_plus(r.met_at, lang), w("met", lang) if r.met else w("missed", lang)]
            for r in card.results
        ],
        "response": [
            [w("team", lang), *measure(card.team_assembly)],
            [w("first", lang), *measure(card.first_statement)],
            [w("waits", lang), waits, "", ""],
            [w("lint", lang), str(card.lint_errors_at_submission), "", ""],
            [w("tasks", lang), f"{card.tasks_on_time} / {card.tasks_late} / {card.tasks_open}", "", ""],
        ],
        "answers": [[f"#{a.inject}", t_plus(a.fired_at, lang),
                     span(a.answered_after, lang) if a.answered_after is not None else w("unanswered", lang)]
                    for a in card.answers],
        "retractions": [[f"#{r.inject}", f"{w('fact', lang)} #{r.fact_no}" if r.fact_no else "—",
                         w("caught", lang) if r.caught else w("not_caught", lang),
                         t_plus(r.retracted_at, lang)] for r in card.retractions],
        "trend": " → ".join(trend) if card.trend else w("first_run", lang),
        "words": {k: w(k, lang) for k in _WORDS},
    }


def render_markdown(view: dict[str, Any]) -> str:
    # The post-mortem package loads pandas: only when a scorecard is written, not at start-up.
    from bot.adapters.rendering.postmortem.markdown import md_escape

    words = view["words"]
    headline = (f"{md_escape(view['incident'])} · {words['score']}: **{view['score']}** "
                f"({view['met']}/{view['total']}) · {words['scale']}: {md_escape(view['clock'])} · "
                f"{words['started']}: {md_escape(view['started'])}")
    out = [f"# {md_escape(view['title'])}", "", headline, ""]

    def table(head: list[str], rows: list[list[str]]) -> None:
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        out.extend("| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows)
        out.append("")

    out += [f"## {words['expectations']}", ""]
    table([words["inject"], words["expected"], words["due"], words["done_at"], words["result"]],
          view["expectations"])
    out += [f"## {words['response']}", ""]
    table([words["measure"], words["value"], words["target"], words["result"]], view["response"])
    out += [f"## {words['answers']}", ""]
    table([words["inject"], words["fired"], words["answered"]], view["answers"])
    if view["retractions"]:
        out += [f"## {words['retractions']}", ""]
        table([words["inject"], words["fact"], words["result"], words["done_at"]], view["retractions"])
    out += [f"## {words['trend']}", "", md_escape(view["trend"]), ""]
    return "\n".join(out)


@lru_cache(maxsize=1)
def _env() -> ImmutableSandboxedEnvironment:
    return build_environment(directory=TEMPLATES, autoescape=True)


def render_html(view: dict[str, Any]) -> str:
    return _env().get_template("scorecard.html.j2").render(v=view)


def render_files(*, scenario: Scenario, run: DrillRun, card: Scorecard,
                 incident_label: str) -> dict[str, Any]:
    """Markdown and HTML in both languages (English first, then Chinese), and the summary."""
    views = [scorecard_view(scenario=scenario, run=run, card=card, incident_label=incident_label,
                            lang=lang) for lang in ("en", "zh")]
    markdown = "\n\n".join(render_markdown(v) for v in views)
    html = render_html({"langs": views, **views[0]})
    summary = {
        "score": card.score, "met": card.met, "missed": card.missed,
        "expectations": [{"inject": r.inject, "check": r.expectation.check.value, "met": r.met,
                          "due_s": r.due.total_seconds(),
                          "met_at_s": r.met_at.total_seconds() if r.met_at is not None else None}
                         for r in card.results],
        "team_assembly_s": _seconds(card.team_assembly.value),
        "first_statement_s": _seconds(card.first_statement.value),
        "team": list(run.team),
    }
    return {"markdown": markdown, "html": html, "summary": summary, "view": views[0]}


def _seconds(delta: timedelta | None) -> float | None:
    return delta.total_seconds() if delta is not None else None
