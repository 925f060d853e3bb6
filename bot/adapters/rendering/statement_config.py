"""Statement settings: lint word lists (``playbooks/templates/statements/lint.yaml``,
overridable in the site config), the comms channel and the time zone of each audience.

Site config (``crisisbot.yaml``)::

    comms_channel: crisis-comms          # published statements are also posted here
    statements:
      timezone: Asia/Shanghai            # times in statements, for every audience…
      timezones: {regulators: Europe/Berlin}   # …unless the audience has its own
      lint:                              # replaces these lists of templates/statements/lint.yaml
        absolute_claims: {en: [lowest price], zh: [最低价]}

Contact channels come from ``company`` (``contact`` for customers and partners, ``press_contact``
for media, ``regulator_contact`` for regulators); a missing one is a lint error for that audience.
Chinese word lists are written once; their Traditional forms are added with OpenCC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.adapters.rendering.chinese import ScriptForms, to_variant
from bot.domain.errors import InvalidInput
from bot.domain.statement_lint import CONTACT_KEYS, DEFAULT_LIMITS, LintRules, Variant
from bot.domain.statements import AUDIENCES, KINDS
from bot.siteconfig import SiteConfig

LINT_FILE = "templates/statements/lint.yaml"
_LISTS = ("absolute_claims", "speculation", "progress_markers", "contact_markers", "allow",
          "negations", "denials")


@dataclass(frozen=True)
class StatementSettings:
    company: str = "Our company"
    contact: str = ""
    press_contact: str = ""
    regulator_contact: str = ""
    regulator: tuple[str, str] = ("", "")
    comms_channel: str | None = None
    timezone: str = "UTC"
    timezones: Mapping[str, str] = field(default_factory=dict)
    lint: LintRules = field(default_factory=LintRules)

    def zone(self, audience: str) -> ZoneInfo:
        return ZoneInfo(self.timezones.get(audience) or self.timezone)

    @property
    def contacts(self) -> dict[str, str]:
        """The configured contact channel of each audience that needs one."""
        values = {"contact": self.contact, "press_contact": self.press_contact,
                  "regulator_contact": self.regulator_contact}
        return {audience: values[key] for audience, key in CONTACT_KEYS.items()}

    def contact_for(self, audience: str) -> str:
        return self.contacts.get(audience, "")


def load_statement_settings(*, playbooks: Path, site: SiteConfig) -> StatementSettings:
    """Read ``templates/statements/lint.yaml`` from ``playbooks`` and apply the site config on top.
    Problems raise :class:`InvalidInput`."""
    data, problems = _read_lint_file(playbooks / LINT_FILE)
    if problems:
        raise InvalidInput("; ".join(problems))
    raw = site.raw or {}
    section = raw.get("statements") or {}
    if not isinstance(section, dict):
        raise InvalidInput("site config: statements must be a mapping")
    overrides = section.get("lint") or {}
    problems = _shape_problems(overrides, "site config statements.lint")
    if problems:
        raise InvalidInput("; ".join(problems))
    merged = {**(data or {}), **overrides}
    timezone = str(section.get("timezone") or "UTC")
    timezones = {str(k): str(v) for k, v in (section.get("timezones") or {}).items()}
    for audience, name in [("(default)", timezone), *timezones.items()]:
        if audience != "(default)" and audience not in AUDIENCES:
            raise InvalidInput(f"site config statements.timezones: `{audience}` is not an audience")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"site config statements: unknown time zone `{name}`") from None
    comms = raw.get("comms_channel")
    return StatementSettings(
        company=site.company_name,
        contact=site.contact,
        press_contact=site.press_contact,
        regulator_contact=site.regulator_contact,
        regulator=site.regulator,
        comms_channel=str(comms).lstrip("#") if comms else None,
        timezone=timezone,
        timezones=timezones,
        lint=lint_rules(merged),
    )


def lint_rules(data: Mapping[str, Any]) -> LintRules:
    """Build :class:`LintRules` from the (already checked) data file shape. The Chinese
    phrases' Traditional forms are converted when a statement is first linted
    (:class:`~bot.adapters.rendering.chinese.ScriptForms`), not at start-up."""
    lists: dict[str, Any] = {
        key: ScriptForms(tuple(w for lang in ("en", "zh") for w in (data.get(key) or {}).get(lang, [])))
        for key in _LISTS
    }
    required: dict[str, Any] = {
        str(kind): ScriptForms(tuple(w for lang in ("en", "zh") for w in (words or {}).get(lang, [])))
        for kind, words in (data.get("required_wording") or {}).items()
    }
    limits = {
        Variant(k): {str(lang): int(n) for lang, n in v.items()}
        for k, v in (data.get("limits") or {}).items()
    }
    variants = {str(k).lower(): Variant(v) for k, v in (data.get("channel_variants") or {}).items()}
    return LintRules(**lists, required_wording=required, limits={**DEFAULT_LIMITS, **limits},
                     channel_variants=variants, convert=to_variant)


def lint_file_problems(path: Path) -> list[str]:
    """Problems of the lint data file, each starting with the file name (none when absent)."""
    return _read_lint_file(path)[1]


#: libyaml's parser where PyYAML has it (the word lists are read at every start-up).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_lint_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The lint data file's content and its problems (an empty file and none when absent).
    A file libyaml refuses is read again by the Python parser, for the usual error wording."""
    if not path.is_file():
        return {}, []
    try:
        text = path.read_text(encoding="utf-8")
        try:
            data = yaml.load(text, Loader=_FAST_LOADER) or {}
        except yaml.YAMLError:
            data = yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError) as exc:
        return {}, [f"{path}: invalid YAML: {exc}"]
    return data, _shape_problems(data, str(path))


def _shape_problems(data: Any, source: str) -> list[str]:
    if not isinstance(data, dict):
        return [f"{source}: must be a mapping"]
    problems = []
    for key, value in data.items():
        if key in _LISTS:
            if (
                not isinstance(value, dict)
                or set(value) - {"en", "zh"}
                or not all(
                    isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v)
                    for v in value.values()
                )
            ):
                problems.append(f"{source}: {key} must map en and zh to lists of phrases")
        elif key == "required_wording":
            if not isinstance(value, dict) or not all(
                k in KINDS and isinstance(v, dict) and not set(v) - {"en", "zh"}
                and all(isinstance(w, list) and all(isinstance(x, str) for x in w) for w in v.values())
                for k, v in value.items()
            ):
                problems.append(f"{source}: required_wording must map statement kinds to "
                                "{en: [...], zh: [...]}")
        elif key == "limits":
            if not isinstance(value, dict) or not all(
                k in Variant.__members__.values()
                and isinstance(v, dict)
                and all(
                    lang in ("en", "zh") and isinstance(n, int) and n > 0 for lang, n in v.items()
                )
                for k, v in value.items()
            ):
                problems.append(
                    f"{source}: limits must map long, social or sms to "
                    "{en: <characters>, zh: <characters>}"
                )
        elif key == "channel_variants":
            if not isinstance(value, dict) or not all(
                v in Variant.__members__.values() for v in value.values()
            ):
                problems.append(
                    f"{source}: channel_variants must map channel names to long, social or sms"
                )
        else:
            problems.append(f"{source}: unknown key `{key}`")
    return problems
