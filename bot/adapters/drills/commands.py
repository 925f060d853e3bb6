"""``/crisis drill …`` words into a :class:`DrillAction`; a clear one-line error otherwise.

>>> parse_drill(("start", "courier-strike-festival", "team", "<@U1ABCDEFG|ann>", "<@U2ABCDEFG>", "scale", "15m"))
DrillAction(verb='start', scenario='courier-strike-festival', team=('U1ABCDEFG', 'U2ABCDEFG'), scale=datetime.timedelta(seconds=900), no=None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput

VERBS = ("list", "start", "pause", "resume", "end", "inject")
USAGE = ("`/crisis drill list` · `/crisis drill start <scenario> [team @a @b …] [scale 45m]` · "
         "`/crisis drill pause|resume|end` · `/crisis drill inject <n>`")
_USER = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>")


@dataclass(frozen=True)
class DrillAction:
    verb: str
    scenario: str = ""
    team: tuple[str, ...] = ()
    scale: timedelta | None = None
    no: int | None = None


def parse_drill(args: tuple[str, ...]) -> DrillAction:
    if not args:
        raise InvalidInput(f"Say what to do with drills: {USAGE}.")
    verb = args[0].lower()
    rest = list(args[1:])
    if verb not in VERBS:
        raise InvalidInput(f"`{verb[:40]}` is not a drill command; use {USAGE}.")
    if verb in ("list", "pause", "resume", "end"):
        if rest:
            raise InvalidInput(f"`/crisis drill {verb}` takes nothing after it.")
        return DrillAction(verb)
    if verb == "inject":
        if len(rest) != 1 or not rest[0].lstrip("#").isdigit():
            raise InvalidInput("Name the inject to fire by its number, e.g. `/crisis drill inject 3`.")
        return DrillAction(verb, no=int(rest[0].lstrip("#")))
    if not rest or rest[0].lower() in ("team", "scale"):
        raise InvalidInput("Name the scenario, e.g. `/crisis drill start courier-strike-festival` "
                           "(see `/crisis drill list`).")
    scenario, rest = rest[0].lower(), rest[1:]
    team: list[str] = []
    scale = None
    while rest:
        word = rest.pop(0).lower()
        if word == "team":
            while rest and _USER.fullmatch(rest[0]):
                user = _USER.fullmatch(rest.pop(0)).group(1)  # type: ignore[union-attr]
                if user not in team:
                    team.append(user)
            if not team:
                raise InvalidInput("After `team` mention the players, e.g. `team @ann @bo`.")
        elif word == "scale":
            if not rest:
                raise InvalidInput("After `scale` give the drill's length, e.g. `scale 45m`.")
            value = rest.pop(0)
            try:
                scale = parse_duration(value)
            except ValueError as exc:
                raise InvalidInput(f"{exc}, e.g. `scale 45m`.") from None
        else:
            raise InvalidInput(f"Unexpected `{word[:40]}`; use {USAGE}.")
    return DrillAction("start", scenario=scenario, team=tuple(team), scale=scale)
