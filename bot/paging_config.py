"""The ``paging:`` section of the site config: timeouts, delivery channels and how each person
is reached.

```yaml
paging:
  timeouts: {SS: 5m, S: 15m}        # unacknowledged this long: paged again, then escalated
  repeats: 1                        # pages to the same person before the next layer
  public_url: https://crisis.acme.example   # where `crisisbot serve` is reached (ack links)
  channels:
    ops-wecom:   {type: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=env:WECOM_KEY"}
    ops-ding:    {type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=env:DING_TOKEN",
                  secret: "env:DING_SECRET"}
    ops-feishu:  {type: feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/env:FEISHU_HOOK",
                  secret: "env:FEISHU_SECRET"}
    sms:         {type: http, url: "https://sms.example/send", headers: {Authorization: "env:SMS_AUTH"},
                  body: '{"to": {{ to|tojson }}, "text": {{ text|tojson }}}'}
    mail:        {type: smtp, host: smtp.acme.example, port: 587, starttls: true,
                  from: "crisisbot@acme.example", username: crisisbot, password: "env:SMTP_PASSWORD"}
  people:                           # Slack id -> where to page them (each gets the page)
    U02COMMS: [{channel: ops-ding, to: "13800000000"}, {channel: mail, to: maria@acme.example}]
    U03LEGAL: [{channel: sms, to: "+8613900000000"}]
```

``env:NAME`` anywhere in a value is replaced by the environment variable ``NAME`` when the
message is sent, so secrets never sit in the file nor in the database.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput
from bot.domain.paging import PagePolicy
from bot.domain.severity import Severity
from bot.yaml_lines import located_error, read_section

CHANNEL_TYPES = ("wecom", "dingtalk", "feishu", "http", "smtp", "webhook", "slack")
#: Publish targets (``publish.targets``): the dark site, a signed webhook, e-mail lists, Slack.
TARGET_TYPES = ("site", "webhook", "smtp", "slack")
_ENV = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)")
_CHANNEL_KEYS = {
    "wecom": {"type", "url"},
    "dingtalk": {"type", "url", "secret"},
    "feishu": {"type", "url", "secret"},
    "http": {"type", "url", "body", "headers", "content_type"},
    "smtp": {"type", "host", "port", "from", "starttls", "ssl", "username", "password", "to"},
    "site": {"type"},
    "webhook": {"type", "url", "secret"},
    "slack": {"type", "channel"},
}
_REQUIRED = {"wecom": {"url"}, "dingtalk": {"url", "secret"}, "feishu": {"url"},
             "http": {"url", "body"}, "smtp": {"host", "from"}, "webhook": {"url", "secret"},
             "slack": {"channel"}, "site": set()}


@dataclass(frozen=True)
class ChannelConfig:
    """One delivery channel; values may carry ``env:NAME`` (see :func:`expand`)."""

    name: str
    type: str
    settings: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.settings.get(key, default)
        return expand(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Contact:
    channel: str
    to: str = ""


@dataclass(frozen=True)
class PagingConfig:
    policy: PagePolicy = field(default_factory=PagePolicy)
    public_url: str = ""
    channels: dict[str, ChannelConfig] = field(default_factory=dict)
    people: dict[str, tuple[Contact, ...]] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.policy.timeouts)


def expand(value: str) -> str:
    """``env:NAME`` -> the variable's value (a missing variable is an error naming it)."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise InvalidInput(f"the environment variable {name} is not set (named as env:{name} "
                               "in the site config)")
        return os.environ[name]
    return _ENV.sub(one, value)


def load_paging(path: Path | None, raw: dict[str, Any] | None = None) -> PagingConfig:
    section = read_section(path, "paging") if path is not None else None
    if section is None and raw is not None:
        section = raw.get("paging")
    return parse_paging(section, source=str(path) if path else "site config")


