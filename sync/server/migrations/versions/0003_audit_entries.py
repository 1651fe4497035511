"""Supervisor actions synced from kiosks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.server.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("audit_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("at", sync.server.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("received_at", sync.server.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("audit_id"),
    )
    op.create_index("ix_audit_entries_device_id", "audit_entries", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_device_id", table_name="audit_entries")
    op.drop_table("audit_entries")
