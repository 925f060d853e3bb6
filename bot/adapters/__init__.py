"""Adapters: the outside world (database, Slack, monitors, scheduler, rendering) behind ports."""
