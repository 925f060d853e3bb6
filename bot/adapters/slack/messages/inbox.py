"""Wording of the command inbox (commands stored before they are acknowledged)."""

from __future__ import annotations

#: The command could not be stored, so it was not acknowledged as accepted either.
INBOX_UNAVAILABLE = (":warning: crisisbot cannot reach its database right now, so your command "
                     "was not taken; nothing was changed. Please run it again in a minute.")

#: Prefixed to the answer of a command finished after a restart.
RECOVERED_PREFIX = "_(finished after a crisisbot restart)_\n"
