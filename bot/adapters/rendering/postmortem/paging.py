"""Paging in the post-mortem: per role, who was paged, when, how many pages and escalations,
and the time to acknowledge (from the role's first page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def paging_metrics(records: Sequence[Any]) -> list[dict[str, Any]]:
    """One row per paged role, in the order first paged."""
    rows: dict[str, dict[str, Any]] = {}
    for r in records:
        if not r.name.startswith("page."):
            continue
        role = str(r.payload.get("role") or "")
        row = rows.setdefault(role, {"role": role, "first_page_at": None, "pages": 0,
                                     "escalations": 0, "paged": [], "acked_by": None,
                                     "acked_at": None, "via": None, "ack_s": None})
        if r.name == "page.sent":
            row["pages"] += 1
            row["first_page_at"] = row["first_page_at"] or r.at
            user = str(r.payload.get("user") or "")
            if user not in row["paged"]:
                row["paged"].append(user)
        elif r.name == "page.escalated":
            row["escalations"] += 1
        elif r.name == "page.acknowledged" and row["acked_by"] is None:
            row["acked_by"] = str(r.payload.get("user") or r.actor)
            row["acked_at"] = r.at
            row["via"] = str(r.payload.get("via") or "")
            row["ack_s"] = int(float(r.payload.get("seconds") or 0))
    return list(rows.values())
