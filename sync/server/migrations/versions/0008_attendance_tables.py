"""Attendance kept as scans arrive: each ticket's presence per zone, and admit and exit
counts per gate and quarter hour (the dashboard reads these instead of every scan)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("ticket_id", sa.String(20), primary_key=True),
        sa.Column("zone", sa.String(40), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("last_direction", sa.String(3), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_admitted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_presence_event_zone", "presence", ["event_id", "zone", "last_direction"])
    op.create_table(
        "scan_counts",
        sa.Column("event_id", sa.Integer(), primary_key=True),
        sa.Column("zone", sa.String(40), primary_key=True),
        sa.Column("gate", sa.String(200), primary_key=True),
        sa.Column("quarter", sa.Integer(), primary_key=True),
        sa.Column("admits", sa.Integer(), nullable=False),
        sa.Column("exits", sa.Integer(), nullable=False),
    )
    _backfill()


def _backfill() -> None:
    """The tables for the scans already stored, as ingest keeps them from now on.  A
    frozen copy of that rule (migrations must not follow later code)."""
    from sync.server.models import UTCDateTime  # a stable column type, not a model

    when = UTCDateTime()
    scans = sa.table(
        "scans",
        sa.column("scan_id", sa.String()),
        sa.column("ticket_id", sa.String()),
        sa.column("event_id", sa.Integer()),
        sa.column("zone", sa.String()),
        sa.column("gate", sa.String()),
        sa.column("direction", sa.String()),
        sa.column("scanned_at", when),
        sa.column("verdict", sa.String()),
    )
    presence = sa.table(
        "presence",
        sa.column("ticket_id", sa.String()),
        sa.column("zone", sa.String()),
        sa.column("event_id", sa.Integer()),
        sa.column("last_direction", sa.String()),
        sa.column("last_at", when),
        sa.column("first_admitted_at", when),
    )
    counts_table = sa.table(
        "scan_counts",
        sa.column("event_id", sa.Integer()),
        sa.column("zone", sa.String()),
        sa.column("gate", sa.String()),
        sa.column("quarter", sa.Integer()),
        sa.column("admits", sa.Integer()),
        sa.column("exits", sa.Integer()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(scans)
        .where(
            scans.c.verdict.in_(["admitted", "exited"]),
            scans.c.event_id.is_not(None),
        )
        .order_by(scans.c.ticket_id, scans.c.zone, scans.c.scanned_at, scans.c.scan_id)
    )
    people: dict[tuple[str, str], dict[str, object]] = {}
    counts: dict[tuple[int, str, str, int], list[int]] = {}
    for row in rows:
        quarter = int(row.scanned_at.timestamp()) // 900
        tally = counts.setdefault((row.event_id, row.zone, row.gate, quarter), [0, 0])
        tally[0 if row.verdict == "admitted" else 1] += 1
        if row.ticket_id is None:
            continue
        person = people.setdefault(
            (row.ticket_id, row.zone), {"event_id": row.event_id, "first_admitted_at": None}
        )
        person["last_direction"] = row.direction
        person["last_at"] = row.scanned_at
        if row.direction == "in" and person["first_admitted_at"] is None:
            person["first_admitted_at"] = row.scanned_at
    if people:
        op.bulk_insert(
            presence,
            [{"ticket_id": t, "zone": z, **values} for (t, z), values in people.items()],
        )
    if counts:
        op.bulk_insert(
            counts_table,
            [
                {"event_id": e, "zone": z, "gate": g, "quarter": q, "admits": a, "exits": x}
                for (e, z, g, q), (a, x) in counts.items()
            ],
        )


def downgrade() -> None:
    op.drop_table("scan_counts")
    op.drop_index("ix_presence_event_zone", "presence")
    op.drop_table("presence")
