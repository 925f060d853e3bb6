"""Across incidents (``crisisbot report``): per crisis type and severity, how fast and how well.

Each incident is grouped under its crisis type and its severity at the end (the one its
clocks were judged against). Times are medians; the share of first statements within 4 h is
over the incidents whose first-statement clock is decided (met or missed).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape
from typing import Sequence

import pandas as pd

from bot.adapters.rendering.postmortem.fmt import dur, pct, when
from bot.adapters.rendering.postmortem.report import Report

COLUMNS = ("crisis_type", "severity", "count", "time_to_team_s", "time_to_first_statement_s",
           "first_statement_within_4h", "time_to_resolve_s", "clocks_missed")
HEADINGS = ("Crisis type", "Severity", "Incidents", "Time to team (median)",
            "Time to first statement (median)", "First statements within 4 h",
            "Time to resolve (median)", "Clocks missed")


def portfolio_frame(reports: Sequence[Report]) -> pd.DataFrame:
    rows = []
    for report in reports:
        d = report.data
        met = d["metrics"]
        first_state = (met["first_statement"] or {}).get("state")
        rows.append({
            "crisis_type": d["incident"]["crisis_type"], "severity": d["incident"]["severity"],
            "team_s": (met["team"] or {}).get("seconds"),
            "first_s": (met["first_statement"] or {}).get("seconds"),
            "first_met": {"met": 1.0, "missed": 0.0}.get(first_state or ""),
            "resolve_s": met["resolve_s"], "clocks_missed": met["clocks_missed"],
        })
    if not rows:
        return pd.DataFrame(columns=list(COLUMNS))
    frame = pd.DataFrame(rows)
    for column in ("team_s", "first_s", "first_met", "resolve_s"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    grouped = frame.groupby(["crisis_type", "severity"], sort=True).agg(
        count=("crisis_type", "size"), time_to_team_s=("team_s", "median"),
        time_to_first_statement_s=("first_s", "median"),
        first_statement_within_4h=("first_met", "mean"), time_to_resolve_s=("resolve_s", "median"),
        clocks_missed=("clocks_missed", "sum"),
    ).reset_index()
    return grouped[list(COLUMNS)]


def _cells(row: pd.Series) -> list[str]:
    def seconds(value: float) -> str:
        return "—" if pd.isna(value) else dur(int(value))

    share = row["first_statement_within_4h"]
    return [str(row["crisis_type"]), str(row["severity"]), str(int(row["count"])),
            seconds(row["time_to_team_s"]), seconds(row["time_to_first_statement_s"]),
            "—" if pd.isna(share) else pct(float(share)), seconds(row["time_to_resolve_s"]),
            str(int(row["clocks_missed"]))]


def render_portfolio_markdown(frame: pd.DataFrame, *, since: datetime | None) -> str:
    title = "# Crisis response across incidents" + (f" since {when(since)}" if since else "")
    if frame.empty:
        return f"{title}\n\nNo incidents.\n"
    lines = [title, "", "| " + " | ".join(HEADINGS) + " |", "|" + "---|" * len(HEADINGS)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for _, row in frame.iterrows()]
    return "\n".join(lines) + "\n"


def render_portfolio_html(frame: pd.DataFrame, *, since: datetime | None) -> str:
    title = "Crisis response across incidents" + (f" since {when(since)}" if since else "")
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADINGS)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(row)) + "</tr>"
                   for _, row in frame.iterrows()) or f'<tr><td colspan="{len(HEADINGS)}">No incidents.</td></tr>'
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>@page {{ size: A4 landscape; margin: 14mm; }}"
        "body{font-family:Arial,sans-serif;color:#1f2d3a;font-size:10pt}"
        "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d5dbe1;"
        "padding:4px 6px;text-align:left}th{background:#f2f4f6}</style></head><body>"
        f"<h1>{escape(title)}</h1><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        "</table></body></html>\n"
    )


def render_portfolio_csv(frame: pd.DataFrame) -> str:
    """Raw figures: durations in seconds, the share as a fraction."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for _, row in frame.iterrows():
        writer.writerow(["" if pd.isna(row[c]) else (round(float(row[c]), 4) if c == "first_statement_within_4h"
                         else int(row[c]) if c not in ("crisis_type", "severity") else row[c])
                         for c in COLUMNS])
    return out.getvalue()
