"""Paging adapters: the threads table, the effect planner, page texts, acknowledgement links
and the Slack *Acknowledge* button."""
