"""Paging effects, planned in the transaction of the events that cause them.

* a declaration or a raise to a severity that pages opens a thread per assembled role (due now);
* ``page.sent`` moves the thread on, queues one outbound delivery per contact of the person,
  posts the *Acknowledge* button in the incident channel and invites the person;
* ``page.acknowledged`` closes the thread; ``page.escalated`` to nobody marks it exhausted;
* resolving the incident cancels its open threads.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from bot.adapters.outbound.store import PageRow, add_delivery
from bot.adapters.paging.ack import AckLinks
from bot.adapters.paging.texts import page_message
from bot.adapters.rendering.formatting import role_label
from bot.adapters.slack.escape import mention
from bot.domain import events as ev
from bot.domain.drills import is_drill_source
from bot.domain.incident import Incident
from bot.domain.paging import EXEC_LAYER, PageAcknowledged, PageEscalated, PageSent
from bot.domain.playbook import Catalog
from bot.paging_config import PagingConfig

#: The Slack button people press to acknowledge.
ACK_ACTION = "page_ack"


class PagingPlanner:
    def __init__(self, *, config: PagingConfig, catalog: Catalog, links: AckLinks,
                 wake: threading.Event | None = None) -> None:
        self.config = config
        self.catalog = catalog
        self.links = links
        self.wake = wake or threading.Event()

    def plan(self, uow, incident: Incident, events: Sequence[ev.Event]) -> None:
        if not events or not self.config.enabled or is_drill_source(incident.source):
            return  # a drill never pages anyone outside Slack
        session = uow.session
        for event in events:
            if isinstance(event, ev.IncidentDeclared):
                self._open(session, incident, event.at, reason="declared")
            elif isinstance(event, ev.SeverityChanged) and _raised(event):
                self._open(session, incident, event.at, reason="raised")
            elif isinstance(event, PageSent):
                self._sent(uow, incident, event)
            elif isinstance(event, PageAcknowledged):
                self._acked(session, incident, event)
            elif isinstance(event, PageEscalated) and not event.to_user:
                row = self._row(session, incident.number, event.role)
                if row is not None:
                    row.status, row.due_at = "exhausted", None
            elif isinstance(event, ev.IncidentResolved):
                for row in session.scalars(select(PageRow).where(
                        PageRow.incident == incident.number,
                        PageRow.status.in_(("due", "open")))).all():
                    row.status, row.due_at = "cancelled", None

    def committed(self) -> None:
        self.wake.set()

    # ------------------------------------------------------------------ threads

    def _row(self, session, number: int, role: str) -> PageRow | None:
        return session.scalar(select(PageRow).where(PageRow.incident == number,
                                                    PageRow.role == role))

    def _open(self, session, incident: Incident, at: datetime, *, reason: str) -> None:
        severity = incident.severity.value
        if not self.config.policy.pages(severity):
            return
        for role in self.catalog.assemble_for(incident.crisis_type, incident.severity):
            held = incident.roles.get(role)
            if held is not None and held.user == incident.declared_by:
                continue  # whoever declared it is here already
            row = self._row(session, incident.number, role.value)
            if row is None:
                session.add(PageRow(incident=incident.number, role=role.value, status="due",
                                    reason=reason, user_id="", layer=0, attempt=0, paged=[],
                                    exec_paged=False, due_at=at))
            elif row.status in ("exhausted", "cancelled"):
                # Raised again after nobody answered: start over from the rota.
                row.status, row.reason, row.due_at = "due", reason, at
                row.user_id, row.layer, row.attempt, row.sent_at = "", 0, 0, None
                row.exec_paged = False
        session.flush()

    def _sent(self, uow, incident: Incident, event: PageSent) -> None:
        session = uow.session
        row = self._row(session, incident.number, event.role)
        timeout = self.config.policy.timeout(incident.severity.value)
        if row is not None:
            row.status, row.user_id, row.layer, row.attempt = "open", event.user, event.layer, event.attempt
            row.sent_at = event.at
            row.first_sent_at = row.first_sent_at or event.at
            row.paged = list(dict.fromkeys([*(row.paged or []), event.user]))
            row.exec_paged = row.exec_paged or event.layer == EXEC_LAYER
            row.due_at = event.at + timeout if timeout else None
        ack_url = self.links.url(incident.number, event.user)
        for i, contact in enumerate(self.config.people.get(event.user, ())):
            message = page_message(incident, role=event.role, to=contact.to, reason=event.reason,
                                   ack_url=ack_url)
            add_delivery(session, channel=contact.channel, payload=message, at=event.at,
                         purpose="page", ref=f"page:{event.role}:{event.user}", incident=incident.number,
                         dedupe_key=f"page:{incident.number}:{event.role}:{event.user}:"
                                    f"{event.layer}:{event.attempt}:{event.at.isoformat()}:{i}")
        uow.outbox.add("invite", {"users": [event.user]}, at=event.at, incident=incident.number)
        uow.outbox.add("post_message", ack_prompt(incident.number, event), at=event.at,
                       incident=incident.number)

    def _acked(self, session, incident: Incident, event: PageAcknowledged) -> None:
        row = self._row(session, incident.number, event.role)
        if row is not None:
            row.status, row.acked_by, row.acked_at, row.due_at = "acked", event.user, event.at, None


def _raised(event: ev.SeverityChanged) -> bool:
    from bot.domain.severity import Severity

    try:
        return Severity(event.new).rank > Severity(event.old).rank
    except (ValueError, AttributeError):
        return False


def ack_prompt(number: int, event: PageSent) -> dict:
    """The channel message with the *Acknowledge* button (English and Chinese)."""
    who = mention(event.user)
    role_en, role_zh = role_label(event.role, "en"), role_label(event.role, "zh")
    text = (f":pager: Paging {who} as *{role_en}* (page {event.attempt}) — press *Acknowledge* "
            f"when you are on it.\n正在呼叫 {who} 担任{role_zh}（第 {event.attempt} 次），"
            "请点击“确认”。")
    return {"text": text, "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": [{
            "type": "button", "action_id": ACK_ACTION, "value": str(number), "style": "primary",
            "text": {"type": "plain_text", "text": "Acknowledge · 确认"}}]},
    ]}
