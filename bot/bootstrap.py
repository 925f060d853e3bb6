"""The one place that picks concrete adapters and wires them together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine

from bot.adapters.db import make_engine, upgrade
from bot.adapters.db.uow import uow_factory
from bot.adapters.playbooks import bundled_playbooks_dir, load_catalog
from bot.domain.playbook import Catalog
from bot.services import IncidentService
from bot.settings import Settings


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Core:
    """What every entry point needs: storage, playbooks and the incident services."""

    settings: Settings
    engine: Engine
    catalog: Catalog
    incidents: IncidentService
    clock: Callable[[], datetime]

    def close(self) -> None:
        self.engine.dispose()


def playbooks_dir(settings: Settings) -> Path:
    return settings.playbooks_dir or bundled_playbooks_dir()


def build_core(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    migrate: bool = True,
) -> Core:
    """Build the core; ``migrate`` applies pending migrations first (as ``serve`` does)."""
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    catalog = load_catalog(playbooks_dir(settings))
    service = IncidentService(uow_factory=uow_factory(engine), catalog=catalog, clock=clock)
    return Core(settings=settings, engine=engine, catalog=catalog, incidents=service, clock=clock)
