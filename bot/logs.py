"""Structured logging: JSON lines when not on a terminal, with request and incident ids.

``configure_logging()`` is called once by ``crisisbot serve``. Code that knows which request
or incident it works for wraps the work in ``log_context(request_id=…, incident=…)``; every
record logged inside carries those fields (context variables, so they follow ``await`` and
``asyncio.to_thread``). Secrets never reach the output: Slack tokens are masked by pattern,
and the configured secret values (signing secret, monitor secret, database password) by value.

>>> with log_context(incident="INC-7"):
...     logging.getLogger("bot").warning("card update failed")  # doctest: +SKIP
{"ts": "...", "level": "WARNING", "logger": "bot", "msg": "card update failed", "incident": "INC-7"}
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
from datetime import datetime, timezone
from typing import Iterable, Iterator, TextIO

_CONTEXT: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("crisisbot_log", default={})

#: Slack tokens (bot, user, app-level, config, refresh) and bearer credentials, wherever they appear.
TOKEN_PATTERN = re.compile(r"\b(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]+|(?i:bearer)\s+[A-Za-z0-9._~+/=-]+")
REDACTED = "[redacted]"


@contextlib.contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Add ``fields`` (None values skipped) to every record logged inside the block."""
    merged = dict(_CONTEXT.get())
    merged.update({k: str(v) for k, v in fields.items() if v is not None})
    token = _CONTEXT.set(merged)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def bind_log_context(**fields: object) -> None:
    """Add ``fields`` for the rest of the current context (one request's task or thread call)."""
    merged = dict(_CONTEXT.get())
    merged.update({k: str(v) for k, v in fields.items() if v is not None})
    _CONTEXT.set(merged)


def current_context() -> dict[str, str]:
    return dict(_CONTEXT.get())


class Redactor:
    """Masks Slack tokens by pattern and each known secret by value."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, context fields, exception."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": self.redact(record.getMessage()),
        }
        entry.update(getattr(record, "context", {}))
        if record.exc_info:
            entry["exc"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger [request=… incident=…] message`` for people at a terminal."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ctx)s: %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        context = getattr(record, "context", {})
        record.ctx = " [" + " ".join(f"{k}={v}" for k, v in context.items()) + "]" if context else ""
        return self.redact(super().format(record))


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.context = _CONTEXT.get()
        return True


def configure_logging(
    *, secrets: Iterable[str | None] = (), json_lines: bool | None = None,
    level: int = logging.INFO, stream: TextIO | None = None,
) -> logging.Handler:
    """Route every logger (uvicorn's too) to one handler on ``stream`` (stderr by default)."""
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not stream.isatty()
    redact = Redactor(secrets)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(redact) if json_lines else TextFormatter(redact))
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    for chatty in ("httpx", "apscheduler"):  # one line per HTTP call or per scheduler tick
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return handler
