"""Every Slack Web API method crisisbot calls: the scope it needs and its rate budget.

One table, used three ways: the gateway paces each method to its tier across all incidents,
the manifest test checks ``slack/manifest.yaml`` asks for exactly :func:`required_scopes`, and
the README lists the limits the bot respects. Tiers are Slack's documented floors per
workspace (Tier 2: 20/min, Tier 3: 50/min, Tier 4: 100/min); chat.postMessage is limited per
channel (about 1/s) instead, which the gateway's :class:`~bot.adapters.slack.gateway.Pacer`
keeps to.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ApiMethod:
    scope: str | None  # in a public channel (or not channel-bound); None: no scope needed
    private_scope: str | None  # the same call in a private channel, where that differs
    per_minute: int | None  # the tier's budget; None: limited per channel, not per method


TIER_2, TIER_3, TIER_4 = 20, 50, 100

API_METHODS: dict[str, ApiMethod] = {
    "auth.test": ApiMethod(None, None, TIER_4),
    "chat.postMessage": ApiMethod("chat:write", None, None),
    "chat.update": ApiMethod("chat:write", None, TIER_3),
    "chat.postEphemeral": ApiMethod("chat:write", None, TIER_4),
    "chat.getPermalink": ApiMethod(None, None, TIER_4),
    "conversations.create": ApiMethod("channels:manage", "groups:write", TIER_2),
    "conversations.invite": ApiMethod("channels:manage", "groups:write", TIER_3),
    "conversations.setTopic": ApiMethod("channels:manage", "groups:write", TIER_2),
    "conversations.setPurpose": ApiMethod("channels:manage", "groups:write", TIER_2),
    "conversations.history": ApiMethod("channels:history", "groups:history", TIER_3),
    # Who is in an incident channel (the permission table's "channel member").
    "conversations.members": ApiMethod("channels:read", "groups:read", TIER_4),
    "pins.add": ApiMethod("pins:write", None, TIER_2),
    # Display names for the post-mortem files (cached).
    "users.info": ApiMethod("users:read", None, TIER_4),
    "views.open": ApiMethod(None, None, TIER_4),
    "views.publish": ApiMethod(None, None, TIER_4),
    "files.getUploadURLExternal": ApiMethod("files:write", None, TIER_4),
    "files.completeUploadExternal": ApiMethod("files:write", None, TIER_4),
}

#: Scopes that come with features rather than Web API calls: the /crisis command and the
#: message shortcut (``commands``), the :pushpin: reaction event (``reactions:read``).
FEATURE_SCOPES = frozenset({"commands", "reactions:read"})


def required_scopes() -> frozenset[str]:
    """Every bot scope crisisbot needs, private-channel variants included."""
    scopes = set(FEATURE_SCOPES)
    for method in API_METHODS.values():
        scopes.update(s for s in (method.scope, method.private_scope) if s)
    return frozenset(scopes)
