"""Snapshots of an incident's state: load = snapshot + the events after it.

Replaying the whole timeline stays the definition of an incident's state; a snapshot is a
cache of that replay, stored with the id of the last event it includes. :func:`dump` turns an
:class:`~bot.domain.incident.Incident` into JSON-able data, :func:`restore` turns it back.

The encoding is explicit and closed: only the classes listed in :data:`_CLASSES` (and the
timeline events, through their own ``payload()`` / ``from_record()``) are ever built, so a
stored snapshot cannot make the process construct anything else.

:data:`SCHEMA` names the snapshot format: a hand-kept :data:`FORMAT` number (bump it when an
event handler starts to compute state differently) plus a fingerprint of every stored class's
fields and every enum's values, so any change of the state's shape changes it by itself. A
snapshot with another schema is never decoded; the caller replays the timeline instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from bot.domain import events as ev
from bot.domain import statements as st
from bot.domain.incident import Incident
from bot.domain.lifecycle import Phase
from bot.domain.records import Fact, FactStatus, RoleAssignment, SeverityChange, Task
from bot.domain.roles import Role
from bot.domain.severity import Severity
from bot.domain.text import LocalText

#: Bump when the same events start to produce different state (a changed ``_on_*`` handler).
FORMAT = 1

#: Fields never stored: events recorded but not yet saved.
_SKIPPED = {"Incident": frozenset({"pending"})}

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Incident, Task, Fact, RoleAssignment, SeverityChange, LocalText,
        st.Statement, st.Approval, st.Publication,
        Phase, Role, Severity, FactStatus, st.StatementState,
    )
}


class SnapshotError(ValueError):
    """The data is not a snapshot this code can read (or the state cannot be stored)."""


def _fingerprint() -> str:
    parts = [f"format={FORMAT}"]
    for name, cls in sorted(_CLASSES.items()):
        if isinstance(cls, type) and issubclass(cls, Enum):
            parts.append(f"{name}:" + ",".join(str(m.value) for m in cls))
        else:
            parts.append(f"{name}:" + ",".join(f"{f.name}={f.type}" for f in fields(cls)))
    for name, cls in sorted(ev.EVENT_TYPES.items()):
        parts.append(f"{name}:" + ",".join(f"{f.name}={f.type}" for f in fields(cls)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


#: The schema stored with every snapshot; any other value means "replay instead".
SCHEMA = f"{FORMAT}.{_fingerprint()}"


def dump(incident: Incident) -> dict[str, Any]:
    """The incident's state as JSON-able data (raises :class:`SnapshotError` if it holds a
    value this module does not know how to store)."""
    return _encode(incident)


def restore(data: Any) -> Incident:
    """The incident stored by :func:`dump`; raises :class:`SnapshotError` on anything else."""
    try:
        incident = _decode(data)
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"unreadable snapshot: {exc.__class__.__name__}") from None
    if not isinstance(incident, Incident):
        raise SnapshotError("a snapshot holds an incident")
    return incident


def same_state(a: Incident, b: Incident) -> bool:
    """Whether two incidents have the same stored state (including ``updated_at``)."""
    return dump(a) == dump(b)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, Enum):
        return value
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, Enum):
        name = type(value).__name__
        if _CLASSES.get(name) is not type(value):
            raise SnapshotError(f"cannot store a {name}")
        return {"$e": name, "v": value.value}
    if isinstance(value, ev.Event):
        return {"$ev": value.name, "incident": value.incident, "actor": value.actor,
                "at": value.at.isoformat(), "payload": value.payload()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [_encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"$s": sorted((_encode(v) for v in value), key=repr),
                "frozen": isinstance(value, frozenset)}
    if isinstance(value, dict):
        return {"$m": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if is_dataclass(value):
        name = type(value).__name__
        if _CLASSES.get(name) is not type(value):
            raise SnapshotError(f"cannot store a {name}")
        return {"$c": name, "f": {f: _encode(getattr(value, f)) for f in _stored_fields(name)}}
    raise SnapshotError(f"cannot store a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        raise SnapshotError("unexpected value in a snapshot")
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$e" in value:
        return _known(value["$e"])(value["v"])
    if "$ev" in value:
        return ev.Event.from_record(value["$ev"], incident=value["incident"], actor=value["actor"],
                                    at=datetime.fromisoformat(value["at"]),
                                    payload=value["payload"])
    if "$t" in value:
        return tuple(_decode(v) for v in value["$t"])
    if "$s" in value:
        items = {_decode(v) for v in value["$s"]}
        return frozenset(items) if value["frozen"] else items
    if "$m" in value:
        return {_decode(k): _decode(v) for k, v in value["$m"]}
    if "$c" in value:
        cls = _known(value["$c"])
        stored = {name: _decode(v) for name, v in value["f"].items()}
        init = _init_fields(value["$c"])
        obj = cls(**{k: v for k, v in stored.items() if k in init})
        for name, v in stored.items():
            if name not in init:
                object.__setattr__(obj, name, v)
        return obj
    raise SnapshotError("unexpected object in a snapshot")


# Field names per stored class, computed once (``dataclasses.fields`` on every object of
# every snapshot read or written was a tenth of a command's time).
_STORED_FIELDS = {name: tuple(f.name for f in fields(cls) if f.name not in _SKIPPED.get(name, ()))
                  for name, cls in _CLASSES.items() if is_dataclass(cls)}
_INIT_FIELDS = {name: frozenset(f.name for f in fields(cls) if f.init)
                for name, cls in _CLASSES.items() if is_dataclass(cls)}


def _stored_fields(name: str) -> tuple[str, ...]:
    return _STORED_FIELDS[name]


def _init_fields(name: str) -> frozenset[str]:
    return _INIT_FIELDS[name]


def _known(name: str) -> type:
    cls = _CLASSES.get(name)
    if cls is None:
        raise SnapshotError(f"unknown class {name!r} in a snapshot")
    return cls
