"""Pure Block Kit builders: dicts in, dicts out, no I/O.

Message builders return ``{"text": fallback, "blocks": [...]}`` ready for
``chat.postMessage(**payload)``; view builders return a view for ``views.open`` /
``views.publish`` (views have no ``text``). All user text is escaped on the way in.
"""

from bot.adapters.slack.blocks.card import incident_card, stage_progress
from bot.adapters.slack.blocks.checklist import stage_checklist
from bot.adapters.slack.blocks.home import HOME_ROOM, app_home, home_order
from bot.adapters.slack.blocks.modals import declare_modal, parse_declare_submission
from bot.adapters.slack.blocks.timeline import help_blocks, timeline_blocks

__all__ = [
    "HOME_ROOM",
    "app_home",
    "declare_modal",
    "help_blocks",
    "home_order",
    "incident_card",
    "parse_declare_submission",
    "stage_checklist",
    "stage_progress",
    "timeline_blocks",
]
