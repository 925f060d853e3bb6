"""Rows and labels shared by the Markdown and HTML renderers."""

from __future__ import annotations

from typing import Any

from bot.adapters.rendering.postmortem.fmt import dur
from bot.adapters.rendering.postmortem.wording import Words

_STATES = {"met": "met", "missed": "missed", "pending": "pending", "kept": "kept",
           "on_time": "on_time", "late": "late", "open": "open", "open_overdue": "open_overdue"}


def state_word(state: str, w: Words) -> str:
    key = _STATES.get(state)
    return w.t(key) if key else state


def clock_label(clock: dict[str, Any], w: Words) -> str:
    return clock["label_zh"] if w.lang == "zh" else clock["label_en"]


def response_rows(data: dict[str, Any], w: Words) -> list[tuple[str, str, str, str]]:
    """(label, value, target, result) for the headline response metrics."""
    met = data["metrics"]
    rows: list[tuple[str, str, str, str]] = []
    detect = met["detect_to_declare_s"]
    if detect is None:
        rows.append((w.h("detect_declare"), "—", "", w.t("by_person")))
    elif detect < 0:
        rows.append((w.h("detect_declare"), w.t("detect_negative", lead=dur(-detect)), "", ""))
    else:
        rows.append((w.h("detect_declare"), dur(detect), "", ""))
    team = met["team"]
    if team:
        rows.append((w.h("declare_team"),
                     dur(team["seconds"]) if team["seconds"] is not None else w.t("not_assembled"),
                     dur(team["target_s"]), state_word(team["state"], w)))
    first = met["first_statement"]
    if first:
        rows.append((w.h("declare_statement"),
                     dur(first["seconds"]) if first["seconds"] is not None else w.t("not_published"),
                     dur(first["target_s"]), state_word(first["state"], w)))
    rows.append((w.h("resolve_time"), dur(met["resolve_s"]), "", ""))
    tasks = met["tasks"]
    rows.append((w.h("tasks"), w.t("tasks_line", on_time=tasks["on_time"], late=tasks["late"],
                                   open=tasks["open"]), "", ""))
    cad = met["cadence"]
    rows.append((w.h("cadence"), w.t("cadence_line", kept=cad["kept"], missed=cad["missed"]), "", ""))
    rows.append((w.h("clocks"), w.t("clocks_line", met=met["clocks_met"], missed=met["clocks_missed"],
                                    pending=met["clocks_pending"]), "", ""))
    return rows
