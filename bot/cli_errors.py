"""Expected failures of the command line, each as one line: what is wrong, where, what to do.

:func:`explain` maps an exception to that line, or ``None`` for a bug (which keeps its
traceback). ``crisisbot --debug …`` or ``CRISISBOT_DEBUG=1`` shows the traceback of every failure.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from bot.adapters.playbooks import PlaybookError
from bot.domain.errors import DomainError
from bot.settings import DATABASE_URL_EXAMPLES, ConfigError, Settings

#: Exit code of every expected failure (argparse uses it for usage errors too).
EXIT_EXPECTED = 2


def explain(exc: BaseException, *, settings: Settings | None) -> str | None:
    """The one-line message for an expected failure, or ``None`` when ``exc`` is a bug."""
    if isinstance(exc, ConfigError):
        return str(exc)
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, str) else None
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, PlaybookError):
        return _playbooks(exc, settings)
    url = safe_url(settings.database_url) if settings else "(not read)"
    if isinstance(exc, OperationalError):
        return (f"cannot reach the database {url}: {first_line(exc.orig or exc)}; check that it "
                "is running and that CRISISBOT_DATABASE_URL points at it")
    if isinstance(exc, (NoSuchModuleError, ArgumentError)):
        return f"CRISISBOT_DATABASE_URL {url} cannot be used ({first_line(exc)}); " \
               f"write it as {DATABASE_URL_EXAMPLES}"
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or first_line(exc)}"
    return None


def _playbooks(exc: PlaybookError, settings: Settings | None) -> str:
    if not exc.problems:
        return "the playbooks could not be loaded"
    first = exc.problems[0]
    directory = settings.playbooks_dir if settings else None
    if first.line == 0 and first.message == "is not a directory":
        return (f"playbooks {first.file} is not a directory; set CRISISBOT_PLAYBOOKS to a playbook "
                "directory, or unset it to use the bundled playbooks")
    folder = directory or Path(first.file).parent
    count = len(exc.problems)
    hint = (f"{count} problems in all: `crisisbot playbooks validate {folder}` lists them"
            if count > 1 else f"fix it, then check with `crisisbot playbooks validate {folder}`")
    return f"{first}\n{hint}"


def safe_url(url: str) -> str:
    """The database URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
