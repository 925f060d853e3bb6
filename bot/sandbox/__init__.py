"""Local stand-ins for Slack, used by the test-suite and ``crisisbot demo``."""

from bot.sandbox.emulator import SlackEmulator

__all__ = ["SlackEmulator"]
