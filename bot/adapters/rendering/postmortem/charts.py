"""Charts as inline SVG strings (matplotlib, Agg backend, no files, no network).

Text inside the charts stays ASCII (stage names, numbers); captions in the chosen language
are written by the HTML around them. The SVG is deterministic: fixed hash salt, no date.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

_RC = {
    "svg.fonttype": "none", "svg.hashsalt": "crisisbot-postmortem", "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False,
}
COLORS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60",
          "actual": "#2c3e50", "target": "#e67e22", "missed": "#c0392b", "met": "#27ae60",
          "mentions": "#2980b9"}
STAGE_COLORS = {"assess": "#8e44ad", "respond": "#c0392b", "communicate": "#2980b9",
                "recover": "#27ae60"}


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and doctype: inlined in HTML


def _figure(height: float) -> tuple[Figure, Any]:
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(7.0, height))
    return fig, ax


def response_chart(metrics: dict[str, Any]) -> str | None:
    """Hours to assemble the team and to publish the first statement, against their targets."""
    rows = []
    for key, label in (("team", "team assembled"), ("first_statement", "first statement")):
        figure = metrics.get(key) or {}
        if not figure:
            continue
        rows.append((label, figure.get("seconds"), figure.get("target_s"), figure.get("state")))
    if not rows:
        return None
    with plt.rc_context(_RC):
        fig, ax = _figure(0.5 + 0.55 * len(rows))
        for i, (label, value, target, state) in enumerate(rows):
            hours = (value if value is not None else 0) / 3600
            color = COLORS["met"] if state == "met" else COLORS["missed"] if state == "missed" else COLORS["actual"]
            ax.barh(i, hours, color=color, height=0.5)
            ax.plot([target / 3600] * 2, [i - 0.35, i + 0.35], color=COLORS["target"], linewidth=2.5)
            ax.text(hours, i, f" {hours:.1f} h" if value is not None else " not yet", va="center")
        ax.set_yticks(range(len(rows)), [r[0] for r in rows])
        ax.set_xlabel("hours since declaration (orange: target)")
        ax.invert_yaxis()
        return _svg(fig)


def stages_chart(stays: list[dict[str, Any]], declared_at: datetime) -> str | None:
    if not stays:
        return None
    with plt.rc_context(_RC):
        order = list(dict.fromkeys(s["stage"] for s in stays))
        fig, ax = _figure(0.5 + 0.4 * len(order))
        for stay in stays:
            start = (stay["entered_at"] - declared_at).total_seconds() / 3600
            ax.broken_barh([(start, max(stay["seconds"] / 3600, 0.01))],
                           (order.index(stay["stage"]) - 0.35, 0.7),
                           facecolors=STAGE_COLORS.get(stay["stage"], "#7f8c8d"))
        ax.set_yticks(range(len(order)), order)
        ax.set_xlabel("hours since declaration")
        ax.invert_yaxis()
        return _svg(fig)


def mentions_chart(signals: dict[str, Any] | None, declared_at: datetime,
                   resolved_at: datetime | None) -> str | None:
    mentions = (signals or {}).get("mentions")
    if not mentions or not mentions["points"]:
        return None
    with plt.rc_context(_RC):
        fig, ax = _figure(2.4)
        times = [t for t, _ in mentions["points"]]
        values = [v for _, v in mentions["points"]]
        ax.plot(times, values, color=COLORS["mentions"], linewidth=1.6)
        ax.fill_between(times, values, color=COLORS["mentions"], alpha=0.15)
        ax.axvline(declared_at, color=COLORS["missed"], linestyle="--", linewidth=1)
        ax.text(declared_at, max(values), " declared", color=COLORS["missed"], va="top")
        if resolved_at is not None:
            ax.axvline(resolved_at, color=COLORS["met"], linestyle="--", linewidth=1)
            ax.text(resolved_at, max(values), " resolved", color=COLORS["met"], va="top")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))
        ax.set_ylabel("mentions")
        fig.autofmt_xdate()
        return _svg(fig)


def sentiment_chart(signals: dict[str, Any] | None) -> str | None:
    shares = (signals or {}).get("sentiment")
    if not shares:
        return None
    with plt.rc_context(_RC):
        periods = [p for p in ("before", "during", "after") if p in shares]
        fig, ax = _figure(0.5 + 0.45 * len(periods))
        for i, period in enumerate(periods):
            left = 0.0
            for series in ("negative", "neutral", "positive"):
                share = shares[period].get(series, 0.0)
                ax.barh(i, share * 100, left=left, color=COLORS[series], height=0.6,
                        label=series if i == 0 else None)
                if share >= 0.08:
                    ax.text(left + share * 50, i, f"{share * 100:.0f}%", ha="center",
                            va="center", color="white")
                left += share * 100
        ax.set_yticks(range(len(periods)), periods)
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of mentions (%)")
        ax.invert_yaxis()
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, frameon=False)
        return _svg(fig)


def approvals_chart(approvals: list[dict[str, Any]]) -> str | None:
    """Hours each statement waited for approval, at the time it was submitted (one stem per
    statement: the size of the chart does not grow with the number of statements)."""
    waited = [a for a in approvals if a.get("wait_s") is not None]
    if not waited:
        return None
    with plt.rc_context(_RC):
        fig, ax = _figure(2.2)
        times = [a["submitted_at"] for a in waited]
        hours = [a["wait_s"] / 3600 for a in waited]
        ax.vlines(times, 0, hours, color=COLORS["actual"], linewidth=1.2)
        ax.plot(times, hours, "o", color=COLORS["target"], markersize=4)
        if len(waited) <= 12:
            for a, t, h in zip(waited, times, hours):
                ax.annotate(f"#{a['statement_id']} {a.get('audience') or ''}", (t, h),
                            textcoords="offset points", xytext=(3, 3), fontsize=7)
        ax.set_ylim(bottom=0, top=max(hours) * 1.25 or 1)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))
        ax.set_ylabel("hours waiting for approval")
        fig.autofmt_xdate()
        return _svg(fig)


CHART_KEYS = ("response_chart", "stages_chart", "mentions_chart", "sentiment_chart",
              "approval_chart")


def all_charts(data: dict[str, Any]) -> dict[str, str]:
    """Chart key → inline SVG, or None for a chart without data."""
    inc = data["incident"]
    met = data["metrics"]
    charts = {
        "response_chart": response_chart(met),
        "stages_chart": stages_chart(met["stages"], inc["declared_at"]),
        "mentions_chart": mentions_chart(data["signals"], inc["declared_at"], inc["resolved_at"]),
        "sentiment_chart": sentiment_chart(data["signals"]),
        "approval_chart": approvals_chart(met["approvals"]),
    }
    return charts
