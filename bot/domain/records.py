"""The parts of an incident: tasks, facts and role assignments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.domain.lifecycle import Phase
from bot.domain.roles import Role
from bot.domain.text import LocalText


@dataclass(slots=True)
class Task:
    no: int
    text: LocalText
    stage: Phase
    owner_role: Role | None
    created_at: datetime
    due_at: datetime | None = None
    required: bool = False
    template: str | None = None
    assignee: str | None = None
    done_at: datetime | None = None
    done_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at is not None and now > self.due_at


class FactStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"
    CONFIRMED = "confirmed"
    RETRACTED = "retracted"


@dataclass(slots=True)
class Fact:
    no: int
    text: str
    added_by: str
    added_at: datetime
    status: FactStatus = FactStatus.UNCONFIRMED
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""
    #: Versions in other languages (``en``/``zh``), added with ``/crisis fact <n> <lang> <text>``;
    #: one confirmation covers every version.
    translations: dict[str, str] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        """The language of the original text: ``zh`` when it holds Chinese characters."""
        return "zh" if _CJK.search(self.text) else "en"

    def text_in(self, lang: str) -> str | None:
        """The fact in ``lang`` (``en`` or ``zh``), or ``None`` when it has no such version."""
        if lang in self.translations:
            return self.translations[lang]
        return self.text if self.lang == lang else None

    def all_texts(self) -> list[str]:
        return [self.text, *(t for t in self.translations.values() if t != self.text)]


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    role: Role
    user: str
    assigned_at: datetime
    assigned_by: str


@dataclass(frozen=True, slots=True)
class SeverityChange:
    severity: str
    at: datetime
