"""The post-mortem's own sandboxed Jinja environment (autoescaping, templates from this package)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def postmortem_jinja_env() -> SandboxedEnvironment:
    """Built once on first use (never at import time)."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
