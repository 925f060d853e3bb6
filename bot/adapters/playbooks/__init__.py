"""Playbooks and severities from YAML files."""

from bot.adapters.playbooks.loader import (
    PlaybookError,
    Problem,
    bundled_playbooks_dir,
    load_catalog,
    validate_dir,
)

__all__ = ["PlaybookError", "Problem", "bundled_playbooks_dir", "load_catalog", "validate_dir"]
