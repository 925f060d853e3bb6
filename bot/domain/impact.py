"""Impact figures: affected orders, revenue at risk, customers, regions, plus free keys."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.domain.errors import InvalidInput

#: Well-known keys and how their values are read.
COUNT_KEYS = ("orders", "customers")
MONEY_KEYS = ("revenue",)
LIST_KEYS = ("regions",)
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
#: Longest value of one figure: impact lines sit on the card, not long prose (use a note).
MAX_VALUE = 500


def parse_impact(raw: dict[str, str]) -> dict[str, Any]:
    """Validate and normalise ``key=value`` impact figures.

    ``orders`` / ``customers`` are whole numbers ≥ 0 (``1,200`` and ``1.2k`` are accepted),
    ``revenue`` a number ≥ 0 with an optional currency code or symbol kept as text
    (``revenue=USD 12000`` → ``{"amount": 12000.0, "currency": "USD"}``), ``regions`` a
    comma-separated list. Any other lowercase key is kept as a number when it reads as one,
    else as text. Raises :class:`InvalidInput` naming every bad pair.
    """
    if not raw:
        raise InvalidInput("Give at least one figure, e.g. `orders=1200 revenue=350000 regions=east,north`.")
    result: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        key = key.strip().lower()
        value = value.strip()
        if not _KEY.match(key):
            problems.append(f"`{key}` is not a valid key (lowercase letters, digits, _)")
            continue
        if not value:
            problems.append(f"`{key}` has no value")
            continue
        if len(value) > MAX_VALUE:
            problems.append(f"`{key}` is {len(value)} characters long; keep a figure within "
                            f"{MAX_VALUE} and put longer text in a note (`/crisis note …`)")
            continue
        try:
            result[key] = _parse_value(key, value)
        except ValueError as exc:
            problems.append(f"`{key}={value}`: {exc}")
    if problems:
        raise InvalidInput("Impact not recorded: " + "; ".join(problems) + ".")
    return result


def _parse_value(key: str, value: str) -> Any:
    if key in COUNT_KEYS:
        number = _read_number(value)
        if number < 0 or number != int(number):
            raise ValueError("must be a whole number ≥ 0")
        return int(number)
    if key in MONEY_KEYS:
        match = re.match(r"^([A-Za-z]{3}|[$€£¥])?\s*([\d.,]+[kKmM]?)\s*([A-Za-z]{3})?$", value)
        if not match:
            raise ValueError("must be an amount, e.g. 350000, 1.2m or USD 350000")
        amount = _read_number(match.group(2))
        currency = (match.group(1) or match.group(3) or "").upper()
        return {"amount": amount, "currency": currency} if currency else amount
    if key in LIST_KEYS:
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items:
            raise ValueError("must list at least one region")
        return items
    try:
        return _read_number(value)
    except ValueError:
        return value


def _read_number(text: str) -> float | int:
    cleaned = text.replace(",", "").replace("_", "").strip()
    multiplier = 1
    if cleaned[-1:].lower() in ("k", "m"):
        multiplier = 1_000 if cleaned[-1].lower() == "k" else 1_000_000
        cleaned = cleaned[:-1]
    if not _NUMBER.match(cleaned):
        raise ValueError("is not a number")
    # Decimal keeps 2.05m exactly 2050000 (a float product would not be whole).
    number = Decimal(cleaned) * multiplier
    return int(number) if number == number.to_integral_value() else float(number)
