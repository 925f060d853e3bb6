"""The post-mortem as one self-contained HTML file: inline CSS, charts as embedded SVG,
no script and no network; prints on A4."""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup
from markupsafe import escape as autoescape

from bot.adapters.rendering.formatting import Readable
from bot.adapters.rendering.postmortem import fmt, listening_section
from bot.adapters.rendering.postmortem.charts import CHART_KEYS, all_charts
from bot.collector import without_collector_pauses
from bot.adapters.rendering.postmortem.report import NOTE_SECTIONS, Report
from bot.adapters.rendering.postmortem.sections import clock_label, response_rows, state_word
from bot.adapters.rendering.postmortem.view import readable_data
from bot.adapters.rendering.postmortem.wording import Words


@without_collector_pauses
def render_html(report: Report, *, lang: str = "en", charts: bool = True,
                readable: Readable | None = None, view: dict[str, Any] | None = None) -> str:
    """``view``: the report's :func:`readable_data` when the caller already has it."""
    w = Words(lang)
    svgs = all_charts(report.data) if charts else dict.fromkeys(CHART_KEYS)
    data = view if view is not None else readable_data(report.data, readable or Readable(lang))
    context: dict[str, Any] = {
        "d": data, "w": w, "f": fmt, "notes_sections": NOTE_SECTIONS,
        "response_rows": response_rows(report.data, w),
        "charts": {k: Markup(v) if v else None for k, v in svgs.items()},
        "state_word": lambda s: state_word(s, w),
        "clock_label": lambda c: clock_label(c, w),
        "timeline_rows": _timeline_rows(data["timeline"]),
        "alert_rows": _alert_rows((data["detection"] or {}).get("alerts") or []),
        "task_rows": _task_rows(data["metrics"]["tasks"]["items"], w),
        "cadence_rows": _cadence_rows(data["metrics"]["cadence"]["gaps"], w),
        "approval_rows": _approval_rows(data["metrics"]["approvals"], w),
        "communication_rows": _communication_rows(data["communications"]),
        "listening_html": listening_section.html(report.data.get("listening"), lang=lang,
                                                 charts=charts),
    }
    from bot.adapters.rendering.postmortem.templating import postmortem_jinja_env

    return postmortem_jinja_env().get_template("postmortem.html.j2").render(**context)


def _timeline_rows(timeline: list[dict[str, Any]]) -> Markup:
    """The timeline's rows, escaped here: it is the longest table (10,000 rows render in a
    fraction of the time the sandboxed template needs)."""
    return Markup("".join(
        f"<tr><td>{fmt.clock_time(e['at'])} {fmt.offset(e['offset_s'])}</td>"
        f"<td>{escape(e['text'])}</td><td>{escape(e['actor'])}</td></tr>\n"
        for e in timeline
    ))


# The other tables that grow with the timeline (an alert per firing, a task per task, a row per
# statement or update gap) are built here too, escaped exactly as the template's autoescaping does (markupsafe).


def _alert_rows(alerts: list[dict[str, Any]]) -> Markup:
    rows = []
    for a in alerts:
        url, title = a["url"], autoescape(a["title"])
        event = (f'<a href="{autoescape(url)}">{title}</a>'
                 if url and url.startswith(("https://", "http://")) else title)
        value = (f"{autoescape(fmt.figure(a['value']))} / {autoescape(fmt.figure(a['threshold']))}"
                 if a["value"] is not None else "—")
        rows.append(f"<tr><td>{autoescape(a['monitor'])}</td><td>{event}</td><td>{value}</td>"
                    f"<td>{autoescape(fmt.clock_time(a['fired_at']))}</td></tr>")
    return Markup("".join(rows))


def _task_rows(items: list[dict[str, Any]], w: Words) -> Markup:
    return Markup("".join(
        f"<tr><td>{autoescape(t['task_no'])}</td><td>{autoescape(t['text'])}</td>"
        f"<td>{autoescape(t['stage'])}</td><td>{autoescape(fmt.clock_time(t['due_at']))}</td>"
        f'<td class="{autoescape(t["state"])}">{autoescape(state_word(t["state"], w))}</td></tr>'
        for t in items
    ))


def _cadence_rows(gaps: list[dict[str, Any]], w: Words) -> Markup:
    rows = []
    for g in gaps:
        state = "kept" if g["kept"] else "missed"
        rows.append(f"<tr><td>{autoescape(fmt.clock_time(g['from']))} → "
                    f"{autoescape(fmt.clock_time(g['to']))}</td><td>{autoescape(fmt.dur(g['seconds']))}</td>"
                    f"<td>{autoescape(fmt.dur(g['allowed_s']))}</td>"
                    f'<td class="{state}">{autoescape(state_word(state, w))}</td></tr>')
    return Markup("".join(rows))


def _approval_rows(approvals: list[dict[str, Any]], w: Words) -> Markup:
    return Markup("".join(
        f"<tr><td>{autoescape(a['statement_id'])}</td><td>{autoescape(a['audience'])}</td>"
        f"<td>{autoescape(a['versions'])}</td><td>{autoescape(fmt.clock_time(a['submitted_at']))}</td>"
        f"<td>{autoescape(fmt.clock_time(a['approved_at']) if a['approved_at'] else w.t('not_approved'))}</td>"
        f"<td>{autoescape(fmt.dur(a['wait_s']))}</td><td>{autoescape(a['rejections'])}</td></tr>"
        for a in approvals
    ))


def _communication_rows(groups: list[dict[str, Any]]) -> Markup:
    rows = []
    for g in groups:
        for i, s in enumerate(g["statements"]):
            version = s["version"] if s["version"] is not None else "—"
            rows.append(f"<tr><td>{autoescape(g['audience'] if i == 0 else '')}</td>"
                        f"<td>{autoescape(s['statement_id'])}</td><td>{autoescape(s['kind'])}</td>"
                        f"<td>{autoescape(s['lang'])}</td><td>{autoescape(version)}</td>"
                        f"<td>{autoescape(s['channel'] or '—')}</td><td>{autoescape(fmt.when(s['at']))}</td></tr>")
    return Markup("".join(rows))
