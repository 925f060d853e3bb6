"""Impact figures and percentages as a person reads them (the one impact formatter)."""

from __future__ import annotations

from typing import Any

#: Labels of the well-known impact keys (``bot.domain.impact``); others are shown as words.
IMPACT_LABELS: dict[str, tuple[str, str]] = {
    "orders": ("Orders", "订单数"),
    "revenue": ("Revenue at risk", "受影响营收"),
    "customers": ("Customers", "受影响用户"),
    "regions": ("Regions", "地区"),
    "compensation": ("Compensation", "补偿"),
}


def number(value: float, *, money: bool = False) -> str:
    """``1200`` → ``1,200``; ``968.1834`` → ``968.18``; ``1.50`` → ``1.5`` (``1.50`` as money);
    ``35000.0`` → ``35,000``."""
    if isinstance(value, bool):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.2f}"
    return text if money else text.rstrip("0").rstrip(".")


def figure_value(value: Any) -> str:
    """One impact value as text: money ``{"amount": 35000, "currency": "USD"}`` → ``USD 35,000``,
    lists → ``east, north``, numbers with thousands separators, anything else as text."""
    if isinstance(value, dict):
        if "amount" in value:
            currency = str(value.get("currency") or "")
            amount = value["amount"]
            shown = number(amount, money=True) if isinstance(amount, (int, float)) else str(amount)
            return f"{currency} {shown}".strip()
        return ", ".join(f"{k} {figure_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(" ".join(str(v).split()) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    return " ".join(str(value).split())


def impact_label(key: str, lang: str = "en") -> str:
    """``revenue`` → ``Revenue at risk`` (``受影响营收``); unknown keys become words."""
    labels = IMPACT_LABELS.get(key)
    if labels:
        return labels[1] if lang == "zh" else labels[0]
    return key.replace("_", " ").strip().capitalize()


def impact_text(figures: dict[str, Any], lang: str = "en", *, sep: str = " · ") -> str:
    """Every figure as ``Label value``: ``Orders 1,200 · Revenue at risk USD 35,000``."""
    return sep.join(f"{impact_label(str(k), lang)} {figure_value(v)}" for k, v in figures.items())


def percent(value: float | None, *, share: bool = False) -> str:
    """``968.18`` → ``968.18%``; with ``share=True`` a 0–1 share: ``0.21`` → ``21%``."""
    if value is None:
        return "—"
    if share:
        return f"{value * 100:.0f}%"
    return f"{number(round(value, 2))}%"


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """``1 open task``, ``5 open tasks`` (never ``task(s)``)."""
    return f"{number(count)} {singular if count == 1 else (plural or singular + 's')}"
