"""The post-mortem: response metrics, comms KPIs and charts built from the stored timeline.

pandas and matplotlib are confined to this package. :func:`build_report` turns timeline
records (and monitor signal samples) into a :class:`~.report.Report`; ``markdown``, ``html``
and ``jsonout`` render it; ``portfolio`` compares incidents.
"""

from bot.adapters.rendering.postmortem.inputs import PostmortemInput, SignalSample, TimelineRecord
from bot.adapters.rendering.postmortem.report import Report, build_report

__all__ = ["PostmortemInput", "SignalSample", "TimelineRecord", "Report", "build_report"]
