"""The ``oncall:`` section of the site config: the duty rota per role.

```yaml
oncall:
  time_zone: Asia/Shanghai            # default zone of rotations, and of /crisis oncall
  roles:
    comms:                            # a role: its layers, primary first
      - name: primary
        rotations:
          - members: [U02COMMS, U05COMMS]
            period: weekly            # daily | weekly
            handoff: "09:00"          # wall time in the zone
            handoff_day: mon          # weekly rotations
            start: 2026-01-05         # the first member's turn begins then
            hours: "08:00-20:00"      # optional: on duty only then ...
            days: [mon, tue, wed, thu, fri]   # ... on these days
          - members: [U07WEEKEND]     # the next rotation covers what the first does not
            period: daily
      - name: secondary               # shorthand: a layer that is one rotation
        members: [U06]
        period: weekly
    legal:
      - name: primary
        ical: {file: legal-duty.ics}  # or {url: https://…/legal.ics}
        people: {"Li Na": U03LEGAL}   # event summary / attendee -> Slack id
  overrides:
    - {role: comms, user: U05COMMS, from: "2026-12-24 18:00", to: "2026-12-26 09:00"}
```

Every problem is one ``FILE:LINE: oncall.roles.comms[0].handoff: …`` line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.errors import InvalidInput
from bot.domain.roles import Role
from bot.domain.rota import (
    PERIODS,
    WEEKDAYS,
    Layer,
    Override,
    Rota,
    Rotation,
    parse_clock,
    parse_hours,
    zone,
)
from bot.yaml_lines import line_of, read_section

_ROTATION_KEYS = frozenset({"members", "period", "handoff", "handoff_day", "start", "time_zone",
                            "hours", "days"})
_LAYER_KEYS = frozenset({"name", "rotations", "ical", "people"}) | _ROTATION_KEYS
_TOP_KEYS = frozenset({"time_zone", "roles", "overrides"})


@dataclass(frozen=True)
class IcalSource:
    """An iCalendar feed for one layer: a file (relative to the config) or a URL."""

    role: str
    layer: int
    file: Path | None = None
    url: str | None = None
    people: dict[str, str] = field(default_factory=dict)
    where: str = ""


@dataclass(frozen=True)
class OncallConfig:
    rota: Rota = field(default_factory=Rota)
    ical: tuple[IcalSource, ...] = ()
    tz: str = "UTC"

    @property
    def configured(self) -> bool:
        return bool(self.rota.roles)


class _Where:
    """Where a value is: ``FILE:LINE: dotted.path``."""

    def __init__(self, source: str, path: str, line: int) -> None:
        self.source, self.path, self.line = source, path, line

    def child(self, container: Any, key: Any, label: str) -> _Where:
        line = line_of(container, key) or self.line
        return _Where(self.source, f"{self.path}{label}", line)

    def error(self, problem: str) -> InvalidInput:
        at = f"{self.source}:{self.line}" if self.line else self.source
        return InvalidInput(f"{at}: {self.path}: {problem}")


def load_oncall(path: Path | None, raw: dict[str, Any] | None = None, *,
                source: str | None = None) -> OncallConfig:
    """Read ``oncall:`` from the site config file (with lines), or from ``raw`` (no lines)."""
    section = read_section(path, "oncall") if path is not None else None
    if section is None and raw is not None:
        section = raw.get("oncall")
    return parse_oncall(section, source=source or (str(path) if path else "site config"),
                        base=path.parent if path else None)


def parse_oncall(data: Any, *, source: str = "site config", base: Path | None = None) -> OncallConfig:
    if data is None:
        return OncallConfig()
    top = _Where(source, "oncall", getattr(data, "line", 0))
    if not isinstance(data, dict):
        raise top.error("must be a mapping with time_zone, roles and overrides")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise top.child(data, unknown[0], f".{unknown[0]}").error(
            f"unknown setting; known: {', '.join(sorted(_TOP_KEYS))}")
    tz_where = top.child(data, "time_zone", ".time_zone")
    tz = _zone(data.get("time_zone") or "UTC", tz_where)
    roles_data = data.get("roles") or {}
    roles_where = top.child(data, "roles", ".roles")
    if not isinstance(roles_data, dict):
        raise roles_where.error("must map each role to its layers, e.g. `comms: [{members: [U1]}]`")
    roles: dict[str, tuple[Layer, ...]] = {}
    sources: list[IcalSource] = []
    for key, layers_data in roles_data.items():
        where = roles_where.child(roles_data, key, f".{key}")
        try:
            role = Role.parse(str(key)).value
        except ValueError as exc:
            raise where.error(str(exc)) from None
        if isinstance(layers_data, dict):
            layers_data = [layers_data]
        if not isinstance(layers_data, list) or not layers_data:
            raise where.error("must be a list of layers (primary first)")
        layers = []
        for index, layer_data in enumerate(layers_data):
            layer_where = where.child(layers_data, index, f"[{index}]")
            layer, ical = _layer(layer_data, layer_where, tz=tz, index=index, role=role, base=base)
            layers.append(layer)
            if ical:
                sources.append(ical)
        roles[role] = tuple(layers)
    overrides = _overrides(data.get("overrides"), top.child(data, "overrides", ".overrides"),
                           tz=tz, roles=roles)
    return OncallConfig(rota=Rota(roles=roles, overrides=overrides, tz=tz), ical=tuple(sources),
                        tz=tz)


def _zone(value: Any, where: _Where) -> str:
    try:
        zone(str(value))
    except ValueError as exc:
        raise where.error(str(exc)) from None
    return str(value)


def _layer(data: Any, where: _Where, *, tz: str, index: int, role: str,
           base: Path | None) -> tuple[Layer, IcalSource | None]:
    if not isinstance(data, dict):
        raise where.error("a layer must be a mapping with rotations, members or ical")
    unknown = sorted(set(map(str, data)) - _LAYER_KEYS)
    if unknown:
        raise where.child(data, unknown[0], f".{unknown[0]}").error(
            f"unknown setting; known: {', '.join(sorted(_LAYER_KEYS))}")
    name = str(data.get("name") or ("primary" if index == 0 else f"layer {index + 1}"))
    kinds = [k for k in ("rotations", "members", "ical") if data.get(k) is not None]
    if len(kinds) != 1:
        raise where.error("give exactly one of rotations, members (one rotation) or ical")
    if kinds[0] == "ical":
        return Layer(name=name), _ical(data, where, role=role, index=index, base=base)
    if kinds[0] == "members":
        return Layer(name=name, rotations=(_rotation(data, where, tz=tz, extra=_LAYER_KEYS),)), None
    rotations_data = data["rotations"]
    rot_where = where.child(data, "rotations", ".rotations")
    if not isinstance(rotations_data, list) or not rotations_data:
        raise rot_where.error("must be a list of rotations")
    rotations = tuple(_rotation(r, rot_where.child(rotations_data, i, f"[{i}]"), tz=tz)
                      for i, r in enumerate(rotations_data))
    return Layer(name=name, rotations=rotations), None


def _rotation(data: Any, where: _Where, *, tz: str, extra: frozenset[str] = frozenset()) -> Rotation:
    if not isinstance(data, dict):
        raise where.error("a rotation must be a mapping with members, period and handoff")
    unknown = sorted(set(map(str, data)) - _ROTATION_KEYS - extra)
    if unknown:
        raise where.child(data, unknown[0], f".{unknown[0]}").error(
            f"unknown setting; known: {', '.join(sorted(_ROTATION_KEYS))}")
    members = data.get("members")
    m_where = where.child(data, "members", ".members")
    if isinstance(members, str):
        members = [members]
    if not isinstance(members, list) or not members or not all(
            isinstance(m, str) and m.strip() for m in members):
        raise m_where.error("must be a non-empty list of Slack user ids, e.g. [U02COMMS]")
    period = str(data.get("period") or "weekly").strip().lower()
    if period not in PERIODS:
        raise where.child(data, "period", ".period").error(
            f"must be daily or weekly, not `{period}`")
    try:
        handoff = parse_clock(str(data.get("handoff") or "09:00"))
    except ValueError as exc:
        raise where.child(data, "handoff", ".handoff").error(str(exc)) from None
    day_text = str(data.get("handoff_day") or "mon").strip().lower()[:3]
    if day_text not in WEEKDAYS:
        raise where.child(data, "handoff_day", ".handoff_day").error(
            f"must be a weekday ({', '.join(WEEKDAYS)}), not `{data.get('handoff_day')}`")
    start = data.get("start") or date(2026, 1, 5)
    if isinstance(start, datetime):
        start = start.date()
    if not isinstance(start, date):
        try:
            start = date.fromisoformat(str(start))
        except ValueError:
            raise where.child(data, "start", ".start").error(
                f"`{start}` is not a date like 2026-01-05") from None
    rot_tz = _zone(data.get("time_zone") or tz, where.child(data, "time_zone", ".time_zone"))
    days = data.get("days")
    if days is not None and (not isinstance(days, list) or not days):
        raise where.child(data, "days", ".days").error("must be a list of weekdays, e.g. [sat, sun]")
    try:
        hours = parse_hours(str(data.get("hours") or ""), days)
    except ValueError as exc:
        key = "days" if "days" in str(exc) else "hours"
        raise where.child(data, key, f".{key}").error(str(exc)) from None
    return Rotation(members=tuple(m.strip() for m in members), period=period, handoff=handoff,
                    tz=rot_tz, handoff_day=WEEKDAYS.index(day_text), start=start, hours=hours)


def _ical(data: dict[str, Any], where: _Where, *, role: str, index: int,
          base: Path | None) -> IcalSource:
    spec = data["ical"]
    i_where = where.child(data, "ical", ".ical")
    if isinstance(spec, str):
        spec = {"url": spec} if spec.startswith(("http://", "https://")) else {"file": spec}
    if not isinstance(spec, dict) or len([k for k in ("file", "url") if spec.get(k)]) != 1:
        raise i_where.error("give {file: PATH} or {url: https://…}")
    people = data.get("people") or {}
    if not isinstance(people, dict) or not all(
            isinstance(v, str) and v for v in people.values()):
        raise where.child(data, "people", ".people").error(
            "must map calendar names to Slack user ids, e.g. {\"Li Na\": U03LEGAL}")
    if spec.get("file"):
        path = Path(str(spec["file"]))
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise i_where.error(f"calendar file {path} does not exist")
        return IcalSource(role=role, layer=index, file=path,
                          people={str(k): v for k, v in people.items()}, where=_at(i_where))
    url = str(spec["url"])
    if not url.startswith(("http://", "https://")):
        raise i_where.error(f"`{url}` is not an http(s) URL")
    return IcalSource(role=role, layer=index, url=url,
                      people={str(k): v for k, v in people.items()}, where=_at(i_where))


def _at(where: _Where) -> str:
    return f"{where.source}:{where.line}" if where.line else where.source


def _overrides(data: Any, where: _Where, *, tz: str,
               roles: dict[str, tuple[Layer, ...]]) -> tuple[Override, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise where.error("must be a list of {role, user, from, to}")
    out = []
    for i, item in enumerate(data):
        w = where.child(data, i, f"[{i}]")
        if not isinstance(item, dict) or not {"role", "user", "from", "to"} <= set(map(str, item)):
            raise w.error("an override needs role, user, from and to")
        try:
            role = Role.parse(str(item["role"])).value
        except ValueError as exc:
            raise w.error(str(exc)) from None
        start = _moment(item["from"], w.child(item, "from", ".from"), tz)
        end = _moment(item["to"], w.child(item, "to", ".to"), tz)
        if end <= start:
            raise w.error("`to` must be after `from`")
        layer = int(item.get("layer") or 1) - 1
        out.append(Override(role=role, user=str(item["user"]), start=start, end=end,
                            layer=max(layer, 0), by="config"))
    return tuple(out)


def _moment(value: Any, where: _Where, tz: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise where.error(f"`{value}` is not a date and time like 2026-12-24 18:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz))
    return moment


def coverage_report(config: OncallConfig, *, start: datetime, days: int = 7) -> list[str]:
    """Gaps in primary duty over ``days`` from ``start``, one line each, in the rota's zone:
    ``no comms lead on duty Sat 02:00–08:00``."""
    from bot.domain.roles import ROLE_LABELS

    tz = zone(config.tz)
    lines = []
    for role in config.rota.roles:
        for gap in config.rota.gaps(role, start, start + timedelta(days=days)):
            a, b = gap.start.astimezone(tz), gap.end.astimezone(tz)
            label = ROLE_LABELS[Role(role)][0].lower()
            if a.date() == b.date():
                span = f"{a:%a %H:%M}–{b:%H:%M}"
            else:
                span = f"{a:%a %H:%M}–{b:%a %H:%M}"
            lines.append(f"no {label} on duty {span} ({config.tz})")
    return lines
