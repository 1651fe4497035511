"""A ticket's code as a QR symbol, drawn one way everywhere it leaves the server (API
PNG, PDF, the guest's page): error correction M, never boosted, so every copy is the
same symbol the kiosk's decoder and the tests expect."""

from __future__ import annotations

import io

import segno


def ticket_symbol(code: str) -> segno.QRCode:
    return segno.make_qr(code, error="m", boost_error=False)


def ticket_png(code: str, scale: int) -> bytes:
    """PNG at ``scale`` pixels per module, with the standard four-module quiet zone."""
    buffer = io.BytesIO()
    ticket_symbol(code).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def ticket_svg(code: str) -> str:
    """Inline SVG, black on white, sized by its viewBox (the page scales it)."""
    svg: str = ticket_symbol(code).svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True
    )
    return svg
