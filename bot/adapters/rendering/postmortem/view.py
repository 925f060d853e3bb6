"""The report's data as people read it, for the Markdown and HTML versions: role keys, crisis
types, impact keys, statuses, stages, audiences and Slack user ids become words (through
:mod:`bot.adapters.rendering.formatting`). The JSON version keeps the machine values."""

from __future__ import annotations

import copy
from typing import Any

from bot.adapters.rendering.formatting import Readable
from bot.adapters.rendering.postmortem.timeline_text import describe


def readable_data(data: dict[str, Any], r: Readable) -> dict[str, Any]:
    d = copy.copy(data)
    inc = dict(data["incident"])
    inc["crisis_type"] = r.crisis_type(str(inc["crisis_type"]))
    if inc["status"] != "active":  # "active" is worded by the renderers (figures as of …)
        inc["status"] = r.status(str(inc["status"]))
    inc["declared_by"] = r.person(inc["declared_by"])
    inc["source"] = r.person(inc["source"]) if inc.get("source") else inc.get("source")
    inc["roles"] = {r.role(role): r.person(user) for role, user in inc["roles"].items()}
    d["incident"] = inc
    d["impact"] = {r.impact_label(str(k)): r.figure(v) for k, v in data["impact"].items()}
    met = dict(data["metrics"])
    met["stages"] = [{**s, "stage": r.stage(str(s["stage"]))} for s in met["stages"]]
    tasks = dict(met["tasks"])
    tasks["items"] = [{**t, "stage": r.stage(str(t["stage"]))} for t in tasks["items"]]
    met["tasks"] = tasks
    met["approvals"] = [{**a, "audience": r.audience(str(a["audience"]))} for a in met["approvals"]]
    d["metrics"] = met
    d["communications"] = [
        {**g, "audience": r.audience(str(g["audience"])),
         "statements": [{**s, "kind": r.kind(str(s["kind"])), "lang": r.language(str(s["lang"])),
                         "by": r.person(s.get("by"))} for s in g["statements"]]}
        for g in data["communications"]]
    d["facts"] = [f if f["status"] == "unconfirmed" else {**f, "status": r.state(str(f["status"]))}
                  for f in data["facts"]]
    d["notes"] = {tag: [{**n, "by": r.person(n["by"])} for n in notes]
                  for tag, notes in data["notes"].items()}
    d["followups"] = [{**f, "owner": r.person(f["owner"]) if f.get("owner") else None,
                       "by": r.person(f["by"]),
                       "done_by": r.person(f["done_by"]) if f.get("done_by") else None}
                      for f in data["followups"]]
    signals = data.get("signals")
    if signals and signals.get("sentiment"):
        d["signals"] = {**signals, "sentiment": {
            period: {r.sentiment(str(k)): v for k, v in shares.items()}
            for period, shares in signals["sentiment"].items()}}
    once = _Once(r)  # a timeline repeats the same few people, roles and keys thousands of times
    d["timeline"] = [{**e, "actor": once.person(e["actor"]),
                      "text": describe(e["name"], e.get("payload") or {}, once)  # type: ignore[arg-type]
                      if "payload" in e else e["text"]}
                     for e in data["timeline"]]
    return d


#: The one-value word lookups of :class:`Readable` that :func:`describe` makes per event (keys
#: and user ids; not figures, where equal values may read differently: 0.0 and -0.0).
_ONCE = frozenset({"person", "role", "crisis_type", "stage", "audience", "kind", "language"})


class _Once:
    """A :class:`Readable` whose one-value lookups are made once per distinct value (for one
    rendering); other calls go to the wrapped one."""

    def __init__(self, readable: Readable) -> None:
        self._readable = readable
        self._seen: dict[tuple[str, type, Any], str] = {}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._readable, name)
        if name not in _ONCE:
            return method
        seen = self._seen

        def once(value: Any) -> str:
            try:
                return seen[(name, type(value), value)]
            except KeyError:
                text = seen[(name, type(value), value)] = method(value)
                return text
            except TypeError:  # unhashable: nothing to remember
                return method(value)

        setattr(self, name, once)  # looked up once per name, then found on the instance
        return once
