"""The site config (``CRISISBOT_CONFIG``, YAML): roster, announce channel, company details.

```yaml
company:
  name: "Acme Shop"
  contact: "support.acme.example · 400-800-1234"       # customers and partners
  press_contact: "press@acme.example · 021-5555-0100"  # media
  regulator_contact: "dpo@acme.example"                # regulators (data-protection officer)
  regulator: {en: "Shanghai Administration for Market Regulation", zh: "上海市市场监督管理局"}
announce_channel: crisis-announce        # channel name or id; omit to skip announcements
roster:                                  # role -> Slack user ids (the first is the default holder)
  commander: [U01CMD]
  comms: [U02COMMS]
  legal: [U03LEGAL]
  exec: [U04EXEC]
```
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.domain.durations import parse_duration
from bot.adapters.monitors.config import MonitorsConfig, parse_monitors
from bot.adapters.site.config import DarkSiteConfig, parse_dark_site
from bot.domain.errors import InvalidInput
from bot.domain.permissions import check_visibility
from bot.domain.reminders import ReminderSettings
from bot.domain.roles import Role


@dataclass(frozen=True)
class SiteConfig:
    company_name: str = "Our company"
    contact: str = ""
    press_contact: str = ""
    regulator_contact: str = ""
    #: The regulator statements are addressed to: (English, Chinese); empty when not configured.
    regulator: tuple[str, str] = ("", "")
    announce_channel: str | None = None
    roster: dict[Role, tuple[str, ...]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    monitors: MonitorsConfig = field(default_factory=MonitorsConfig)
    postmortem_lang: str = "en"
    #: Who may read a non-confidential incident (status, timeline, statements, stage, App
    #: Home): ``workspace`` (anyone) or ``members`` (people in the incident). Confidential
    #: incidents are always ``members``.
    visibility: str = "workspace"
    dark_site: DarkSiteConfig = field(default_factory=lambda: parse_dark_site(None))

    @property
    def reads_restricted(self) -> bool:
        return self.visibility == "members"

    def roles_of(self, user: str) -> frozenset[Role]:
        return frozenset(role for role, users in self.roster.items() if user in users)

    def users_for(self, roles: tuple[Role, ...] | list[Role]) -> list[str]:
        users: list[str] = []
        for role in roles:
            for user in self.roster.get(role, ()):
                if user not in users:
                    users.append(user)
        return users

    def default_holders(self, roles: tuple[Role, ...] | list[Role]) -> dict[Role, str]:
        """The first rostered user of each role: who is assigned when an incident opens."""
        return {role: self.roster[role][0] for role in roles if self.roster.get(role)}


def load_site_config(path: Path | None) -> SiteConfig:
    """Read the site config; ``None`` gives the defaults. Problems raise :class:`InvalidInput`
    with one line: what is wrong, where (file:line for YAML) and what to do."""
    if path is None:
        return SiteConfig()
    fix = "set CRISISBOT_CONFIG to your crisisbot.yaml, or unset it to run without one"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"site config {path} does not exist; {fix}") from None
    except IsADirectoryError:
        raise InvalidInput(f"site config {path} is a directory, not a YAML file; {fix}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput(f"site config {path} cannot be read ({reason}); {fix}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{yaml_error_line(path, exc)}; fix the YAML in that file") from None
    return parse_site_config(data, source=str(path), base=path.parent)


def yaml_error_line(path: Path | str, exc: yaml.YAMLError) -> str:
    """``FILE:LINE: invalid YAML: PROBLEM (CONTEXT)`` on one line, for any YAML error."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = f":{mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return f"{path}{line}: invalid YAML: {problem}" + (f" ({context})" if context else "")


#: Top-level keys of the site config (``statements`` and ``comms_channel`` are read by the
#: statement settings); anything else is a typo that would otherwise be silently ignored.
KNOWN_KEYS = frozenset({"company", "announce_channel", "comms_channel", "roster", "statements",
                        "reminders", "monitors", "postmortem_lang", "visibility",
                        "dark_site"}) | {"drills"}
KNOWN_KEYS |= {"listening"}  # parsed by bot.adapters.listening.config (bootstrap.build_listening)
KNOWN_KEYS |= {"oncall", "paging", "publish"}  # bot/oncall_config.py, paging, publish


def parse_site_config(data: Any, *, source: str = "site config", base: Path | None = None) -> SiteConfig:
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}: must be a mapping")
    unknown = sorted(set(map(str, data)) - KNOWN_KEYS)
    if unknown:
        raise InvalidInput(f"{source}: unknown setting(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(KNOWN_KEYS))}")
    roster: dict[Role, tuple[str, ...]] = {}
    roster_data = data.get("roster") or {}
    if not isinstance(roster_data, dict):
        raise InvalidInput(f"{source}: roster must be a mapping of role to Slack user ids, "
                           "e.g. `roster: {comms: [U02COMMS]}`")
    for key, users in roster_data.items():
        try:
            role = Role.parse(str(key))
        except ValueError as exc:
            raise InvalidInput(f"{source}: roster: {exc}") from None
        if isinstance(users, str):
            users = [users]
        if not isinstance(users, list) or not all(isinstance(u, str) and u for u in users):
            raise InvalidInput(f"{source}: roster.{key} must be a list of Slack user ids")
        roster[role] = tuple(users)
    company = data.get("company") or {}
    if not isinstance(company, dict):
        raise InvalidInput(f"{source}: company must be a mapping with name and contact")
    unknown_company = sorted(set(map(str, company)) - _COMPANY_KEYS)
    if unknown_company:
        raise InvalidInput(f"{source}: company: unknown setting(s) {', '.join(unknown_company)}; "
                           f"known: {', '.join(sorted(_COMPANY_KEYS))}")
    announce = data.get("announce_channel")
    return SiteConfig(
        company_name=str(company.get("name") or "Our company"),
        contact=str(company.get("contact") or ""),
        press_contact=str(company.get("press_contact") or ""),
        regulator_contact=str(company.get("regulator_contact") or ""),
        regulator=_regulator(company.get("regulator"), source),
        announce_channel=str(announce).lstrip("#") if announce else None,
        roster=roster,
        raw=data,
        reminders=parse_reminders(data.get("reminders"), source=source),
        monitors=parse_monitors(data.get("monitors"), source=source, base=base),
        postmortem_lang=_postmortem_lang(data, source),
        visibility=_visibility(data, source),
        dark_site=parse_dark_site(data.get("dark_site"), source=source,
                                  company=str(company.get("name") or ""),
                                  contact=str(company.get("contact") or ""),
                                  press_contact=str(company.get("press_contact") or "")),
    )


