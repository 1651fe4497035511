"""Read manifest pages by seq: drop the event index on changes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 19:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_event_id")


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index("ix_changes_event_id", ["event_id"], unique=False)
