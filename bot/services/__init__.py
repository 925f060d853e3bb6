"""Use cases: load → run the domain → save state and timeline events in one transaction.

These are the only way in for Slack, monitors, the scheduler and the CLI.
"""

from bot.services.incidents import IncidentService, Outcome

__all__ = ["IncidentService", "Outcome"]
