"""A venue's seats as an SVG drawn from the data: one square per seat, row by row.

Drawn on the server (no chart or canvas library in the page): it scales to a
phone, prints, and every seat carries a ``<title>`` a screen reader can read.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sync.server.schemas import SectionMap

SEAT = 16
GAP = 4
LABEL = 28
SECTION_GAP = 28
MARKS = {"sold": "×", "held": "◷", "accessible": "♿", "companion": "+"}
COLOURS = {
    "free": ("#ffffff", "#64748b"),
    "sold": ("#94a3b8", "#475569"),
    "held": ("#fef3c7", "#b45309"),
    "accessible": ("#dbeafe", "#1d4ed8"),
    "companion": ("#ccfbf1", "#0f766e"),
}


def seat_map_svg(sections: Sequence[SectionMap]) -> str:
    if not sections:
        return ""
    parts: list[str] = []
    y = 0
    width = 0
    for section in sections:
        parts.append(
            f'<text x="0" y="{y + 14}" font-weight="700" font-size="14">'
            f"{escape(section.name)}</text>"
        )
        y += 22
        rows: dict[str, list[tuple[int, str, str]]] = {}
        for seat in section.seats:
            kind: str = (
                seat.status
                if seat.status in ("sold", "held")
                else "accessible"
                if seat.accessible
                else "companion"
                if seat.companion
                else "free"
            )
            label = f"{section.name} {seat.row}/{seat.number} {kind}"
            rows.setdefault(seat.row, []).append((seat.number, kind, label))
        if not rows:
            parts.append(f'<text x="0" y="{y + 12}" font-size="12">standing</text>')
            y += 20
        for row, seats in rows.items():
            parts.append(f'<text x="0" y="{y + SEAT - 3}" font-size="12">{escape(row)}</text>')
            for number, kind, label in sorted(seats):
                fill, stroke = COLOURS[kind]
                x = LABEL + (number - 1) * (SEAT + GAP)
                width = max(width, x + SEAT)
                parts.append(
                    f'<rect x="{x}" y="{y}" width="{SEAT}" height="{SEAT}" rx="3" '
                    f'fill="{fill}" stroke="{stroke}" data-seat="{escape(row)}/{number}" '
                    f'class="seat {kind}"><title>{escape(label)}</title></rect>'
                )
                mark = MARKS.get(kind)
                if mark:  # not by colour alone
                    parts.append(
                        f'<text x="{x + SEAT / 2}" y="{y + SEAT - 4}" font-size="11" '
                        f'text-anchor="middle" fill="{stroke}" aria-hidden="true">{mark}</text>'
                    )
            y += SEAT + GAP
        y += SECTION_GAP
    width = max(width, 200)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width + 4} {y}" '
        f'width="{(width + 4) * 2}" role="img" aria-label="seat map">{"".join(parts)}</svg>'
    )
