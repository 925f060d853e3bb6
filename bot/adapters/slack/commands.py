"""A pure parser for the ``/crisis`` slash command (SPEC §2).

:func:`parse_command` turns the text Slack sends into one frozen command object, or raises
:class:`~bot.domain.errors.InvalidInput` with a message saying exactly what to type instead
(:class:`UnknownCommand` for an unknown subcommand, with the help attached). It never raises
anything else, whatever the text.

>>> parse_command("INC-7 task assign 3 <@U123ABC|maria>")
TaskAssign(incident=7, no=3, user='U123ABC')

Slack escapes ``&``, ``<`` and ``>`` in command text and writes mentions as ``<@U123|name>``;
structured arguments (people) are read from those sequences, while free text (titles, notes,
facts…) is turned back into what the person typed, with mentions shown as ``@name``, so it can
be stored and later escaped once on the way out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import ClassVar

from bot.adapters.slack import messages as msg
from bot.adapters.slack.ids import Command
from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput
from bot.domain.roles import Role
from bot.domain.severity import Severity

#: The slash command this module parses.
COMMAND = Command.CRISIS


class UnknownCommand(InvalidInput):
    """The first word is not a ``/crisis`` subcommand; the message carries the help."""

    code = "unknown_command"

    def __init__(self, word: str) -> None:
        super().__init__(msg.err_unknown_command(word))
        self.word = word


# --------------------------------------------------------------------------- commands


@dataclass(frozen=True, kw_only=True)
class CrisisCommand:
    """Base of every parsed command. ``incident`` is the number from a leading ``INC-7``, if any."""

    name: ClassVar[str] = ""
    incident: int | None = None


@dataclass(frozen=True)
class Help(CrisisCommand):
    name: ClassVar[str] = "help"
    topic: str | None = None


@dataclass(frozen=True)
class Declare(CrisisCommand):
    """``title`` empty means: open the declare modal."""

    name: ClassVar[str] = "declare"
    title: str = ""
    severity: Severity | None = None
    crisis_type: str | None = None
    #: ``confidential:yes|no``; None takes the playbook's default.
    confidential: bool | None = None

    @property
    def opens_modal(self) -> bool:
        return not self.title


@dataclass(frozen=True)
class Status(CrisisCommand):
    name: ClassVar[str] = "status"


@dataclass(frozen=True)
class SetSeverity(CrisisCommand):
    name: ClassVar[str] = "sev"
    severity: Severity
    reason: str = ""


@dataclass(frozen=True)
class AssignRole(CrisisCommand):
    name: ClassVar[str] = "role"
    role: Role
    user: str


@dataclass(frozen=True)
class Stage(CrisisCommand):
    """``advance=False``: show the checklist; ``force`` (commander only) skips open required tasks."""

    name: ClassVar[str] = "stage"
    advance: bool = False
    force: bool = False


@dataclass(frozen=True)
class TaskDone(CrisisCommand):
    name: ClassVar[str] = "task done"
    no: int


@dataclass(frozen=True)
class TaskAdd(CrisisCommand):
    name: ClassVar[str] = "task add"
    text: str


@dataclass(frozen=True)
class TaskAssign(CrisisCommand):
    name: ClassVar[str] = "task assign"
    no: int
    user: str


@dataclass(frozen=True)
class FactAdd(CrisisCommand):
    name: ClassVar[str] = "fact"
    text: str


@dataclass(frozen=True)
class FactConfirm(CrisisCommand):
    name: ClassVar[str] = "fact confirm"
    no: int


@dataclass(frozen=True)
class FactTranslate(CrisisCommand):
    name: ClassVar[str] = "fact translate"
    no: int
    lang: str
    text: str


@dataclass(frozen=True)
class FactRetract(CrisisCommand):
    name: ClassVar[str] = "fact retract"
    no: int
    reason: str = ""


@dataclass(frozen=True)
class Note(CrisisCommand):
    name: ClassVar[str] = "note"
    text: str


@dataclass(frozen=True)
class Impact(CrisisCommand):
    """Raw ``key=value`` pairs; :func:`bot.domain.impact.parse_impact` validates them."""

    name: ClassVar[str] = "impact"
    figures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeline(CrisisCommand):
    name: ClassVar[str] = "timeline"
    limit: int | None = None


@dataclass(frozen=True)
class Resolve(CrisisCommand):
    name: ClassVar[str] = "resolve"
    summary: str = ""


@dataclass(frozen=True)
class Statement(CrisisCommand):
    """The statement flow parses its own arguments: ``args`` are the raw words after
    ``statement`` and ``text`` the raw rest of the line (for multi-word reasons)."""

    name: ClassVar[str] = "statement"
    args: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Postmortem(CrisisCommand):
    name: ClassVar[str] = "postmortem"


@dataclass(frozen=True)
class Followup(CrisisCommand):
    """An action item for the post-mortem; ``owner`` is a Slack user id or None."""

    name: ClassVar[str] = "followup"
    text: str
    owner: str | None = None


@dataclass(frozen=True)
class FollowupDone(CrisisCommand):
    """``followup done <n>``: action item ``no`` is done."""

    name: ClassVar[str] = "followup done"
    no: int


@dataclass(frozen=True)
class FollowupReopen(CrisisCommand):
    """``followup reopen <n>``: action item ``no`` is open again."""

    name: ClassVar[str] = "followup reopen"
    no: int


# --------------------------------------------------------------------------- tokens

# A Slack ``<…>`` sequence is one token even when its label has spaces.
_TOKEN = re.compile(r"<[^<>]*>|[^\s<]+|<")
_SEQUENCE = re.compile(r"<([^<>]*)>")
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>")
_BARE_USER_ID = re.compile(r"[UW][A-Z0-9]{7,}")
_NUMBER = re.compile(r"#?([0-9]{1,9})")
_INCIDENT_REF = re.compile(r"inc-([0-9]{1,9})", re.IGNORECASE)
_OPTION = re.compile(r"(sev|severity|type|confidential):(.*)", re.IGNORECASE | re.DOTALL)
_YES = {"yes": True, "y": True, "true": True, "on": True, "1": True,
        "no": False, "n": False, "false": False, "off": False, "0": False}


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    start: int
    end: int


class _Line:
    """The command text split into tokens that remember where they came from."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]

    def rest(self, index: int) -> str:
        """The original text from token ``index`` on (newlines and spacing kept)."""
        if index >= len(self.tokens):
            return ""
        return self.text[self.tokens[index].start:].strip()


