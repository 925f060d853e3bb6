"""Text in the two languages the product speaks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Lang(StrEnum):
    EN = "en"
    ZH = "zh"


@dataclass(frozen=True, slots=True)
class LocalText:
    """A string in English and Simplified Chinese."""

    en: str
    zh: str

    def get(self, lang: Lang | str = Lang.EN) -> str:
        return self.zh if str(lang) == Lang.ZH else self.en

    def __str__(self) -> str:
        return self.en
