"""Post-mortems: every generated version, so the same data gives the same report.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "postmortems",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("markdown", sa.Text, nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("json", sa.Text, nullable=False),
        sa.UniqueConstraint("incident", "version", name="uq_postmortems_incident_version"),
        sa.UniqueConstraint("incident", "digest", name="uq_postmortems_incident_digest"),
    )


def downgrade() -> None:
    op.drop_table("postmortems")