def _plain(text: str) -> str:
    """Slack's encoded command text back to what the person typed (mentions as ``@name``)."""

    def readable(match: re.Match[str]) -> str:
        body = match.group(1)
        target, _, label = body.partition("|")
        if target.startswith("@"):
            return "@" + (label.lstrip("@") or target[1:])
        if target.startswith("#"):
            return "#" + (label.lstrip("#") or target[1:])
        if target.startswith("!"):
            if label:
                return label
            return "@" + target[1:].split("^")[0]
        if label and label != target:
            return f"{label} ({target})"
        return target

    text = _SEQUENCE.sub(readable, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def _user(token: str, example: str) -> str:
    match = _USER_MENTION.fullmatch(token) or _BARE_USER_ID.fullmatch(token)
    if not match:
        raise InvalidInput(msg.err_not_user(_plain(token), example))
    return match.group(1) if match.re is _USER_MENTION else match.group(0)


def _is_user(token: str) -> bool:
    return bool(_USER_MENTION.fullmatch(token) or _BARE_USER_ID.fullmatch(token))


def _number(token: str, what: str, example: str) -> int:
    match = _NUMBER.fullmatch(token)
    if not match or int(match.group(1)) < 1:
        raise InvalidInput(msg.err_not_number(_plain(token), what, example))
    return int(match.group(1))


def _severity(token: str, example: str) -> Severity:
    try:
        return Severity.parse(_plain(token))
    except ValueError:
        raise InvalidInput(msg.err_bad_severity(_plain(token), example)) from None


def _role(token: str) -> Role:
    try:
        return Role.parse(_plain(token))
    except ValueError:
        raise InvalidInput(msg.err_bad_role(_plain(token))) from None


def _no_more(line: _Line, index: int, command: str, example: str) -> None:
    if index < len(line.tokens):
        raise InvalidInput(msg.err_too_many(command, _plain(line.rest(index)), example))


# --------------------------------------------------------------------------- subcommands
# Each parser gets the line and the index of the first argument after the subcommand word.

_Parser = Callable[[_Line, int, "int | None"], CrisisCommand]


def _help(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    topic = _plain(line.tokens[i].value).lower()[:40] if i < len(line.tokens) else None
    return Help(topic=topic or None, incident=incident)


def _declare(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    if incident is not None:
        raise InvalidInput(msg.err_declare_with_incident())
    severity: Severity | None = None
    crisis_type: str | None = None
    confidential: bool | None = None
    seen: set[str] = set()
    kept: list[str] = []
    tokens = line.tokens
    j = i
    while j < len(tokens):
        match = _OPTION.fullmatch(tokens[j].value)
        if not match:
            kept.append(tokens[j].value)
            j += 1
            continue
        option = match.group(1).lower()
        option = "sev" if option == "severity" else option
        value = match.group(2)
        if not value and j + 1 < len(tokens):  # "sev: S" written with a space
            j += 1
            value = tokens[j].value
        if option in seen:
            raise InvalidInput(msg.err_repeated(f"{option}:", "declare Checkout failing sev:S"))
        seen.add(option)
        if option == "sev":
            if not value:
                raise InvalidInput(
                    msg.err_needs("declare … sev:", "a severity", "declare Checkout failing sev:S")
                )
            severity = _severity(value, "declare Checkout failing sev:S")
        elif option == "confidential":
            flag = _YES.get(_plain(value).strip().lower())
            if flag is None:
                raise InvalidInput(msg.err_needs(
                    "declare … confidential:", "yes or no", "declare Customer data exposed confidential:yes"
                ))
            confidential = flag
        else:
            crisis_type = _plain(value).strip().lower()
            if not crisis_type:
                raise InvalidInput(
                    msg.err_needs(
                        "declare … type:", "a playbook name",
                        "declare Parcels delayed type:service_logistics",
                    )
                )
        j += 1
    title = " ".join(_plain(" ".join(kept)).split())
    return Declare(title=title, severity=severity, crisis_type=crisis_type,
                   confidential=confidential, incident=incident)


def _status(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    if i < len(line.tokens):
        raise InvalidInput(msg.err_takes_nothing("status", _plain(line.rest(i))))
    return Status(incident=incident)


def _sev(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    example = "sev S customers complaining in two regions"
    if i >= len(line.tokens):
        raise InvalidInput(msg.err_needs("sev", "a severity (SS, S or A)", example))
    severity = _severity(line.tokens[i].value, example)
    return SetSeverity(severity=severity, reason=_plain(line.rest(i + 1)), incident=incident)


def _assign_role(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    example = "role comms @maria"
    args = [t.value for t in line.tokens[i:i + 2]]
    if not args:
        raise InvalidInput(msg.err_needs("role", "a role and a person", example))
    if len(args) == 2 and _is_user(args[0]) and not _is_user(args[1]):
        args.reverse()  # "/crisis role @maria comms" means the same
    role = _role(args[0])
    if len(args) < 2:
        raise InvalidInput(msg.err_needs(f"role {role.value}", "a person", f"role {role.value} @maria"))
    user = _user(args[1], f"role {role.value} @maria")
    _no_more(line, i + 2, "role", example)
    return AssignRole(role=role, user=user, incident=incident)


def _stage(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    words: list[str] = []
    for token in line.tokens[i:]:
        word = token.value.lower().lstrip("-")
        if word not in ("next", "force") or word in words:
            raise InvalidInput(msg.err_too_many("stage", _plain(token.value), "stage next"))
        words.append(word)
    return Stage(advance=bool(words), force="force" in words, incident=incident)


def _task(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    tokens = line.tokens
    if i >= len(tokens):
        raise InvalidInput(msg.err_needs(
            "task", "`done <n>`, `add <text>` or `assign <n> <@user>`", "task done 3"
        ))
    action = tokens[i].value.lower()
    if action == "done":
        if i + 1 >= len(tokens):
            raise InvalidInput(msg.err_needs("task done", "a task number", "task done 3"))
        no = _number(tokens[i + 1].value, "task number", "task done 3")
        _no_more(line, i + 2, "task done", "task done 3")
        return TaskDone(no=no, incident=incident)
    if action == "add":
        text = _plain(line.rest(i + 1))
        if not text:
            raise InvalidInput(
                msg.err_needs("task add", "the task", "task add Call the logistics partner")
            )
        return TaskAdd(text=text, incident=incident)
    if action == "assign":
        example = "task assign 3 @maria"
        if i + 1 >= len(tokens):
            raise InvalidInput(msg.err_needs("task assign", "a task number and a person", example))
        no = _number(tokens[i + 1].value, "task number", example)
        if i + 2 >= len(tokens):
            raise InvalidInput(msg.err_needs(f"task assign {no}", "a person", f"task assign {no} @maria"))
        user = _user(tokens[i + 2].value, f"task assign {no} @maria")
        _no_more(line, i + 3, "task assign", example)
        return TaskAssign(no=no, user=user, incident=incident)
    raise InvalidInput(
        f"{msg.code(_plain(tokens[i].value))} is not a task action; "
        "use `/crisis task done 3`, `/crisis task add Call the carrier` or `/crisis task assign 3 @maria`."
    )


def _fact(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    tokens = line.tokens
    action = tokens[i].value.lower() if i < len(tokens) else ""
    if action in ("confirm", "retract"):
        example = "fact confirm 2" if action == "confirm" else "fact retract 2 wrong batch number"
        if i + 1 >= len(tokens):
            raise InvalidInput(msg.err_needs(f"fact {action}", "a fact number", example))
        no = _number(tokens[i + 1].value, "fact number", example)
        if action == "confirm":
            _no_more(line, i + 2, "fact confirm", example)
            return FactConfirm(no=no, incident=incident)
        return FactRetract(no=no, reason=_plain(line.rest(i + 2)), incident=incident)
    if action.isdigit() and i + 1 < len(tokens) and tokens[i + 1].value.lower() in ("zh", "en"):
        lang = tokens[i + 1].value.lower()
        text = _plain(line.rest(i + 2))
        if not text:
            raise InvalidInput(msg.err_needs(f"fact {action} {lang}", "the translated fact",
                                             f"fact {action} zh 批次2411-B受影响"))
        return FactTranslate(no=int(action), lang=lang, text=text, incident=incident)
    text = _plain(line.rest(i))
    if not text:
        raise InvalidInput(msg.err_needs("fact", "the fact", "fact Batch 2024-11 is affected"))
    return FactAdd(text=text, incident=incident)


def _note(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    text = _plain(line.rest(i))
    if not text:
        raise InvalidInput(msg.err_needs("note", "the note", "note lesson: pre-approve templates"))
    return Note(text=text, incident=incident)


def _impact(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    example = "impact orders=1200 revenue=USD 350000 regions=east,north"
    figures: dict[str, str] = {}
    key: str | None = None
    for token in line.tokens[i:]:
        word = _plain(token.value)
        if "=" in word:
            key, _, value = word.partition("=")
            key = key.strip().lower()
            if not key:
                raise InvalidInput(msg.err_needs("impact", "a name before each `=`", example))
            figures[key] = value.strip()
        elif key is None:
            raise InvalidInput(msg.err_needs("impact", "`key=value` figures", example))
        else:  # a value with spaces: "revenue=USD 350000"
            figures[key] = f"{figures[key]} {word}".strip()
    if not figures:
        raise InvalidInput(msg.err_needs("impact", "at least one `key=value` figure", example))
    return Impact(figures=figures, incident=incident)


def _timeline(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    if i >= len(line.tokens):
        return Timeline(incident=incident)
    limit = _number(line.tokens[i].value, "number of entries", "timeline 50")
    _no_more(line, i + 1, "timeline", "timeline 50")
    return Timeline(limit=limit, incident=incident)


def _resolve(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    return Resolve(summary=_plain(line.rest(i)), incident=incident)


def _statement(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    args = tuple(t.value for t in line.tokens[i:])
    return Statement(args=args, text=line.rest(i), incident=incident)


def _postmortem(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    if i < len(line.tokens):
        raise InvalidInput(msg.err_takes_nothing("postmortem", _plain(line.rest(i))))
    return Postmortem(incident=incident)


def _followup(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    example = "followup Pre-approve holding statements @maria"
    tokens = line.tokens[i:]
    verb = tokens[0].value.lower() if tokens else ""
    if verb in ("done", "reopen") and len(tokens) == 2 and _NUMBER.fullmatch(tokens[1].value):
        no = _number(tokens[1].value, "action item number", f"followup {verb} 2")
        return (FollowupDone if verb == "done" else FollowupReopen)(no=no, incident=incident)
    owner = None
    if tokens and _is_user(tokens[-1].value):
        owner = _user(tokens[-1].value, example)
        tokens = tokens[:-1]
    text = _plain(line.text[tokens[0].start:tokens[-1].end]) if tokens else ""
    if not text:
        raise InvalidInput(msg.err_needs("followup", "the action item", example))
    return Followup(text=text, owner=owner, incident=incident)


_SUBCOMMANDS: dict[str, _Parser] = {
    "help": _help, "?": _help, "-h": _help, "--help": _help,
    "declare": _declare,
    "status": _status,
    "sev": _sev, "severity": _sev,
    "role": _assign_role,
    "stage": _stage,
    "task": _task,
    "fact": _fact,
    "note": _note,
    "impact": _impact,
    "timeline": _timeline,
    "resolve": _resolve,
    "statement": _statement,
    "postmortem": _postmortem,
    "snooze": lambda line, i, incident: _snooze(line, i, incident),
    "followup": _followup,
    "drill": lambda line, i, incident: _drill(line, i, incident),
    "oncall": lambda line, i, incident: _oncall(line, i, incident),
}

#: The subcommand words :func:`parse_command` understands.
SUBCOMMANDS: tuple[str, ...] = tuple(_SUBCOMMANDS)


def parse_command(text: str) -> CrisisCommand:
    """Parse the text after ``/crisis``.

    An optional leading ``INC-7`` names the incident (for use outside its channel); alone it
    means ``status``. Empty text means ``help``. Raises :class:`InvalidInput` (or
    :class:`UnknownCommand`) with the fix, never anything else.
    """
    # NUL can never be stored (PostgreSQL text refuses it) and Slack never sends one in
    # earnest: drop it rather than fail deep in the database.
    line = _Line(text.replace("\x00", "") if isinstance(text, str) else "")
    incident: int | None = None
    start = 0
    if line.tokens and line.tokens[0].value.lower().startswith("inc-"):
        match = _INCIDENT_REF.fullmatch(line.tokens[0].value)
        if not match or int(match.group(1)) < 1:
            raise InvalidInput(msg.err_bad_incident(_plain(line.tokens[0].value)))
        incident = int(match.group(1))
        start = 1
        if len(line.tokens) == 1:
            return Status(incident=incident)
    if start >= len(line.tokens):
        return Help(incident=incident)
    word = line.tokens[start].value
    parser = _SUBCOMMANDS.get(word.lower())
    if parser is None:
        raise UnknownCommand(_plain(word) or word)
    return parser(line, start + 1, incident)


#: Short alias used by the listeners: ``commands.parse(text)``.
parse = parse_command


# --------------------------------------------------------------------------- monitors


@dataclass(frozen=True)
class Snooze(CrisisCommand):
    """``/crisis snooze <monitor> <duration>``: the monitor's alerts open nothing meanwhile."""

    name: ClassVar[str] = "snooze"
    monitor: str = ""
    duration: timedelta = timedelta(0)


def _snooze(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    example = "snooze checkout-5xx 2h"
    words = [t.value for t in line.tokens[i:]]
    if len(words) != 2:
        raise InvalidInput(msg.err_needs("snooze", "a monitor name and a duration", example))
    try:
        duration = parse_duration(words[1])
    except ValueError as exc:
        raise InvalidInput(f"{exc}, e.g. `/crisis {example}`.") from None
    if duration > timedelta(days=30):
        raise InvalidInput("A snooze lasts at most 30 days.")
    return Snooze(monitor=_plain(words[0]), duration=duration, incident=incident)


@dataclass(frozen=True)
class Reopen(CrisisCommand):
    """Reopen a resolved incident (the button offered when one of its monitors fires again)."""

    name: ClassVar[str] = "reopen"
    reason: str = ""


# --------------------------------------------------------------------------- drills


@dataclass(frozen=True)
class Drill(CrisisCommand):
    """``/crisis drill …``: the words after ``drill``; bot.adapters.drills.commands reads them."""

    name: ClassVar[str] = "drill"
    args: tuple[str, ...] = ()


def _drill(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    return Drill(args=tuple(t.value for t in line.tokens[i:]), incident=incident)


# --------------------------------------------------------------------------- knowledge base


@dataclass(frozen=True)
class Lessons(CrisisCommand):
    """``/crisis lessons [query]``: past crises like the query (or like this incident)."""

    name: ClassVar[str] = "lessons"
    query: str = ""


def _lessons(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    query = _plain(line.rest(i)).strip()
    if len(query) > 500:
        raise InvalidInput("Search with at most 500 characters, e.g. `/crisis lessons recall`.")
    return Lessons(query=query, incident=incident)


_SUBCOMMANDS["lessons"] = _lessons


# --------------------------------------------------------------------------- listening


@dataclass(frozen=True)
class Listening(CrisisCommand):
    """``/crisis listening [top|kols|spread]``: what people are saying about the brand."""

    name: ClassVar[str] = "listening"
    view: str = "top"


def _listening(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    words = [t.value.lower() for t in line.tokens[i:]]
    if not words:
        return Listening(incident=incident)
    if len(words) > 1 or words[0] not in ("top", "kols", "spread"):
        raise InvalidInput("Use `/crisis listening`, `/crisis listening kols` or "
                           "`/crisis listening spread`.")
    return Listening(view=words[0], incident=incident)


_SUBCOMMANDS["listening"] = _listening


def _oncall(line: _Line, i: int, incident: int | None) -> CrisisCommand:
    """``/crisis oncall …`` lives with the duty rota (``bot/adapters/slack/oncall``)."""
    from bot.adapters.slack.oncall.commands import parse_oncall

    return parse_oncall(line, i, incident)


SUBCOMMANDS = tuple(_SUBCOMMANDS)
