"""The domain core imports nothing outside the standard library (also checked by import-linter)."""

import ast
import sys
from pathlib import Path

import bot.domain

DOMAIN = Path(bot.domain.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_domain_modules_import_only_the_standard_library_and_the_domain():
    offenders = {}
    for path in sorted(DOMAIN.rglob("*.py")):
        bad = {
            name for name in _imports(path)
            if name.split(".")[0] not in sys.stdlib_module_names
            and not (name == "bot.domain" or name.startswith("bot.domain."))
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
    assert len(list(DOMAIN.glob("*.py"))) >= 10
