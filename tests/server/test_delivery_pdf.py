"""Printable tickets: the PDF a guest prints, rendered by poppler at 300 dpi, read back by
the kiosk's own decoder and verified as genuine tickets for the seats printed beside
them.  A real server on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import pytest

from scanner import Keyring, verify
from scanner.decode import LayeredDecoder
from tests.server.conftest import ServerHandle
from tests.server.test_api import server_keyring
from ui.demo.seed import seed_demo

POPPLER = ("pdftoppm", "pdftotext")


@pytest.fixture(autouse=True)
def _poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:  # the bootstrap installs poppler-utils; CI fails loudly without it
        pytest.fail(f"{', '.join(missing)} missing: apt-get install poppler-utils")


def pages_of(pdf: bytes, tmp_path: Path, name: str) -> tuple[list[Path], list[str]]:
    """Each page as a 300 dpi PNG, and each page's text."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", str(source), str(tmp_path / name)],
        check=True,
        timeout=120,
    )
    images = sorted(tmp_path.glob(f"{name}-*.png"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(source), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return images, text.split("\f")[: len(images)]


def read_page(image: Path, keyring: Keyring) -> str:
    page = cv2.imread(str(image))
    assert page is not None
    decoder = LayeredDecoder(accept=lambda text: verify(text, keyring).genuine)
    codes = decoder.decode(page)
    assert len(codes) == 1, f"{image.name}: {len(codes)} codes"
    xs = [x for x, _ in codes[0].corners]
    side_mm = (max(xs) - min(xs)) / 300 * 25.4
    assert side_mm >= 50, f"the code is {side_mm:.0f} mm wide: too small for a hand scanner"
    return codes[0].text


def test_an_orders_pdf_prints_every_live_ticket_readable_and_genuine(
    server: ServerHandle, tmp_path: Path
) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=2)
        refunded = demo.by_type("GA")[0]
        admin.post(f"/tickets/{refunded['ticket_id']}/refund", json={"reason": "refunded"})
        response = admin.get(f"/orders/{demo.order_id}/tickets.pdf")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        event = admin.get(f"/events/{demo.event_id}").json()
    keyring = server_keyring(server)
    images, texts = pages_of(response.content, tmp_path, "order")
    live = [t for t in demo.tickets if t["ticket_id"] != refunded["ticket_id"]]
    assert len(images) == len(live) == 7  # one page per live ticket; the refund is left out
    seen = set()
    for image, text in zip(images, texts, strict=True):
        code = read_page(image, keyring)
        result = verify(code, keyring)
        assert result.genuine
        assert result.claims is not None
        ticket = next(t for t in live if t["code"] == code)
        seen.add(ticket["ticket_id"])
        assert ticket["ticket_id"] in text  # the printed ticket number is this code's
        assert event["name"] in text
        assert "Harbour Arena" in text
        if ticket["section"] is not None:
            assert (
                str(result.claims.seat) == f"{ticket['section']}/{ticket['row']}/{ticket['number']}"
            )
            for label, value in (
                ("Section", ticket["section"]),
                ("Row", ticket["row"]),
                ("Seat", str(ticket["number"])),
            ):
                assert re.search(rf"{label}\s+{re.escape(value)}\b", text), (label, text)
            assert ("Accessible seat" in text) == ticket["accessible"]
        else:
            assert "General admission" in text
        starts = event["starts_at"]
        local = printed_time(starts, event["timezone"])
        assert local in text, (local, text)
    assert seen == {t["ticket_id"] for t in live}


def printed_time(iso: str, timezone: str) -> str:
    """The local start as the page prints it: "19:00 WIB (Asia/Jakarta)"."""
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(timezone))
    return f"{moment:%H:%M} {moment:%Z} ({timezone})"


def test_the_pdf_speaks_indonesian_and_refuses_other_languages(
    server: ServerHandle, tmp_path: Path
) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
        vip = demo.by_type("VIP")[0]
        response = admin.get(f"/tickets/{vip['ticket_id']}/ticket.pdf", params={"lang": "id"})
        assert response.status_code == 200
        assert (
            admin.get(f"/tickets/{vip['ticket_id']}/ticket.pdf", params={"lang": "fr"}).status_code
            == 422
        )
        admin.post(f"/tickets/{vip['ticket_id']}/refund", json={"reason": "refunded"})
        gone = admin.get(f"/tickets/{vip['ticket_id']}/ticket.pdf")
        assert gone.status_code == 410
        assert "admits no one" in gone.json()["detail"]
    images, texts = pages_of(response.content, tmp_path, "vip")
    assert len(images) == 1
    assert verify(read_page(images[0], server_keyring(server)), server_keyring(server)).genuine
    for word in ("Bagian", "Baris", "Kursi", "Kursi aksesibel", "Pemegang", "Pesanan"):
        assert word in texts[0]
    assert re.search(r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu) \d+ \w+ \d{4}", texts[0])


def test_an_order_with_nothing_live_has_no_pdf(server: ServerHandle) -> None:
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
        for ticket in demo.tickets:
            admin.post(f"/tickets/{ticket['ticket_id']}/refund", json={"reason": "refunded"})
        response = admin.get(f"/orders/{demo.order_id}/tickets.pdf")
        assert response.status_code == 410
        assert admin.get("/orders/999999/tickets.pdf").status_code == 404