_COMPANY_KEYS = frozenset({"name", "contact", "press_contact", "regulator_contact", "regulator"})


def _regulator(value: Any, source: str) -> tuple[str, str]:
    """``company.regulator``: a name, or ``{en: ..., zh: ...}``."""
    if value is None:
        return ("", "")
    if isinstance(value, str):
        return (value.strip(), value.strip())
    if isinstance(value, dict) and set(map(str, value)) <= {"en", "zh"} and value:
        en, zh = str(value.get("en") or "").strip(), str(value.get("zh") or "").strip()
        return (en or zh, zh or en)
    raise InvalidInput(f"{source}: company.regulator must be a name or {{en: ..., zh: ...}}")


def parse_reminders(data: Any, *, source: str = "site config") -> ReminderSettings:
    """The ``reminders:`` section: offsets and grace as durations (``30m``, ``1h``, ``2h30m``).

    ```yaml
    reminders:
      first_statement_before: [60m, 15m]   # before the golden 4 hours are up
      task_due_soon: 30m
      regulatory_before: [24h, 4h, 1h]     # the nearer ones mention the commander too
      postmortem_before: 24h
      escalation_grace: 30m                # overdue this long: the exec sponsor is mentioned
    ```
    """
    if data is None:
        return ReminderSettings()
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}: reminders must be a mapping")
    known = {"first_statement_before", "task_due_soon", "regulatory_before", "postmortem_before",
             "escalation_grace"}
    unknown = sorted(set(map(str, data)) - known)
    if unknown:
        raise InvalidInput(f"{source}: reminders: unknown setting(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(known))}")

    def one(key: str) -> timedelta:
        try:
            return parse_duration(str(data[key]))
        except ValueError as exc:
            raise InvalidInput(f"{source}: reminders.{key}: {exc}") from None

    def many(key: str) -> tuple[timedelta, ...]:
        value = data[key]
        if not isinstance(value, list):
            raise InvalidInput(f"{source}: reminders.{key} must be a list of durations, e.g. [60m, 15m]")
        try:
            return tuple(parse_duration(str(v)) for v in value)
        except ValueError as exc:
            raise InvalidInput(f"{source}: reminders.{key}: {exc}") from None

    values: dict[str, Any] = {}
    for key in ("task_due_soon", "postmortem_before", "escalation_grace"):
        if key in data:
            values[key] = one(key)
    for key in ("first_statement_before", "regulatory_before"):
        if key in data:
            values[key] = many(key)
    return replace(ReminderSettings(), **values)


def _visibility(data: dict[str, Any], source: str) -> str:
    """``visibility: workspace | members`` — who reads non-confidential incidents."""
    try:
        return check_visibility(str(data.get("visibility") or "workspace"))
    except ValueError as exc:
        raise InvalidInput(f"{source}: {exc}") from None


def _postmortem_lang(data: dict[str, Any], source: str) -> str:
    """``postmortem_lang: en | zh | both`` — the post-mortem's headings (default en)."""
    lang = str(data.get("postmortem_lang") or "en").strip().lower()
    if lang not in ("en", "zh", "both"):
        raise InvalidInput(f"{source}: postmortem_lang must be en, zh or both, not `{lang}`")
    return lang
