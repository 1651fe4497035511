"""Where a venue is: latitude and longitude (for wallet passes)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("venues") as batch:
        batch.add_column(sa.Column("latitude", sa.Float, nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("venues") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