def parse_paging(data: Any, *, source: str = "site config") -> PagingConfig:
    if data is None:
        return PagingConfig()

    fail = partial(located_error, source)

    if not isinstance(data, dict):
        raise fail(data, None, "paging", "must be a mapping")
    known = {"timeouts", "repeats", "public_url", "channels", "people"}
    for key in data:
        if key not in known:
            raise fail(data, key, f"paging.{key}", f"unknown setting; known: {', '.join(sorted(known))}")
    timeouts: dict[str, timedelta] = {}
    raw_timeouts = data.get("timeouts") or {}
    if not isinstance(raw_timeouts, dict):
        raise fail(data, "timeouts", "paging.timeouts", "must map severities to durations, e.g. {SS: 5m}")
    for sev, value in raw_timeouts.items():
        try:
            level = Severity.parse(str(sev)).value
            timeouts[level] = parse_duration(str(value))
        except ValueError as exc:
            raise fail(raw_timeouts, sev, f"paging.timeouts.{sev}", str(exc)) from None
    repeats = data.get("repeats", 1)
    if not isinstance(repeats, int) or not 0 <= repeats <= 5:
        raise fail(data, "repeats", "paging.repeats", "must be a whole number from 0 to 5")
    public_url = str(data.get("public_url") or "").rstrip("/")
    if public_url and not public_url.startswith(("http://", "https://")):
        raise fail(data, "public_url", "paging.public_url", f"`{public_url}` is not an http(s) URL")
    channels = parse_channels(data.get("channels"), source=source, where="paging.channels",
                              container=data)
    people: dict[str, tuple[Contact, ...]] = {}
    raw_people = data.get("people") or {}
    if not isinstance(raw_people, dict):
        raise fail(data, "people", "paging.people", "must map Slack user ids to contact lists")
    for user, contacts in raw_people.items():
        where = f"paging.people.{user}"
        if isinstance(contacts, dict):
            contacts = [contacts]
        if not isinstance(contacts, list):
            raise fail(raw_people, user, where, "must be a list of {channel, to}")
        out = []
        for i, item in enumerate(contacts):
            if not isinstance(item, dict) or "channel" not in item:
                raise fail(contacts, i, f"{where}[{i}]", "needs channel (and usually to)")
            name = str(item["channel"])
            if name not in channels:
                raise fail(contacts, i, f"{where}[{i}].channel",
                           f"no channel `{name}` under paging.channels")
            out.append(Contact(channel=name, to=str(item.get("to") or "")))
        people[str(user)] = tuple(out)
    return PagingConfig(policy=PagePolicy(timeouts=timeouts, repeats=repeats),
                        public_url=public_url, channels=channels, people=people)


def parse_channels(data: Any, *, source: str, where: str, container: Any = None,
                   allowed: tuple[str, ...] = CHANNEL_TYPES) -> dict[str, ChannelConfig]:
    """Named delivery channels (shared by paging and publish targets)."""
    if data is None:
        return {}

    fail = partial(located_error, source)

    if not isinstance(data, dict):
        raise fail(container, where.split(".")[-1], where, "must map names to channels")
    out: dict[str, ChannelConfig] = {}
    for name, spec in data.items():
        at = f"{where}.{name}"
        if not isinstance(spec, dict):
            raise fail(data, name, at, "must be a mapping with type and url")
        kind = str(spec.get("type") or "")
        if kind not in allowed:
            raise fail(data, name, f"{at}.type", f"must be one of {', '.join(allowed)}, not `{kind}`")
        unknown = sorted(set(map(str, spec)) - _CHANNEL_KEYS[kind])
        if unknown:
            raise fail(spec, unknown[0], f"{at}.{unknown[0]}",
                       f"unknown setting for {kind}; known: {', '.join(sorted(_CHANNEL_KEYS[kind]))}")
        missing = sorted(_REQUIRED[kind] - set(map(str, spec)))
        if missing:
            raise fail(data, name, at, f"a {kind} channel needs {', '.join(missing)}")
        url = str(spec.get("url") or "")
        if url and not url.startswith(("http://", "https://")):
            raise fail(spec, "url", f"{at}.url", "must be an http(s) URL")
        if kind == "http":
            _check_template(str(spec["body"]), lambda p, s=spec, a=at: fail(s, "body", f"{a}.body", p))
        out[str(name)] = ChannelConfig(name=str(name), type=kind, settings=dict(spec))
    return out


def _check_template(body: str, fail) -> None:
    from bot.adapters.rendering.jinja_env import build_expression_environment

    try:
        build_expression_environment().from_string(body)
    except Exception as exc:  # noqa: BLE001 - any template problem is the config's
        raise fail(f"the template does not parse ({str(exc).splitlines()[0]})") from None
