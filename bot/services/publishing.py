"""Recording where a published statement went: one timeline event per target's outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.domain.incident import Incident
from bot.domain.publishing import StatementDelivered
from bot.domain.roles import Actor
from bot.services.incidents import IncidentService

PUBLISHER = Actor.system("publisher")


class DeliveryResult(Protocol):
    id: int
    incident: int | None
    ref: str


class PublishService:
    def __init__(self, *, incidents: IncidentService, kind_of: Callable[[str], str]) -> None:
        self.incidents = incidents
        self.kind_of = kind_of

    def record(self, delivery: DeliveryResult, status: str, error: str) -> None:
        """``delivery`` (ref ``statement:<id>:v<version>:<target>``) ended ``sent`` or
        ``failed``; the dark site's deliveries are ``live``."""
        if delivery.incident is None or not delivery.ref.startswith("statement:"):
            return
        _, sid, version, target = delivery.ref.split(":", 3)
        kind = self.kind_of(target)
        state = "live" if kind == "site" and status == "sent" else status

        def change(incident: Incident, now) -> list:
            return incident.record_stateless(StatementDelivered(
                incident=incident.number, actor=PUBLISHER.id, at=now, statement_id=int(sid),
                version=int(version.lstrip("v")), target=target, kind=kind, status=state,
                error=error[:200]))

        self.incidents.apply(delivery.incident, change,
                             idempotency_key=f"delivered:{delivery.id}:{status}")
