"""YAML read with the line of every mapping key and list item, for ``FILE:LINE:`` errors.

>>> data = load_lines("a:\\n  b: 1\\n  c: [x, y]\\n")
>>> data.line_of("a"), data["a"].line_of("c")
(1, 3)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.domain.errors import InvalidInput


class LineDict(dict):
    """A mapping that remembers the line of each key (1-based) and its own."""

    line: int = 0
    lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return getattr(self, "lines", {}).get(key, self.line)


class LineList(list):
    line: int = 0
    lines: list[int]

    def line_of(self, index: int) -> int:
        lines = getattr(self, "lines", [])
        return lines[index] if index < len(lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_lines(text: str) -> Any:
    """Parse ``text`` like ``yaml.safe_load``, mappings and lists carrying their lines."""
    return yaml.load(text, Loader=_Loader)


def read_section(path: Path | None, key: str) -> Any:
    """The top-level ``key`` of the YAML file ``path`` with lines (None when absent). The site
    config loader has already reported unreadable files and YAML errors."""
    if path is None:
        return None
    try:
        data = load_lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data.get(key) if isinstance(data, dict) else None


def line_of(container: Any, key: Any) -> int:
    """The line of ``key`` in ``container`` when it was read with lines, else 0."""
    finder = getattr(container, "line_of", None)
    try:
        return int(finder(key)) if finder else 0
    except (TypeError, IndexError):
        return 0


def located_error(source: str, container: Any, key: Any, where: str, problem: str) -> InvalidInput:
    """``SOURCE:LINE: where: problem`` (the line of ``key`` in ``container``), or without the
    line when the data was not read with lines."""
    line = line_of(container, key)
    return InvalidInput(f"{source}:{line}: {where}: {problem}" if line else f"{source}: {where}: {problem}")
