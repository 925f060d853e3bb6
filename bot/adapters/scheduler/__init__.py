"""The in-process ticker that sends due reminders (APScheduler)."""

from bot.adapters.scheduler.ticker import ReminderTicker

__all__ = ["ReminderTicker"]
