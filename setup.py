"""Build glue that pyproject.toml cannot express: the top-level ``playbooks/``, ``samples/`` and
``slack/`` directories (the editable source of truth) become package data of the wheel under
``bot/_playbooks``, ``bot/_samples`` and ``bot/_slack``. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

BUNDLED = {"bot._playbooks": "playbooks", "bot._samples": "samples", "bot._slack": "slack"}

setup(
    packages=find_packages(include=["bot", "bot.*"]) + list(BUNDLED),
    package_dir=BUNDLED,
)
