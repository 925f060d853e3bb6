"""Statement length as each publication channel counts it (pure).

- ``long`` (web page, email, press release): characters.
- ``social`` (X / Twitter and alike): X's weighted count — code points in U+0000–U+10FF,
  U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, every other (CJK, emoji) 2; a URL
  counts 23 (its t.co link). Limit 280 (developer.x.com, "Counting characters").
- ``weibo``: Weibo counts a full-width character (汉字, full-width punctuation) as one and a
  half-width character (Latin letters, digits, ASCII punctuation) as half, rounded up; a post
  holds 2,000 such characters (the feed folds it after 140).
- ``sms``: one segment holds 160 GSM-7 characters, or 70 when any character needs UCS-2
  (every Chinese character does).
"""

from __future__ import annotations

import math
import re
import unicodedata
from enum import StrEnum


class Variant(StrEnum):
    """Channel variants with their own length limit and counting."""

    LONG = "long"  # web page, email
    SOCIAL = "social"  # X / Twitter-like post
    WEIBO = "weibo"  # a Weibo post
    SMS = "sms"  # one SMS segment


_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
#: The GSM 03.38 basic character set (what fits a 160-character SMS segment).
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7 for ch in text)


def measure(text: str, variant: Variant) -> int:
    """Length of ``text`` as the channel of ``variant`` counts it."""
    if variant is Variant.SOCIAL:
        size, rest = 0, text
        for url in _URL.findall(text):
            size += 23
            rest = rest.replace(url, "", 1)
        for ch in unicodedata.normalize("NFC", rest):
            code = ord(ch)
            size += 1 if any(lo <= code <= hi for lo, hi in _X_LIGHT) else 2
        return size
    if variant is Variant.WEIBO:
        halves = sum(1 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5 for ch in text)
        return math.ceil(halves)
    return len(text)


__all__ = ["Variant", "is_gsm7", "measure"]
