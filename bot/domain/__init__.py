"""The pure domain core of crisisbot.

Standard library only (checked by import-linter and ``tests/unit/test_domain_purity.py``):
no Slack, SQL, HTTP, Jinja or pandas here. The incident aggregate records what happened as
timeline events; services persist them and adapters turn them into effects.
"""
