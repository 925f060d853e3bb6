"""The ``publish:`` section of the site config: where a published statement goes, per audience.

```yaml
publish:
  targets:
    site:     {type: site}                                   # the crisis dark site
    cms:      {type: webhook, url: https://cms.acme.example/hooks/crisis, secret: "env:CMS_SECRET"}
    partners: {type: smtp, host: smtp.acme.example, from: crisis@acme.example,
               to: [sellers@lists.acme.example, logistics@lists.acme.example]}
    status:   {type: slack, channel: crisis-status}
  audiences:
    customers: [site, cms, status]
    media: [site]
    partners: [partners]
```

``/crisis statement publish N`` sends statement N to every target of its audience; the card
shows each target's state and the timeline records each outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bot.domain.statements import AUDIENCES
from bot.paging_config import TARGET_TYPES, ChannelConfig, parse_channels
from bot.yaml_lines import located_error, read_section


@dataclass(frozen=True)
class PublishConfig:
    targets: dict[str, ChannelConfig] = field(default_factory=dict)
    audiences: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def targets_for(self, audience: str) -> tuple[ChannelConfig, ...]:
        return tuple(self.targets[name] for name in self.audiences.get(audience, ()))

    def site_audiences(self) -> frozenset[str]:
        """Audiences whose statements the dark site shows."""
        return frozenset(a for a, names in self.audiences.items()
                         if any(self.targets[n].type == "site" for n in names))


def load_publish(path: Path | None, raw: dict[str, Any] | None = None) -> PublishConfig:
    section = read_section(path, "publish") if path is not None else None
    if section is None and raw is not None:
        section = raw.get("publish")
    return parse_publish(section, source=str(path) if path else "site config")


def parse_publish(data: Any, *, source: str = "site config") -> PublishConfig:
    if data is None:
        return PublishConfig()

    fail = partial(located_error, source)

    if not isinstance(data, dict):
        raise fail(data, None, "publish", "must be a mapping with targets and audiences")
    for key in data:
        if key not in ("targets", "audiences"):
            raise fail(data, key, f"publish.{key}", "unknown setting; known: audiences, targets")
    targets = parse_channels(data.get("targets"), source=source, where="publish.targets",
                             container=data, allowed=TARGET_TYPES)
    for name, target in targets.items():
        to = target.settings.get("to")
        if target.type == "smtp" and not (isinstance(to, list) and to or isinstance(to, str) and to):
            raise fail(data.get("targets"), name, f"publish.targets.{name}",
                       "an e-mail target needs `to`: the list's addresses")
    audiences: dict[str, tuple[str, ...]] = {}
    raw = data.get("audiences") or {}
    if not isinstance(raw, dict):
        raise fail(data, "audiences", "publish.audiences", "must map audiences to target names")
    for audience, names in raw.items():
        where = f"publish.audiences.{audience}"
        if str(audience) not in AUDIENCES:
            raise fail(raw, audience, where, f"unknown audience; audiences are {', '.join(AUDIENCES)}")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list):
            raise fail(raw, audience, where, "must be a list of target names")
        for name in names:
            if str(name) not in targets:
                raise fail(raw, audience, where, f"no target `{name}` under publish.targets")
        audiences[str(audience)] = tuple(dict.fromkeys(str(n) for n in names))
    return PublishConfig(targets=targets, audiences=audiences)
