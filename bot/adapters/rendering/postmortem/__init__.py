"""The post-mortem: response metrics, comms KPIs and charts built from the stored timeline.

pandas and matplotlib are confined to this package and load only when a report is built
(importing the package itself is light, so ``crisisbot serve`` starts fast).
:func:`.report.build_report` turns timeline records (and monitor signal samples) into a
:class:`.report.Report`; ``markdown``, ``html_report`` and ``jsonout`` render it;
``portfolio`` compares incidents; ``renderer`` is the service's adapter.
"""

from bot.adapters.rendering.postmortem.inputs import PostmortemInput, SignalSample, TimelineRecord

__all__ = ["PostmortemInput", "SignalSample", "TimelineRecord"]
