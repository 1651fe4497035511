"""Selling: prices (tiers, early bird, steps, group, promo codes), paid and pending
orders with their priced lines, the waitlist and the waiting room

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def event_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("hold_minutes", sa.Integer, nullable=False, server_default="10"),
        sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
        sa.Column("fee_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("group_min", sa.Integer, nullable=False, server_default="0"),
        sa.Column("group_percent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("shop_limit", sa.Integer, nullable=False, server_default="0"),
    ]


def type_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("quota", sa.Integer, nullable=False, server_default="0"),
        sa.Column("early_price_cents", sa.Integer, nullable=True),
        sa.Column("early_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("step_after", sa.Integer, nullable=False, server_default="0"),
        sa.Column("step_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("public", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("gate_note", sa.String(60), nullable=False, server_default=""),
    ]


def order_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("status", sa.String(12), nullable=False, server_default="paid"),
        sa.Column("channel", sa.String(12), nullable=False, server_default="organiser"),
        sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
        sa.Column("subtotal_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("discount_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fees_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("payment_method", sa.String(20), nullable=False, server_default=""),
        sa.Column("payment_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promo_code", sa.String(32), nullable=True),
        sa.Column("reference", sa.String(32), nullable=True),
    ]


def hold_item_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("price_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    for table, columns in (
        ("events", event_columns()),
        ("ticket_types", type_columns()),
        ("orders", order_columns()),
        ("hold_items", hold_item_columns()),
    ):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(column)
    with op.batch_alter_table("orders") as batch:
        batch.create_unique_constraint("uq_orders_reference", ["reference"])
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("order_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("subject", sa.String(200), nullable=True))
        batch.add_column(sa.Column("body", sa.Text, nullable=True))
    op.create_table(
        "tier_prices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("tier", sa.String(40), nullable=False),
        sa.Column("ticket_type", sa.String(16), nullable=False),
        sa.Column("price_cents", sa.Integer, nullable=False),
        sa.UniqueConstraint("event_id", "tier", "ticket_type"),
    )
    op.create_index("ix_tier_prices_event_id", "tier_prices", ["event_id"])
    op.create_table(
        "promo_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("ticket_type", sa.String(16), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer, nullable=False),
        sa.Column("used", sa.Integer, nullable=False),
        sa.UniqueConstraint("event_id", "code"),
    )
    op.create_index("ix_promo_codes_event_id", "promo_codes", ["event_id"])
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("ticket_type", sa.String(16), nullable=False),
        sa.Column("seat_id", sa.Integer, sa.ForeignKey("seats.id"), nullable=True),
        sa.Column("attendee_name", sa.String(200), nullable=False),
        sa.Column("price_cents", sa.Integer, nullable=False),
        sa.Column("discount_cents", sa.Integer, nullable=False),
        sa.Column("fee_cents", sa.Integer, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("ticket_id", sa.String(20), nullable=True),
    )
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"])
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("ticket_type", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold_id", sa.String(32), nullable=True),
        sa.Column("token", sa.String(32), nullable=False, unique=True),
    )
    op.create_index("ix_waitlist_entries_event_id", "waitlist_entries", ["event_id"])
    op.create_index("ix_waitlist_entries_status", "waitlist_entries", ["status"])
    op.create_table(
        "queue_entries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sort_key", sa.String(40), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shop_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_queue_entries_place", "queue_entries", ["event_id", "status", "sort_key"])


def downgrade() -> None:
    for table in ("queue_entries", "waitlist_entries", "order_lines", "promo_codes", "tier_prices"):
        op.drop_table(table)
    op.execute("DELETE FROM outbox WHERE order_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("body")
        batch.drop_column("subject")
        batch.alter_column("order_id", existing_type=sa.Integer, nullable=False)
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("uq_orders_reference", type_="unique")
    for table, columns in (
        ("events", event_columns()),
        ("ticket_types", type_columns()),
        ("orders", order_columns()),
        ("hold_items", hold_item_columns()),
    ):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column.name)
