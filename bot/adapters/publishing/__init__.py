"""Publish targets per audience: deliveries of a published statement, the card's delivery
state, and the senders of the dark site and Slack targets."""
