"""The post-mortem's Jinja environment: the shared sandbox of
:mod:`bot.adapters.rendering.jinja_env`, autoescaping, templates from this package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.adapters.rendering.jinja_env import build_environment

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def postmortem_jinja_env() -> ImmutableSandboxedEnvironment:
    """Built once on first use (never at import time)."""
    return build_environment(directory=TEMPLATES, autoescape=True)
