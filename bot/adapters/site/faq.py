"""The FAQ of a notice, from a published media Q&A kit (``qa`` statements).

The kit opens with a note to the spokesperson ("answer only with these approved lines"): that
part is for the team, so only the question-and-answer pairs are taken.

>>> faq_pairs("Kit header\\nFor the spokesperson.\\n\\nQ: What happened?\\nA: A fault.\\n"
...           "More detail.\\n\\nQ: When?\\nA: Soon.")
[('What happened?', 'A fault.\\nMore detail.'), ('When?', 'Soon.')]
"""

from __future__ import annotations

import re

_QUESTION = re.compile(r"^\s*(?:Q|问|問)\s*[:：]\s*(.*)$")
_ANSWER = re.compile(r"^\s*(?:A|答)\s*[:：]\s*(.*)$")


def faq_pairs(text: str) -> list[tuple[str, str]]:
    """(question, answer) pairs in order; a question without an answer is left out."""
    pairs: list[tuple[str, str]] = []
    question: str | None = None
    answer: list[str] | None = None

    def flush() -> None:
        if question and answer is not None:
            body = "\n".join(answer).strip()
            if body:
                pairs.append((question, body))

    for line in text.splitlines():
        q = _QUESTION.match(line)
        if q:
            flush()
            question, answer = q.group(1).strip(), None
            continue
        a = _ANSWER.match(line)
        if a and question is not None and answer is None:
            answer = [a.group(1)]
        elif answer is not None:
            answer.append(line)
    flush()
    return pairs
