"""The post-mortem's "Listening" section (raw posts): sentiment shift before / during / after,
the volume decay half-life, the origin post and its reach, the KOLs involved, and competitor
opportunism (竞品借势) against each competitor's own baseline, with a chart.

Figures come from :func:`bot.domain.listening_review.review` (``report.data["listening"]``);
this file only words and draws them, in Markdown and in HTML (escaped here; the chart is SVG).
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any

from markupsafe import Markup

from bot.adapters.rendering.formatting import number
from bot.adapters.rendering.formatting.labels import sentiment_label
from bot.adapters.rendering.postmortem.fmt import dur, pct, when

WORDS: dict[str, tuple[str, str]] = {
    "listening": ("Listening: what people said", "舆情：公众怎么说"),
    "window": ("Crisis window (origin post → resolution)", "危机窗口（源头帖子 → 解决）"),
    "shift": ("Sentiment shift (情感转变率)", "情感转变率"),
    "period": ("period", "阶段"),
    "posts": ("brand posts", "品牌帖子"),
    "negative": ("negative", "负面"), "neutral": ("neutral", "中性"), "positive": ("positive", "正面"),
    "net": ("net", "净情感"),
    "before": ("before", "之前"), "during": ("during", "期间"), "after": ("after", "之后"),
    "shift_during": ("Net sentiment change, before → during", "净情感变化（之前 → 期间）"),
    "shift_after": ("Net sentiment change, during → after", "净情感变化（期间 → 之后）"),
    "half_life": ("Volume decay half-life", "声量衰减半衰期"),
    "peak": ("Peak brand posts per hour", "每小时品牌帖子峰值"),
    "origin": ("Origin post", "源头帖子"),
    # Not people reached: followers × engagement, the ranking score of the digest.
    "reach": ("reach score (followers × (1 + engagements))", "传播力（粉丝数 ×（1 + 互动数））"),
    "followers": ("followers", "粉丝"),
    "kols": ("KOLs involved", "涉及的 KOL"),
    "none": ("none", "无"),
    "competitors": ("Competitor opportunism (竞品借势)", "竞品借势"),
    "competitor": ("competitor", "竞品"),
    "baseline": ("own baseline", "自身基线"),
    "per_hour": ("posts/hour", "帖子/小时"),
    "sentiment": ("mean sentiment", "平均情感"),
    "volume_change": ("volume change", "声量变化"),
    "verdict": ("piggy-backing?", "是否借势"),
    "yes": ("yes", "是"), "no": ("no", "否"),
    "chart": ("Competitor posts per hour; the shaded span is the crisis window",
              "竞品每小时帖子数；阴影为危机窗口"),
}


def _w(key: str, lang: str) -> str:
    en, zh = WORDS[key]
    return zh if lang == "zh" else f"{en} · {zh}" if lang == "both" and en != zh else en


def _md(text: Any) -> str:
    out = str(text if text is not None else "").replace("\r", " ").replace("\n", " ")
    for ch in ("\\", "|", "<", ">", "*", "_", "`", "[", "]"):
        out = out.replace(ch, "\\" + ch)
    return out


def _signed(value: float | None, *, share: bool = True, lang: str = "en") -> str:
    if value is None:
        return "—"
    points = " 个百分点" if lang == "zh" else " pts"
    return ("+" if value >= 0 else "") + (f"{value * 100:.0f}{points}" if share else f"{value:.2f}")


def _phase_rows(data: dict[str, Any], lang: str) -> list[list[str]]:
    rows = []
    for period in ("before", "during", "after"):
        s = data["sentiment"][period]
        if not s["posts"]:  # no posts: no shares (0 % would claim nobody was negative)
            rows.append([_w(period, lang), "0", "—", "—", "—", "—"])
            continue
        rows.append([_w(period, lang), number(s["posts"]), pct(s["negative"]), pct(s["neutral"]),
                     pct(s["positive"]), _signed(s["net"], lang=lang)])
    return rows


def _competitor_rows(data: dict[str, Any], lang: str) -> list[list[str]]:
    rows = []
    for c in data["competitors"]:
        change = c["volume_change"]
        rows.append([c["name"], f"{c['baseline']['per_hour']:g} → {c['during']['per_hour']:g}",
                     "—" if change is None else f"{change * 100:+.0f}%",
                     (f"{_signed(c['baseline']['sentiment'], share=False)} → "
                     f"{_signed(c['during']['sentiment'], share=False)}"),
                     _w("yes" if c["opportunism"] else "no", lang)])
    return rows


def _kol(kol: dict[str, Any], lang: str) -> str:
    """``Lily (weibo, 2,400,000 followers, negative)``; the sentiment in the reader's words."""
    feeling = sentiment_label(str(kol["sentiment"]), "zh" if lang == "zh" else "en") \
        if kol.get("sentiment") else ""
    return (f"{kol['author']} ({kol['platform']}, {number(kol['followers'])} {_w('followers', lang)}"
            + (f", {feeling}" if feeling else "") + ")")


def _post_line(post: dict[str, Any], lang: str, escape_text: Any) -> str:
    return (f"{escape_text(post['author'])} ({escape_text(post['platform'])}, "
            f"{number(post['followers'])} {_w('followers', lang)}, {when(post['posted_at'])}), "
            f"{_w('reach', lang)} {number(post['reach'])}: “{escape_text(post['text'])}”")


