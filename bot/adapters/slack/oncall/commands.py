"""Parsing ``/crisis oncall …``.

* ``/crisis oncall [role]`` — who is on duty now and next;
* ``/crisis oncall override [role] @user <duration>`` — ``@user`` takes the duty from now;
* ``/crisis oncall swap [role] [@first] @second`` — two people trade their next turns
  (``@first`` defaults to whoever types it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from bot.adapters.slack import commands as c
from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput
from bot.domain.roles import Role


@dataclass(frozen=True)
class Oncall(c.CrisisCommand):
    name: ClassVar[str] = "oncall"
    role: Role | None = None


@dataclass(frozen=True)
class OncallOverride(c.CrisisCommand):
    name: ClassVar[str] = "oncall override"
    role: Role | None = None
    user: str = ""
    duration: timedelta = timedelta(0)


@dataclass(frozen=True)
class OncallSwap(c.CrisisCommand):
    name: ClassVar[str] = "oncall swap"
    role: Role | None = None
    first: str | None = None
    second: str = ""


ONCALL_COMMANDS = (Oncall, OncallOverride, OncallSwap)


def parse_oncall(line: c._Line, i: int, incident: int | None) -> c.CrisisCommand:
    words = [t.value for t in line.tokens[i:]]
    if not words:
        return Oncall(incident=incident)
    head = words[0].lower()
    if head == "override":
        return _override(words[1:], incident)
    if head == "swap":
        return _swap(words[1:], incident)
    if len(words) > 1:
        raise InvalidInput("`/crisis oncall` takes one role at most, e.g. `/crisis oncall comms`.")
    return Oncall(role=c._role(words[0]), incident=incident)


def _override(words: list[str], incident: int | None) -> c.CrisisCommand:
    example = "oncall override comms @maria 8h"
    role = None
    if words and not c._is_user(words[0]):
        role = c._role(words[0])
        words = words[1:]
    if len(words) != 2:
        raise InvalidInput(c.msg.err_needs("oncall override", "a person and a duration", example))
    user = c._user(words[0], example)
    try:
        duration = parse_duration(words[1])
    except ValueError as exc:
        raise InvalidInput(f"{exc}, e.g. `/crisis {example}`.") from None
    return OncallOverride(role=role, user=user, duration=duration, incident=incident)


def _swap(words: list[str], incident: int | None) -> c.CrisisCommand:
    example = "oncall swap comms @maria @li"
    role = None
    if words and not c._is_user(words[0]):
        role = c._role(words[0])
        words = words[1:]
    if len(words) not in (1, 2):
        raise InvalidInput(c.msg.err_needs("oncall swap", "one or two people", example))
    people = [c._user(w, example) for w in words]
    first, second = (people[0], people[1]) if len(people) == 2 else (None, people[0])
    return OncallSwap(role=role, first=first, second=second, incident=incident)
