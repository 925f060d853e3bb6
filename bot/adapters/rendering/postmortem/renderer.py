"""The :class:`~bot.services.postmortems.PostmortemRenderer` adapter: every format at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.adapters.rendering.formatting import Readable, UserNames
from bot.adapters.rendering.postmortem.fmt import dur
from bot.collector import without_collector_pauses
from bot.adapters.rendering.postmortem.sections import response_rows
from bot.adapters.rendering.postmortem.wording import Words
from bot.domain.playbook import Catalog
from bot.services.postmortems import PostmortemInput, RenderedPostmortem

if TYPE_CHECKING:
    from bot.adapters.rendering.postmortem.report import Report


class PostmortemRenderer:
    def __init__(self, *, catalog: Catalog, names: UserNames | None = None) -> None:
        self.catalog = catalog
        self.names = names or UserNames()  # Slack display names (users.info, cached)

    def report(self, source: PostmortemInput) -> "Report":
        # pandas and matplotlib load here, on the first report, not when the bot starts
        from bot.adapters.rendering.postmortem.report import build_report

        crisis_type = next((str(r.payload.get("crisis_type")) for r in source.records
                            if r.name == "incident.declared"), "")
        playbook = self.catalog.playbooks.get(crisis_type)
        return build_report(source, policy=self.catalog.policy, playbook=playbook)

    @without_collector_pauses
    def render(self, source: PostmortemInput, *, lang: str) -> RenderedPostmortem:
        from bot.adapters.rendering.postmortem.html_report import render_html
        from bot.adapters.rendering.postmortem.jsonout import render_json
        from bot.adapters.rendering.postmortem.markdown import render_markdown
        from bot.adapters.rendering.postmortem.view import readable_data

        report = self.report(source)
        readable = Readable(lang, names=self.names, catalog=self.catalog)
        view = readable_data(report.data, readable)  # the words of both versions, made once
        return RenderedPostmortem(
            markdown=render_markdown(report, lang=lang, readable=readable, view=view),
            html=render_html(report, lang=lang, readable=readable, view=view),
            json=render_json(report), summary=summary_lines(report, lang=lang),
        )


def summary_lines(report: "Report", *, lang: str) -> tuple[str, ...]:
    """The headline figures for the Slack message that carries the files."""
    w = Words(lang)
    inc = report.data["incident"]
    lines = [f"{w.h('severity')}: {inc['severity']} · {w.h('duration')}: {dur(inc['duration_s'])}"]
    for label, value, target, result in response_rows(report.data, w):
        if value == "—" and not result:
            continue
        if value == "—":
            lines.append(f"{label}: {result}")
            continue
        extra = f" ({w.h('target')} {target})" if target and result else ""
        lines.append(f"{label}: {value}{extra}" + (f" — {result}" if result else ""))
    return tuple(lines)
