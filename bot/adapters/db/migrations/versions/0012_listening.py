"""Listening: raw social posts with their classification, and what incidents were told of them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

``listening_posts`` holds each post once (``key`` = platform:id; a re-sent post updates its
engagement). ``listening_marks`` records what an incident channel already got (a digest of
an hour, a KOL callout, a KOL-briefing task), so a restart or a second replica repeats none.
"""

import sqlalchemy as sa
from alembic import op

from bot.adapters.db.types import BigId, Json, UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listening_posts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("platform", sa.String(60), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("followers", sa.BigInteger, nullable=False),
        sa.Column("reposts", sa.BigInteger, nullable=False),
        sa.Column("comments", sa.BigInteger, nullable=False),
        sa.Column("likes", sa.BigInteger, nullable=False),
        sa.Column("repost_of", sa.String(300), nullable=True),
        sa.Column("posted_at", UTCDateTime, nullable=False),
        sa.Column("classes", sa.String(60), nullable=False),
        sa.Column("entities", Json, nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_listening_posts_posted_at", "listening_posts", ["posted_at"])
    op.create_table(
        "listening_marks",
        sa.Column("incident", sa.Integer, sa.ForeignKey("incidents.number"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("ref", sa.String(300), primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("listening_marks")
    op.drop_index("ix_listening_posts_posted_at", table_name="listening_posts")
    op.drop_table("listening_posts")
