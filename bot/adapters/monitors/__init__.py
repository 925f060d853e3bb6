"""Monitors: webhook parsers (payload -> Alert), routing, polled signal rules (pandas) and
pollers (httpx). See ``bot.services.alerts`` for what happens to an alert."""
