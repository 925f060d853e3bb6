"""Duty use cases: who is on duty (now, next, today), overrides and swaps, and the holders an
incident is opened with.

The rota comes from the site config (``oncall:``), its iCalendar layers are filled by a
``shifts`` provider, and overrides made in Slack come from an :class:`OverrideStore`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.errors import InvalidInput, NotPermitted
from bot.domain.roles import Actor, Role
from bot.domain.rota import Duty, Layer, Override, Rota, Shift

#: An override or swap reaches at most this far.
MAX_OVERRIDE = timedelta(days=31)
#: iCalendar layers are expanded this far around the moment asked about.
_ICAL_BEFORE, _ICAL_AFTER = timedelta(days=2), timedelta(days=40)


class OverrideStore(Protocol):
    def active(self, *, after: datetime) -> list[Override]: ...

    def add(self, overrides: list[Override], *, at: datetime) -> None: ...


ShiftSource = Callable[..., Mapping[tuple[str, int], tuple[Shift, ...]]]


@dataclass(frozen=True)
class RoleDuty:
    """A role's duty as ``/crisis oncall`` shows it."""

    role: Role
    now: Duty | None
    next: Duty | None
    layers: tuple[Duty | None, ...] = ()


@dataclass
class DutyService:
    rota: Rota
    store: OverrideStore
    clock: Callable[[], datetime]
    #: The site roster: the fallback for roles without a rota, and who may override.
    roster: Mapping[Role, tuple[str, ...]] = field(default_factory=dict)
    shifts: ShiftSource | None = None
    #: The Slack overrides as last read. Lookups made inside another transaction (the effect
    #: planner, a monitor opening an incident) use it: a second connection there would wait
    #: on the database lock (SQLite ``BEGIN IMMEDIATE``). Commands refresh it first.
    _overrides: list[Override] | None = field(default=None, init=False, repr=False)

    @property
    def configured(self) -> bool:
        return bool(self.rota.roles)

    def refresh(self) -> None:
        """Re-read the Slack overrides (call outside any transaction)."""
        if self.configured:
            self._overrides = self.store.active(after=self.clock() - _ICAL_AFTER)

    def current(self, *, at: datetime | None = None, fresh: bool = True) -> Rota:
        """The rota at ``at`` with its calendars filled and the Slack overrides applied
        (``fresh=False``: the overrides as last read, no database access)."""
        at = at or self.clock()
        if fresh or self._overrides is None:
            self.refresh()
        rota = self.rota
        if self.shifts is not None:
            filled = self.shifts(start=at - _ICAL_BEFORE, end=at + _ICAL_AFTER)
            roles = {}
            for role, layers in rota.roles.items():
                roles[role] = tuple(
                    replace(layer, shifts=filled[(role, i)]) if (role, i) in filled else layer
                    for i, layer in enumerate(layers))
            rota = Rota(roles=roles, overrides=rota.overrides, tz=rota.tz)
        return rota.with_overrides(self._overrides or [])

    # ------------------------------------------------------------------ reads

    def show(self, role: Role | None = None, *, at: datetime | None = None) -> list[RoleDuty]:
        """Now and next for ``role``, or for every role with a rota."""
        at = at or self.clock()
        rota = self.current(at=at)
        if role is not None and not rota.has(role.value):
            raise InvalidInput(f"There is no duty rota for `{role.value}` in the site config "
                               f"(`oncall.roles.{role.value}`).")
        roles = [role] if role else [Role(r) for r in rota.roles]
        return [RoleDuty(role=r, now=rota.on_duty(r.value, at), next=rota.next_on_duty(r.value, at),
                         layers=tuple(rota.on_duty(r.value, at, layer=i)
                                      for i in range(len(rota.roles[r.value]))))
                for r in roles]

    def holders(self, roles: Sequence[Role], *, at: datetime | None = None,
                fresh: bool = False) -> dict[Role, str]:
        """Who is assigned at declaration: the on-duty holder of each role with a rota, the
        first rostered person otherwise (and when nobody is on duty)."""
        at = at or self.clock()
        rota = self.current(at=at, fresh=fresh) if self.configured else self.rota
        out: dict[Role, str] = {}
        for role in roles:
            user = rota.holder(role.value, at) if rota.has(role.value) else None
            if user is None and self.roster.get(role):
                user = self.roster[role][0]
            if user:
                out[role] = user
        return out

    def invitees(self, roles: Sequence[Role], *, at: datetime | None = None) -> list[str]:
        """Who a severity's invite roles bring in: the on-duty holder of a role with a rota,
        everyone rostered for a role without one."""
        at = at or self.clock()
        on_duty = self.holders([r for r in roles if self.rota.has(r.value)], at=at, fresh=False)
        users: list[str] = []
        for role in roles:
            found = [on_duty[role]] if role in on_duty else list(self.roster.get(role, ()))
            users += [u for u in found if u not in users]
        return users

    def layer_holder(self, role: Role, layer: int, *, at: datetime) -> str | None:
        """The holder of ``role`` on escalation layer ``layer`` (0 = primary)."""
        rota = self.current(at=at)
        if not rota.has(role.value):
            return self.roster.get(role, (None,))[0] if layer == 0 and self.roster.get(role) else None
        return rota.holder(role.value, at, layer=layer)

    def layers_of(self, role: Role) -> int:
        return len(self.rota.roles.get(role.value, ())) or (1 if self.roster.get(role) else 0)

    def today(self, *, at: datetime | None = None) -> list[RoleDuty]:
        """Every role's duty now (the App Home)."""
        return self.show(at=at) if self.configured else []

    # ------------------------------------------------------------------ changes

    def override(self, *, role: Role | None, user: str, duration: timedelta, actor: Actor,
                 layer: int = 0) -> Override:
        """``user`` holds ``role`` from now for ``duration``."""
        now = self.clock()
        role = self._role_for(role, user)
        self._may_change(actor, [user], role=role)
        if duration > MAX_OVERRIDE:
            raise InvalidInput("An override lasts at most 31 days.")
        override = Override(role=role.value, user=user, start=now, end=now + duration,
                            layer=layer, by=actor.id, reason="override")
        self.store.add([override], at=now)
        self.refresh()
        return override

    def swap(self, *, role: Role | None, first: str, second: str, actor: Actor) -> list[Override]:
        """``first`` and ``second`` trade their next turns: ``second`` takes ``first``'s current
        (or next) turn and ``first`` takes ``second``'s next one."""
        if first == second:
            raise InvalidInput("Name two different people to swap turns.")
        now = self.clock()
        role = self._role_for(role, first)
        self._may_change(actor, [first, second], role=role)
        rota = self.current(at=now)
        a = self._turn_of(rota, role, first, now)
        b = self._turn_of(rota, role, second, max(now, a[1]) if a else now)
        if a is None or b is None:
            missing = first if a is None else second
            raise InvalidInput(f"<@{missing}> has no {role.value} turn in the next five weeks "
                               "to swap.")
        overrides = [
            Override(role=role.value, user=second, start=a[0], end=a[1], by=actor.id,
                     reason=f"swap with {first}"),
            Override(role=role.value, user=first, start=b[0], end=b[1], by=actor.id,
                     reason=f"swap with {second}"),
        ]
        self.store.add(overrides, at=now)
        self.refresh()
        return overrides

    def _turn_of(self, rota: Rota, role: Role, user: str,
                 at: datetime) -> tuple[datetime, datetime] | None:
        """The current or next turn of ``user`` on the primary layer: (start, end)."""
        moment = at
        horizon = at + timedelta(days=35)
        while moment < horizon:
            if rota.holder(role.value, moment) == user:
                end = rota.change_after(role.value, moment) or moment + timedelta(days=7)
                return max(moment, at), end
            change = rota.change_after(role.value, moment, horizon=horizon - moment)
            if change is None:
                return None
            moment = change
        return None

    def _role_for(self, role: Role | None, user: str) -> Role:
        if role is not None:
            if not self.rota.has(role.value):
                raise InvalidInput(f"There is no duty rota for `{role.value}` in the site config.")
            return role
        candidates = [Role(r) for r, layers in self.rota.roles.items()
                      if any(user in rot.members for layer in layers for rot in layer.rotations)]
        if len(candidates) == 1:
            return candidates[0]
        if not self.rota.roles:
            raise InvalidInput("No duty rota is configured (`oncall:` in the site config).")
        raise InvalidInput("Name the role too, e.g. `/crisis oncall override comms @maria 8h`.")

    def _may_change(self, actor: Actor, people: list[str], *, role: Role) -> None:
        """Roster commanders and executives change any duty; anyone else only their own, and
        only for a role whose rota (any layer) or roster already lists them all: taking a turn
        makes you the role holder of the next incident, so nobody may appoint themselves."""
        if actor.is_system or actor.roles & {Role.COMMANDER, Role.EXEC}:
            return
        if actor.id not in people:
            raise NotPermitted("Only a roster commander or executive may change someone else's "
                               "duty; you may take a turn yourself or swap your own.")
        outside = [p for p in people if not self._listed(role, p)]
        if outside:
            raise NotPermitted(f"<@{outside[0]}> is not in the {role.value} rota or roster; only "
                               "a roster commander or executive may put them on duty.")

    def _listed(self, role: Role, user: str) -> bool:
        """Is ``user`` in a rotation or calendar shift of ``role`` (any layer, config overrides
        included) or rostered for it? Overrides made in Slack never count."""
        if user in self.roster.get(role, ()) or any(
                o.role == role.value and o.user == user for o in self.rota.overrides):
            return True
        at = self.clock()
        layers = self.current(at=at, fresh=False).roles.get(role.value, ())
        return any(user in rot.members for layer in layers for rot in layer.rotations) or any(
            shift.user == user for layer in layers for shift in layer.shifts)


def layer_names(rota: Rota, role: str) -> tuple[str, ...]:
    return tuple(layer.name for layer in rota.roles.get(role, ()))


__all__ = ["DutyService", "Layer", "OverrideStore", "RoleDuty", "layer_names"]
