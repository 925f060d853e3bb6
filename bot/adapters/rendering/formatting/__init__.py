"""One formatting layer: every internal value (impact figures, role keys, crisis types,
statuses, stages, Slack user ids, durations, shares) as a person reads it, in English and
Chinese. Slack messages, the post-mortem (Markdown and HTML; the JSON keeps machine values)
and the demo transcript all go through it.

- :mod:`.figures` — impact figures and percentages;
- :mod:`.labels` — roles, crisis types, statuses, stages, audiences, statement kinds;
- :mod:`.spans` — durations;
- :mod:`.people` — Slack user ids as display names (``users.info``, cached) or mentions;
- :mod:`.readable` — :class:`Readable`, all of the above for one language.
"""

from bot.adapters.rendering.formatting.figures import (
    count_of,
    figure_value,
    impact_label,
    impact_text,
    number,
    percent,
)
from bot.adapters.rendering.formatting.labels import (
    audience_label,
    crisis_type_label,
    kind_label,
    lang_label,
    role_label,
    stage_label,
    state_label,
    status_label,
)
from bot.adapters.rendering.formatting.people import UserNames, mention
from bot.adapters.rendering.formatting.readable import Readable
from bot.adapters.rendering.formatting.spans import duration

__all__ = [
    "Readable", "UserNames", "audience_label", "count_of", "crisis_type_label", "duration", "figure_value",
    "impact_label", "impact_text", "kind_label", "lang_label", "mention", "number", "percent",
    "role_label", "stage_label", "state_label", "status_label",
]
