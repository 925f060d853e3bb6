"""Duty-rota adapters: iCalendar import."""
