"""Kiosk health: how many records a kiosk has set aside as unsendable

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("quarantined", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("quarantined")