def markdown_lines(data: dict[str, Any] | None, *, lang: str) -> list[str]:
    if not data:
        return []
    out = [f"## {_w('listening', lang)}", "",
           f"{_w('window', lang)}: {when(data['window']['start'])} → {when(data['window']['end'])}", "",
           f"### {_w('shift', lang)}", ""]
    head = [_w("period", lang), _w("posts", lang), _w("negative", lang), _w("neutral", lang),
            _w("positive", lang), _w("net", lang)]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in _phase_rows(data, lang)] + [""]
    s = data["sentiment"]
    out += [f"- {_w('shift_during', lang)}: {_signed(s['shift_during'], lang=lang)}",
            f"- {_w('shift_after', lang)}: {_signed(s['shift_after'], lang=lang)}",
            f"- {_w('peak', lang)}: {number(data['volume']['peak_per_hour'])}",
            f"- {_w('half_life', lang)}: {dur(data['volume']['half_life_s'])}"]
    origin = data["origin"]
    link = f" ({origin['url']})" if origin and origin["url"] else ""
    out.append(f"- {_w('origin', lang)}: "
               + (_post_line(origin, lang, _md) + _md(link) if origin else _w("none", lang)))
    kols = data["kols"]
    out.append(f"- {_w('kols', lang)}: " + ("; ".join(
        _md(_kol(k, lang)) for k in kols) if kols else _w("none", lang)))
    out.append("")
    if data["competitors"]:
        out += [f"### {_w('competitors', lang)}", ""]
        head = [_w("competitor", lang), f"{_w('per_hour', lang)} ({_w('baseline', lang)} → {_w('during', lang)})",
                _w("volume_change", lang), _w("sentiment", lang), _w("verdict", lang)]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in _competitor_rows(data, lang)] + [""]
    return out


def competitor_chart(data: dict[str, Any] | None) -> str | None:
    """Posts per hour of each competitor, the crisis window shaded (inline SVG)."""
    if not data or not data["competitors"]:
        return None
    from bot.adapters.rendering.postmortem import charts as c

    with c.plt.rc_context(c._RC):
        fig, ax = c._figure(2.4)
        for i, comp in enumerate(data["competitors"]):
            start, counts = comp["hourly"]["start"], comp["hourly"]["counts"]
            times = [start + timedelta(hours=h) for h in range(len(counts))]
            ax.plot(times, counts, linewidth=1.3, label=str(comp["name"])[:30],
                    color=("#8e44ad", "#d35400", "#16a085")[i % 3])
        ax.axvspan(data["window"]["start"], data["window"]["end"], color="#c0392b", alpha=0.12)
        ax.xaxis.set_major_formatter(c.mdates.DateFormatter("%m-%d %H:%M"))
        ax.set_ylabel("posts per hour")
        ax.legend(frameon=False)
        fig.autofmt_xdate()
        return c._svg(fig)


def html(data: dict[str, Any] | None, *, lang: str, charts: bool = True) -> Markup:
    """The section as HTML (everything escaped here)."""
    if not data:
        return Markup("")

    def table(head: list[str], rows: list[list[str]]) -> str:
        return ("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead>"
                + "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
                + "</table>")

    s = data["sentiment"]
    origin = data["origin"]
    parts = [f'<section id="listening"><h2>{escape(_w("listening", lang))}</h2>',
             (f"<p>{escape(_w('window', lang))}: {escape(when(data['window']['start']))} → "
             f"{escape(when(data['window']['end']))}</p>"),
             f"<h3>{escape(_w('shift', lang))}</h3>",
             table([_w(k, lang) for k in ("period", "posts", "negative", "neutral", "positive", "net")],
                   _phase_rows(data, lang)),
             "<ul>",
             f"<li>{escape(_w('shift_during', lang))}: {escape(_signed(s['shift_during'], lang=lang))}</li>",
             f"<li>{escape(_w('shift_after', lang))}: {escape(_signed(s['shift_after'], lang=lang))}</li>",
             f"<li>{escape(_w('peak', lang))}: {number(data['volume']['peak_per_hour'])}</li>",
             f"<li>{escape(_w('half_life', lang))}: {escape(dur(data['volume']['half_life_s']))}</li>",
             f"<li>{escape(_w('origin', lang))}: "
             + (_post_line(origin, lang, escape) if origin else escape(_w("none", lang))) + "</li>",
             f"<li>{escape(_w('kols', lang))}: " + (escape("; ".join(
                 _kol(k, lang) for k in data["kols"]))
                 if data["kols"] else escape(_w("none", lang))) + "</li>",
             "</ul>"]
    if data["competitors"]:
        parts.append(f"<h3>{escape(_w('competitors', lang))}</h3>")
        parts.append(table([_w("competitor", lang), f"{_w('per_hour', lang)} ({_w('baseline', lang)} → {_w('during', lang)})",
                            _w("volume_change", lang), _w("sentiment", lang), _w("verdict", lang)],
                           _competitor_rows(data, lang)))
        svg = competitor_chart(data) if charts else None
        if svg:
            parts.append(f"<figure>{svg}<figcaption>{escape(_w('chart', lang))}</figcaption></figure>")
    parts.append("</section>")
    return Markup("\n".join(parts))
