"""Find a ticket by its seat (section, row, number) through an index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 11:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_place", "tickets", ["event_id", "section", "row", "number"])


def downgrade() -> None:
    op.drop_index("ix_tickets_place", "tickets")
