"""Kiosks an organiser has revoked

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.server.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(
            sa.Column("revoked_at", sync.server.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("revoked_at")
