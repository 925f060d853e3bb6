"""``crisisbot report``'s section "Lessons repeated across incidents": the same lesson learnt
in two cases or more was not learnt the first time."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.domain.knowledge_search import RepeatedLesson

TITLE = "Lessons repeated across incidents"


def repeated_markdown(items: Sequence[RepeatedLesson]) -> str:
    lines = ["", f"## {TITLE}", ""]
    if not items:
        return "\n".join(lines + ["No lesson was learnt twice.", ""])
    lines += ["| lesson | learnt in | times |", "|---|---|---|"]
    for item in items:
        lesson = item.lesson.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {lesson} | {', '.join(item.cases)} | {len(item.cases)} |")
    return "\n".join(lines) + "\n"


def repeated_html(items: Sequence[RepeatedLesson]) -> str:
    if not items:
        return f"<h2>{TITLE}</h2><p>No lesson was learnt twice.</p>"
    rows = "".join(f"<tr><td>{escape(i.lesson)}</td><td>{escape(', '.join(i.cases))}</td>"
                   f"<td>{len(i.cases)}</td></tr>" for i in items)
    return (f"<h2>{TITLE}</h2><table><thead><tr><th>lesson</th><th>learnt in</th>"
            f"<th>times</th></tr></thead><tbody>{rows}</tbody></table>")


def add_repeated(text: str, items: Sequence[RepeatedLesson], *, fmt: str) -> str:
    """The report ``text`` (md or html) with the section appended."""
    if fmt == "md":
        return text + repeated_markdown(items)
    if fmt == "html":
        return text.replace("</body>", repeated_html(items) + "</body>", 1)
    return text
