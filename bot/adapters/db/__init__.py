"""Storage on SQLite (embedded default) and PostgreSQL (production, replicas)."""

from bot.adapters.db.engine import make_engine
from bot.adapters.db.migrate import upgrade
from bot.adapters.db.uow import SqlUnitOfWork

__all__ = ["make_engine", "upgrade", "SqlUnitOfWork"]
