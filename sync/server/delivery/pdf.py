"""Printable tickets: one A4 page per ticket, an order's tickets in one file.

The QR code is what the gate reads, so it gets the room: 70 mm square, drawn at 16
pixels per module into the PDF (about 290 dpi on paper), with its quiet zone, so a
phone camera or a hand scanner reads it from a home printer's output or from the PDF
on a screen.  Beside it, large, what a steward asks for at the door: section, row and
seat (and whether it is an accessible or a companion seat); then the event, the venue,
the local date and time with its time zone, the ticket type, the holder and the order.

Fonts are DejaVu Sans, shipped with the package (holders' names come in any script),
so a server without desktop fonts prints the same pages.  English and Indonesian.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF

from sync.server.delivery.qr import ticket_png

FONTS = Path(__file__).with_name("fonts")
QR_MM = 70.0
QR_SCALE = 16  # pixels per module in the embedded image

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "section": "Section",
        "row": "Row",
        "seat": "Seat",
        "general": "General admission",
        "accessible": "Accessible seat",
        "companion": "Companion seat",
        "type": "Ticket",
        "holder": "Holder",
        "order": "Order",
        "doors": "Doors open",
        "ticket_id": "Ticket number",
        "terms": (
            "Show this code at the entrance, on paper or on a screen. It admits one "
            "person; the first scan counts, so do not share or post it. A refunded or "
            "transferred ticket no longer admits anyone."
        ),
    },
    "id": {
        "section": "Bagian",
        "row": "Baris",
        "seat": "Kursi",
        "general": "Tanpa nomor kursi",
        "accessible": "Kursi aksesibel",
        "companion": "Kursi pendamping",
        "type": "Tiket",
        "holder": "Pemegang",
        "order": "Pesanan",
        "doors": "Pintu dibuka",
        "ticket_id": "Nomor tiket",
        "terms": (
            "Tunjukkan kode ini di pintu masuk, dicetak atau di layar. Berlaku untuk "
            "satu orang; pindaian pertama yang dihitung, jadi jangan dibagikan atau "
            "diunggah. Tiket yang dikembalikan atau dialihkan tidak berlaku lagi."
        ),
    },
}

WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
}
MONTHS = {
    "en": [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ],
    "id": [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
        "September", "Oktober", "November", "Desember",
    ],
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PrintableTicket:
    """Everything a ticket's page shows, gathered by ``services.delivery``."""

    ticket_id: str
    code: str
    event_name: str
    venue_name: str
    venue_address: str
    timezone: str
    starts_at: datetime | None
    doors_open: datetime | None
    type_name: str
    holder_name: str
    order_id: int
    section: str | None = None
    row: str | None = None
    number: int | None = None
    accessible: bool = False
    companion: bool = False
    event_id: int = 0
    latitude: float | None = None
    longitude: float | None = None


def local_time(moment: datetime, timezone: str, language: str) -> str:
    """E.g. "Saturday 24 November 2026, 19:00 WIB (Asia/Jakarta)"."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = f"{WEEKDAYS[language][local.weekday()]} {local.day} {MONTHS[language][local.month - 1]}"
    return f"{day} {local.year}, {local:%H:%M} {local:%Z} ({timezone})"


def tickets_pdf(tickets: Sequence[PrintableTicket], language: str = "en") -> bytes:
    """The tickets as one PDF, a page each, in ``language`` ("en" or "id")."""
    if language not in LABELS:
        raise ValueError(f"no ticket wording in {language!r}: choose en or id")
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title("Tickets" if language == "en" else "Tiket")
    pdf.set_creator("AdmitOne")
    for ticket in tickets:
        _page(pdf, ticket, LABELS[language], language)
    return bytes(pdf.output())


def _page(pdf: FPDF, ticket: PrintableTicket, words: dict[str, str], language: str) -> None:
    pdf.add_page()
    left, width = 15.0, 180.0
    pdf.set_xy(left, 15)
    pdf.set_font("DejaVu", "B", 22)
    pdf.multi_cell(width, 10, ticket.event_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(left)
    pdf.set_font("DejaVu", "", 12)
    venue = ", ".join(part for part in (ticket.venue_name, ticket.venue_address) if part)
    if venue:
        pdf.multi_cell(width, 6, venue, new_x="LMARGIN", new_y="NEXT")
    if ticket.starts_at is not None:
        pdf.set_x(left)
        pdf.set_font("DejaVu", "B", 13)
        when = local_time(ticket.starts_at, ticket.timezone, language)
        pdf.multi_cell(width, 7, when, new_x="LMARGIN", new_y="NEXT")
    if ticket.doors_open is not None:
        pdf.set_x(left)
        pdf.set_font("DejaVu", "", 11)
        doors = ticket.doors_open.astimezone(ZoneInfo(ticket.timezone))
        pdf.cell(width, 6, f"{words['doors']} {doors:%H:%M %Z}", new_x="LMARGIN", new_y="NEXT")

    top = max(pdf.get_y() + 8, 60.0)
    pdf.image(io.BytesIO(ticket_png(ticket.code, QR_SCALE)), x=left, y=top, w=QR_MM, h=QR_MM)
    pdf.set_draw_color(160, 160, 160)
    pdf.rect(left, top, QR_MM, QR_MM)

    x = left + QR_MM + 10
    pdf.set_xy(x, top)
    if ticket.section is not None:
        for label, value in (
            (words["section"], ticket.section),
            (words["row"], ticket.row or ""),
            (words["seat"], "" if ticket.number is None else str(ticket.number)),
        ):
            pdf.set_x(x)
            pdf.set_font("DejaVu", "", 11)
            pdf.cell(30, 12, label)
            pdf.set_font("DejaVu", "B", 24)
            pdf.cell(60, 12, value, new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font("DejaVu", "B", 18)
        pdf.cell(90, 12, words["general"], new_x="LMARGIN", new_y="NEXT")
    flags = [words["accessible"]] * ticket.accessible + [words["companion"]] * ticket.companion
    for flag in flags:
        pdf.set_x(x)
        pdf.set_font("DejaVu", "B", 13)
        pdf.cell(90, 8, flag, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for label, value in (
        (words["type"], ticket.type_name),
        (words["holder"], ticket.holder_name),
        (words["order"], f"#{ticket.order_id}"),
        (words["ticket_id"], ticket.ticket_id),
    ):
        if not value:
            continue
        pdf.set_x(x)
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(30, 7, label)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(65, 7, value, new_x="LMARGIN", new_y="NEXT")

    pdf.set_xy(left, top + QR_MM + 12)
    pdf.set_draw_color(200, 200, 200)
    pdf.line(left, pdf.get_y(), left + width, pdf.get_y())
    pdf.ln(4)
    pdf.set_x(left)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(70, 70, 70)
    pdf.multi_cell(width, 5, words["terms"])
    pdf.set_text_color(0, 0, 0)
