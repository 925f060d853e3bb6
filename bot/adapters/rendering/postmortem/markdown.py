"""The post-mortem as Markdown (Slack, wikis). Charts live in the HTML version."""

from __future__ import annotations

from typing import Any

from bot.adapters.rendering.formatting import Readable
from bot.adapters.rendering.postmortem import listening_section
from bot.adapters.rendering.postmortem.fmt import clock_time, dur, figure, offset, pct, when
from bot.collector import without_collector_pauses
from bot.adapters.rendering.postmortem.report import NOTE_SECTIONS, Report
from bot.adapters.rendering.postmortem.sections import (
    clock_label,
    response_rows,
    state_word,
)
from bot.adapters.rendering.postmortem.view import readable_data
from bot.adapters.rendering.postmortem.wording import Words

#: Line breaks become spaces; table and HTML syntax gets a backslash (one pass per text).
_MD_ESCAPES = str.maketrans({"\r": " ", "\n": " ", **{ch: "\\" + ch for ch in "\\|<>*_`[]"}})


def md_escape(text: Any) -> str:
    """Neutralise Markdown table and HTML syntax in user text (one line)."""
    return str(text if text is not None else "").translate(_MD_ESCAPES)


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


@without_collector_pauses
def render_markdown(report: Report, *, lang: str = "en", readable: Readable | None = None,
                    view: dict[str, Any] | None = None) -> str:
    """``view``: the report's :func:`readable_data` when the caller already has it."""
    w = Words(lang)
    d = view if view is not None else readable_data(report.data, readable or Readable(lang))
    inc = d["incident"]
    met = d["metrics"]
    out: list[str] = [f"# {w.h('title')} — {inc['id']}: {md_escape(inc['title'])}", ""]
    status = inc["status"] if inc["status"] != "active" else w.t("active")
    out += [f"_{w.h('as_of')}: {when(d['as_of'])} · {w.h('status')}: {status}_", ""]

    out += [f"## {w.h('summary')}", ""]
    history = " → ".join(f"{s['severity']} ({clock_time(s['at'])})" for s in inc["severity_history"])
    roles = ", ".join(f"{r}: {md_escape(u)}" for r, u in inc["roles"].items()) or w.t("unassigned")
    out += _table([w.h("metric"), w.h("value")], [
        [w.h("type"), md_escape(inc["crisis_type"])],
        [w.h("severity_history"), history],
        [w.h("declared"), f"{when(inc['declared_at'])} ({md_escape(inc['declared_by'])})"],
        [w.h("resolved"), when(inc["resolved_at"])],
        [w.h("duration"), dur(inc["duration_s"])],
        [w.h("source"), md_escape(inc["source"])],
        [w.h("roles"), roles],
    ])
    if inc["resolution"]:
        out += [f"> {md_escape(inc['resolution'])}", ""]

    out += [f"## {w.h('impact')}", ""]
    if d["impact"]:
        out += _table([w.h("metric"), w.h("value")],
                      [[md_escape(k), md_escape(v)] for k, v in d["impact"].items()])
    else:
        out += [w.t("no_impact"), ""]

    out += [f"## {w.h('detection')}", ""]
    det = d["detection"]
    if det is None:
        out += [w.t("no_monitor"), ""]
    else:
        out += [f"- {w.h('monitor')}: {md_escape(det['monitor'] or '—')}",
                f"- {w.h('first_signal')}: {when(det['first_signal_at'])}",
                f"- {w.h('detect_declare')}: {dur(det['detect_to_declare_s'])}", ""]
        if det["alerts"]:
            out += _table([w.h("monitor"), w.h("event"), w.h("value"), w.h("time")], [
                [md_escape(a["monitor"]), md_escape(a["title"]),
                 f"{figure(a['value'])} / {figure(a['threshold'])}" if a["value"] is not None else "—",
                 clock_time(a["fired_at"])] for a in det["alerts"]])

    out += [f"## {w.h('metrics')}", ""]
    out += _table([w.h("metric"), w.h("value"), w.h("target"), w.h("result")],
                  [[label, value, target, result] for label, value, target, result
                   in response_rows(d, w)])

    out += [f"### {w.h('stages')}", ""]
    out += _table([w.h("stage"), w.h("time"), w.h("duration")],
                  [[s["stage"], clock_time(s["entered_at"]), dur(s["seconds"])]
                   for s in met["stages"]])

    out += [f"### {w.h('tasks')}", ""]
    tasks = met["tasks"]
    if tasks["total"]:
        out += [f"{w.h('on_time')}: **{tasks['on_time']}** · {w.h('late')}: **{tasks['late']}** · "
                f"{w.h('open')}: **{tasks['open']}** ({w.h('open_overdue')}: {tasks['open_overdue']})", ""]
        out += _table(["#", w.h("item"), w.h("stage"), w.h("due"), w.h("state")],
                      [[t["task_no"], md_escape(t["text"]), t["stage"], clock_time(t["due_at"]),
                        state_word(t["state"], w)] for t in tasks["items"]])
    else:
        out += [w.t("no_tasks"), ""]

    out += [f"### {w.h('cadence')}", ""]
    cad = met["cadence"]
    if cad["gaps"]:
        out += [f"{w.h('kept')}: **{cad['kept']}** · {w.h('missed')}: **{cad['missed']}**", ""]
        out += _table([w.h("time"), w.h("duration"), w.h("target"), w.h("result")],
                      [[f"{clock_time(g['from'])} → {clock_time(g['to'])}", dur(g["seconds"]),
                        dur(g["allowed_s"]), state_word("kept" if g["kept"] else "missed", w)]
                       for g in cad["gaps"]])
    else:
        out += [w.t("no_cadence"), ""]

    out += [f"### {w.h('approvals')}", ""]
    if met["approvals"]:
        out += _table(["#", w.h("audience"), w.h("version"), w.h("submitted"), w.h("approved"),
                       w.h("wait"), w.h("rejections")],
                      [[a["statement_id"], md_escape(a["audience"]), a["versions"],
                        clock_time(a["submitted_at"]),
                        clock_time(a["approved_at"]) if a["approved_at"] else w.t("not_approved"),
                        dur(a["wait_s"]), a["rejections"]] for a in met["approvals"]])
    else:
        out += [w.t("no_statement_flow"), ""]

    out += [f"### {w.h('clocks')}", ""]
    if met["clocks"]:
        out += [f"{w.h('met')}: **{met['clocks_met']}** · {w.h('missed')}: **{met['clocks_missed']}** · "
                f"{w.h('pending')}: **{met['clocks_pending']}**", ""]
        out += _table([w.h("metric"), w.h("due"), w.h("met_at"), w.h("state")],
                      [[clock_label(c, w), when(c["due_at"]), when(c["met_at"]),
                        state_word(c["state"], w)] for c in met["clocks"]])
    else:
        out += [w.t("no_clocks"), ""]
    rem = met["reminders"]
    out += [f"### {w.h('reminders')}", ""]
    out += ([", ".join(f"{md_escape(k)}: {v}" for k, v in rem["by_clock"].items()), ""]
            if rem["total"] else [w.t("no_reminders"), ""])
    out += [f"### {w.h('paging')}", ""]
    out += (_table([w.h("roles"), w.h("paged"), w.h("pages"), w.h("escalations"),
                    w.h("acknowledged"), w.h("duration")],
                   [[md_escape(p["role"]), md_escape(", ".join(p["paged"])), p["pages"],
                     p["escalations"],
                     f"{md_escape(p['acked_by'])} ({md_escape(p['via'])})" if p["acked_by"]
                     else w.t("not_acknowledged"), dur(p["ack_s"])]
                    for p in met.get("paging", [])])
            if met.get("paging") else [w.t("no_paging"), ""])

    out += [f"## {w.h('communications')}", ""]
    if d["communications"]:
        for group in d["communications"]:
            out += [f"**{md_escape(group['audience'])}** ({group['count']})", ""]
            out += [f"- {when(s['at'])} — #{s['statement_id']} {md_escape(s['kind'])}, "
                    f"{md_escape(s['lang'])}" + (f", v{s['version']}" if s["version"] is not None else "")
                    + (f", {md_escape(s['channel'])}" if s["channel"] else "")
                    for s in group["statements"]]
            out.append("")
    else:
        out += [w.t("no_statements"), ""]

    out += [f"## {w.h('facts')}", ""]
    decided = [f for f in d["facts"] if f["status"] != "unconfirmed"]
    if decided:
        out += _table(["#", w.h("fact"), w.h("state"), w.h("time")],
                      [[f["fact_no"], md_escape(f["text"]), f["status"]
                        + (f" ({md_escape(f['reason'])})" if f["reason"] else ""),
                        clock_time(f["decided_at"])] for f in decided])
    else:
        out += [w.t("no_facts"), ""]

    out += [f"## {w.h('signals')}", ""]
    sig = d["signals"]
    if sig is None:
        out += [w.t("no_signals"), ""]
    else:
        mentions = sig.get("mentions")
        if mentions:
            out += [f"- {w.h('peak')}: {figure(mentions['peak'])} ({when(mentions['peak_at'])})",
                    f"- {w.h('half_life')}: {dur(mentions['half_life_s'])}",
                    f"- {w.h('at_resolution')}: {pct(mentions['at_resolution_share'])}"]
        for period, shares in (sig.get("sentiment") or {}).items():
            out.append(f"- {w.h(period)}: " + " / ".join(f"{k} {pct(v)}" for k, v in shares.items()))
        out += ["", f"_{w.t('charts_in_html')}_", ""]
    out += listening_section.markdown_lines(report.data.get("listening"), lang=lang)

    for tag in NOTE_SECTIONS:
        out += [f"## {w.h(tag)}", ""]
        notes = d["notes"][tag]
        if notes:
            out += [f"_{w.t('prefilled', tag=tag)}_", ""]
            out += [f"- {md_escape(n['text'])} — {md_escape(n['by'])}" for n in notes] + [""]
        out += [f"**{w.t('to_complete')}**", ""]

    out += [f"## {w.h('followups')}", ""]
    if d["followups"]:
        out += _table(["#", w.h("item"), w.h("owner"), w.h("item_state")],
                      [[f["item_no"], md_escape(f["text"]), md_escape(f["owner"] or "—"),
                        md_escape(w.t("item_done", by=f["done_by"], at=when(f["done_at"]))
                                  if f.get("state") == "done" else w.t("item_open"))]
                       for f in d["followups"]])
    else:
        out += [w.t("no_followups"), ""]

    out += [f"## {w.h('timeline')}", ""]
    out += [f"- `{clock_time(e['at'])}` {offset(e['offset_s'])} — {md_escape(e['text'])} "
            f"({md_escape(e['actor'])})" for e in d["timeline"]]
    out.append("")
    if d["integrity"]["chain_head"]:
        out += [f"## {w.h('integrity')}", "", w.t("chain_head", events=d["integrity"]["events"],
                                                  head=d["integrity"]["chain_head"], id=inc["id"]), ""]
    return "\n".join(out)
