"""Publishing effects, in the transaction of the publication.

``statement.published`` queues one outbound delivery per target of the statement's audience
(``publish:`` in the site config); ``statement.delivered`` refreshes the statement card, whose
last block lists every target's state (the card's refresh reads the deliveries through
:func:`card_with_deliveries`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from bot.adapters.outbound.store import OutboundRow, add_delivery
from bot.adapters.rendering.formatting import audience_label, kind_label
from bot.adapters.slack.escape import escape_mrkdwn
from bot.adapters.slack.ids import Block, encode_statement_ref
from bot.domain import events as ev
from bot.domain.drills import is_drill_source
from bot.domain.incident import Incident
from bot.domain.publishing import StatementDelivered
from bot.domain.statements import Statement
from bot.paging_config import ChannelConfig
from bot.publish_config import PublishConfig

_ICONS = {"live": ":large_green_circle:", "sent": ":white_check_mark:", "pending": ":hourglass:",
          "failed": ":x:"}
_WORDS = {"live": ("live", "已上线"), "sent": ("sent", "已送达"), "pending": ("pending", "投递中"),
          "failed": ("failed", "失败")}


def ref_prefix(statement_id: int, version: int) -> str:
    return f"statement:{statement_id}:v{version}:"


class PublishPlanner:
    def __init__(self, *, config: PublishConfig, company: str,
                 refresh_card: Callable[[Any, Incident, int, ev.Event], None]) -> None:
        self.config = config
        self.company = company
        self.refresh_card = refresh_card

    def plan(self, uow, incident: Incident, events: Sequence[ev.Event]) -> None:
        if not self.config.audiences or is_drill_source(incident.source):
            return  # a drill's publications never leave Slack
        for event in events:
            if isinstance(event, ev.StatementPublished):
                statement = incident.statements.get(event.statement_id)
                if statement is None:
                    continue
                for target in self.config.targets_for(statement.audience):
                    add_delivery(uow.session, channel=f"publish:{target.name}",
                                 payload=self._message(incident, statement, target, event),
                                 at=event.at, purpose="publish", incident=incident.number,
                                 ref=ref_prefix(statement.id, statement.version) + target.name,
                                 dedupe_key=f"publish:{incident.number}:{statement.id}:"
                                            f"{statement.version}:{target.name}")
                uow.session.flush()
            elif isinstance(event, StatementDelivered):
                self.refresh_card(uow, incident, event.statement_id, event)

    def committed(self) -> None:
        """Nothing: the outbound worker polls, and the paging planner wakes it."""

    def _message(self, incident: Incident, statement: Statement, target: ChannelConfig,
                 event: ev.StatementPublished) -> dict[str, Any]:
        title = (f"{self.company}: {kind_label(statement.kind, 'en')} · "
                 f"{kind_label(statement.kind, 'zh')} ({incident.id})")
        if target.type == "webhook":
            return {"document": {
                "event": "statement.published", "incident": incident.id,
                "company": self.company, "published_at": event.at.isoformat(),
                "statement": {"id": statement.id, "version": statement.version,
                              "audience": statement.audience, "kind": statement.kind,
                              "lang": statement.lang, "text": statement.text}}}
        if target.type == "smtp":
            to = target.settings.get("to")
            return {"title": title, "text": statement.text,
                    "to": ", ".join(to) if isinstance(to, list) else str(to)}
        if target.type == "slack":
            return {"channel": str(target.settings.get("channel", "")).lstrip("#"),
                    "text": f"*{escape_mrkdwn(title)}*\n{escape_mrkdwn(statement.text)}"}
        return {"site": True, "title": title, "statement_id": statement.id,
                "version": statement.version, "audience": statement.audience}


def card_with_deliveries(uow, incident: Incident, statement: Statement,
                         card: dict[str, Any]) -> dict[str, Any]:
    """``card`` plus a last block listing the delivery state of each target of the current
    version. Once published the card has no buttons, so this block carries the actions block
    id: later refreshes find the card by it."""
    rows = uow.session.scalars(select(OutboundRow).where(
        OutboundRow.incident == incident.number, OutboundRow.purpose == "publish",
        OutboundRow.ref.startswith(ref_prefix(statement.id, statement.version)))
        .order_by(OutboundRow.id)).all()
    if not rows:
        return card
    parts = []
    for row in rows:
        target = row.ref.rsplit(":", 1)[-1]
        state = row.status
        if state == "sent" and row.payload.get("site"):
            state = "live"  # the dark site
        en, zh = _WORDS.get(state, (state, state))
        retry = f" (try {row.attempts}: {escape_mrkdwn(row.last_error)})" if (
            state == "pending" and row.attempts) else ""
        failed = f" ({escape_mrkdwn(row.last_error)})" if state == "failed" and row.last_error else ""
        parts.append(f"{_ICONS.get(state, '')} `{escape_mrkdwn(target)}` {en} · {zh}{retry}{failed}")
    value = encode_statement_ref(incident.number, statement.id, statement.version)
    block_id = f"{Block.STATEMENT_ACTIONS.value}|{value}"
    taken = any(b.get("block_id") == block_id for b in card.get("blocks", []))
    text = (f"*Delivery · 投递* ({audience_label(statement.audience, 'en')}): " + " · ".join(parts))
    block = {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:2900]}]}
    if not taken:
        block["block_id"] = block_id
    blocks = list(card.get("blocks", []))
    if len(blocks) >= 50:
        blocks = blocks[:49]
    return {**card, "blocks": [*blocks, block]}
