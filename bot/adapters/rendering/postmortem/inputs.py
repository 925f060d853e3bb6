"""What a post-mortem is built from (defined with the use cases in ``bot.services.postmortems``).

Records are read as stored (name, actor, at, payload dict), not as domain events, so events
added by other features (alerts, statement review, reminders) count even where the domain of
this build does not know them.
"""

from bot.services.postmortems import PostmortemInput, SignalSample, TimelineRecord

__all__ = ["PostmortemInput", "SignalSample", "TimelineRecord"]
