"""``crisisbot report --drills``: readiness per team and scenario over time, from the stored
drill runs and their scorecards (Markdown, CSV or HTML)."""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

from bot.adapters.rendering.formatting import duration, percent
from bot.domain.drills import DrillRun

HEAD = ["Scenario", "Team", "Runs", "Scores over time", "Latest", "Trend",
        "First statement (scenario time)"]


def readiness_rows(runs: list[tuple[DrillRun, float | None, dict | None]]) -> list[list[str]]:
    """One row per (scenario, team): its scored runs oldest first."""
    groups: dict[tuple[str, str], list[tuple[DrillRun, float, dict[str, Any]]]] = {}
    for run, score, card in runs:
        if score is None:
            continue  # not ended yet
        team = " ".join(run.team) or "(roster)"
        groups.setdefault((run.scenario, team), []).append((run, score, card or {}))
    rows = []
    for (scenario, team), items in sorted(groups.items()):
        scores = [s for _, s, _ in items]
        trend = "—" if len(scores) < 2 else ("up" if scores[-1] > scores[-2]
                                              else "down" if scores[-1] < scores[-2] else "same")
        first = items[-1][2].get("first_statement_s")
        history = ", ".join(f"{r.started_at:%Y-%m-%d} {percent(s, share=True)}" for r, s, _ in items)
        rows.append([scenario, team, str(len(items)), history, percent(scores[-1], share=True),
                     trend, duration(first) if first is not None else "—"])
    return rows


def render_readiness(runs: list[tuple[DrillRun, float | None, dict | None]], *, fmt: str) -> str:
    rows = readiness_rows(runs)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEAD)
        writer.writerows(rows)
        return out.getvalue()
    if fmt == "html":
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
        head = "".join(f"<th>{escape(h)}</th>" for h in HEAD)
        return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>Drill readiness</title>"
                f"</head><body><h1>Drill readiness · 演练准备度</h1><table><tr>{head}</tr>{body}"
                f"</table></body></html>\n")
    from bot.adapters.rendering.postmortem.markdown import md_escape  # loads pandas: only here

    lines = ["# Drill readiness · 演练准备度", ""]
    if not rows:
        return "\n".join(lines + ["No drill has been scored yet.", ""])
    lines += ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
