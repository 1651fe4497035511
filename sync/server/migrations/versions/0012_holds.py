"""Holds: seats or a quantity kept for a buyer while they pay

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 15:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=True),
    )
    op.create_index("ix_holds_event_id", "holds", ["event_id"])
    op.create_table(
        "hold_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hold_id", sa.String(32), sa.ForeignKey("holds.id"), nullable=False),
        sa.Column("ticket_type", sa.String(16), nullable=False),
        sa.Column("seat_id", sa.Integer, sa.ForeignKey("seats.id"), nullable=True),
        sa.Column("quantity", sa.Integer, nullable=False),
    )
    op.create_index("ix_hold_items_hold_id", "hold_items", ["hold_id"])
    op.create_index("ix_hold_items_seat_id", "hold_items", ["seat_id"])


def downgrade() -> None:
    op.drop_index("ix_hold_items_seat_id", "hold_items")
    op.drop_index("ix_hold_items_hold_id", "hold_items")
    op.drop_table("hold_items")
    op.drop_index("ix_holds_event_id", "holds")
    op.drop_table("holds")
