"""``crisisbot db grant-runtime ROLE``: what the role ``serve`` runs as may do (PostgreSQL).

Migrations run as the owner of the schema. The runtime role gets only what the bot needs:
``SELECT, INSERT`` on the timeline (no ``UPDATE``, ``DELETE`` or ``TRUNCATE``; not being the
owner, it cannot ``ALTER``, disable or drop the append-only triggers, or drop the table),
``SELECT, INSERT, UPDATE, DELETE`` on its working tables, ``SELECT`` on ``alembic_version``,
and the sequences behind the ids. Run it again after each ``crisisbot db upgrade``: it resets
the role's table privileges, so tables added by new migrations are covered.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, inspect, text

TIMELINE = "timeline"
READ_ONLY = ("alembic_version",)
_ROLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class GrantError(Exception):
    """A clear one-line reason the grant cannot be made."""


def grant_runtime(engine: Engine, role: str) -> list[str]:
    """Grant ``role`` the runtime privileges; returns the statements run."""
    if engine.dialect.name != "postgresql":
        raise GrantError("grant-runtime is for PostgreSQL; SQLite has no roles (its file's "
                         "permissions are the access control)")
    if not _ROLE.fullmatch(role):
        raise GrantError(f"{role!r} is not a plain role name (letters, digits, underscores)")
    who = f'"{role}"'
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is None:
            raise GrantError(f"there is no role {role!r}; create it first (CREATE ROLE {role} LOGIN …)")
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        tables = inspect(conn).get_table_names(schema="public")
        if TIMELINE not in tables:
            raise GrantError("the schema is not there yet: run `crisisbot db upgrade` as the owner first")
        statements = [
            f'GRANT CONNECT ON DATABASE "{database}" TO {who}',
            f"GRANT USAGE ON SCHEMA public TO {who}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
            f"GRANT SELECT, INSERT ON {TIMELINE} TO {who}",
            *(f"GRANT SELECT ON {t} TO {who}" for t in READ_ONLY if t in tables),
            *(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{t}" TO {who}'
              for t in sorted(tables) if t != TIMELINE and t not in READ_ONLY),
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
        ]
        for statement in statements:
            conn.execute(text(statement))
    return statements
