"""The post-mortem as one self-contained HTML file: inline CSS, charts as embedded SVG,
no script and no network; prints on A4."""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

from bot.adapters.rendering.formatting import Readable
from bot.adapters.rendering.postmortem import fmt, listening_section
from bot.adapters.rendering.postmortem.charts import CHART_KEYS, all_charts
from bot.adapters.rendering.postmortem.report import NOTE_SECTIONS, Report
from bot.adapters.rendering.postmortem.sections import clock_label, response_rows, state_word
from bot.adapters.rendering.postmortem.view import readable_data
from bot.adapters.rendering.postmortem.wording import Words


def render_html(report: Report, *, lang: str = "en", charts: bool = True,
                readable: Readable | None = None) -> str:
    w = Words(lang)
    svgs = all_charts(report.data) if charts else dict.fromkeys(CHART_KEYS)
    data = readable_data(report.data, readable or Readable(lang))
    context: dict[str, Any] = {
        "d": data, "w": w, "f": fmt, "notes_sections": NOTE_SECTIONS,
        "response_rows": response_rows(report.data, w),
        "charts": {k: Markup(v) if v else None for k, v in svgs.items()},
        "state_word": lambda s: state_word(s, w),
        "clock_label": lambda c: clock_label(c, w),
        "timeline_rows": _timeline_rows(data["timeline"]),
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
