"""*Start from its holding statement*: our draft from a past case's published text (pure).

The old text is a starting point for wording, never for facts. Every sentence that states one
of the old case's facts, or a figure (a number, a batch, a date) that none of OUR confirmed
facts holds, is wrapped as ``⟦not confirmed for INC-9 (from H-3): …⟧`` — an unfilled
placeholder, which the statement lint refuses, so the draft cannot be approved until the
spokesperson rewrites it from our facts register.

>>> text, flagged = flag_foreign_facts(
...     "We found 1,200 affected orders. We are sorry.", old_facts=["1,200 orders affected"],
...     our_facts=[], incident_label="INC-9", case_id="H-3")
>>> text
'⟦not confirmed for INC-9 (from H-3): We found 1,200 affected orders.⟧ We are sorry.'
>>> flagged
['We found 1,200 affected orders.']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.knowledge_search import tokens

#: A sentence ends after . ! ? 。 ！ ？ (with closing quotes) or at a line break.
_SENTENCE = re.compile(r"[^.!?。！？\n]+(?:[.!?。！？]+[”\"』」)]?|\n|$)")
_FIGURE = re.compile(r"\d[\d,.:/-]*\d|\d")
#: A fact "is stated" when this share of its tokens is in the sentence.
FACT_SHARE = 0.5


def _figures(text: str) -> set[str]:
    return {m.group(0).replace(",", "") for m in _FIGURE.finditer(text)}


def _states(sentence_tokens: set[str], fact: str) -> bool:
    fact_tokens = set(tokens(fact))
    if not fact_tokens:
        return False
    return len(fact_tokens & sentence_tokens) / len(fact_tokens) >= FACT_SHARE


def flag_foreign_facts(
    text: str, *, old_facts: Sequence[str], our_facts: Sequence[str], incident_label: str,
    case_id: str, also_ours: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """``text`` with every sentence that carries a fact not ours flagged (see module doc);
    returns the new text and the flagged sentences. ``also_ours``: other texts whose figures
    are ours to state (our contact channels)."""
    ours_figures: set[str] = set()
    for known in (*our_facts, *also_ours):
        ours_figures |= _figures(known)
    out: list[str] = []
    flagged: list[str] = []
    for match in _SENTENCE.finditer(text):
        piece = match.group(0)
        if not piece.strip():
            out.append(piece)
            continue
        sentence = piece.strip()
        sentence_tokens = set(tokens(sentence))
        old = any(_states(sentence_tokens, f) for f in old_facts)
        supported = any(_states(sentence_tokens, f) for f in our_facts)
        foreign_figures = _figures(sentence) - ours_figures
        if (old and not supported) or foreign_figures:
            clean = sentence.replace("⟦", "").replace("⟧", "")
            flagged.append(clean)
            lead = piece[: len(piece) - len(piece.lstrip())]
            tail = piece[len(piece.rstrip()):]
            out.append(f"{lead}⟦not confirmed for {incident_label} (from {case_id}): {clean}⟧{tail}")
        else:
            out.append(piece)
    return "".join(out), flagged
