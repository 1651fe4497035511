"""What gate staff see: every verdict, the return to ready, typed and camera input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import Mode, Revocation, Store, TicketClaims, TicketStatus, Tone, sign
from scanner.camera import ImageFolderSource
from scanner.pipeline import InputSource
from tests.conftest import Issue, forge, make_claims
from tests.ui.conftest import KioskFactory
from ui.demo.scene import make_frame
from ui.presentation import COLOURS, EXIT_COLOUR, Symbol

NOW = datetime.now(UTC)


def window_times(issue: Issue, **changes: Any) -> tuple[str, TicketClaims]:
    return issue(
        valid_from=NOW - timedelta(hours=1), valid_until=NOW + timedelta(hours=6), **changes
    )


def test_a_genuine_ticket_shows_admitted_with_tick_colour_sound_and_details(
    make_kiosk: KioskFactory, issue: Issue
) -> None:
    from scanner import Seat

    kiosk = make_kiosk()
    code, _ = window_times(
        issue,
        ticket_type="VIP",
        zones=frozenset({"main", "vip"}),
        seat=Seat("B", "12", 7),
        accessible=True,
    )
    kiosk.type_code(code)
    kiosk.wait_title("ADMITTED")
    view = kiosk.window.verdict.view
    assert (view.symbol, view.colour) == (Symbol.CHECK, COLOURS[Tone.ADMIT])
    assert view.detail == "VIP · seat B row 12 no. 7 · accessible · Sari Wulandari"
    assert kiosk.window.sounds.played == [Tone.ADMIT]


@pytest.mark.parametrize(
    ("case", "title", "symbol", "tone"),
    [
        ("already_used", "ALREADY USED", Symbol.CROSS, Tone.REJECT),
        ("forged", "INVALID TICKET", Symbol.CROSS, Tone.REJECT),
        ("garbage", "INVALID TICKET", Symbol.CROSS, Tone.REJECT),
        ("unknown_key", "UNKNOWN ISSUER", Symbol.CROSS, Tone.REJECT),
        ("wrong_event", "WRONG EVENT", Symbol.CROSS, Tone.REJECT),
        ("not_yet_valid", "NOT VALID YET", Symbol.WARNING, Tone.WARNING),
        ("expired", "EXPIRED", Symbol.CROSS, Tone.REJECT),
        ("revoked", "REVOKED", Symbol.CROSS, Tone.REJECT),
        ("not_allowed_here", "NOT ALLOWED HERE", Symbol.CROSS, Tone.REJECT),
        ("needs_exit_first", "ALREADY INSIDE", Symbol.CROSS, Tone.REJECT),
        ("not_in_manifest", "NOT IN LIST", Symbol.CROSS, Tone.REJECT),
        ("not_in_manifest_admitted", "ADMITTED", Symbol.CHECK, Tone.WARNING),
        ("exited", "EXIT RECORDED", Symbol.EXIT, Tone.ADMIT),
    ],
)
def test_every_verdict_kind_has_its_words_symbol_and_sound(
    make_kiosk: KioskFactory,
    issue: Issue,
    store: Store,
    case: str,
    title: str,
    symbol: Symbol,
    tone: Tone,
) -> None:
    mode = Mode.ENTRY
    options: dict[str, Any] = {}
    code, claims = window_times(issue)
    if case == "already_used":
        make_kiosk().gate.scan(code, NOW - timedelta(minutes=10))
    elif case == "forged":
        code = forge(code)
    elif case == "garbage":
        code = "HELLO WORLD"
    elif case == "unknown_key":
        code = sign(make_claims(), Ed25519PrivateKey.generate())
    elif case == "wrong_event":
        code, _ = window_times(issue, event_id=9)
    elif case == "not_yet_valid":
        code, _ = issue(valid_from=NOW + timedelta(hours=1), valid_until=NOW + timedelta(hours=9))
    elif case == "expired":
        code, _ = issue(valid_from=NOW - timedelta(hours=9), valid_until=NOW - timedelta(hours=1))
    elif case == "revoked":
        store.revoke([Revocation(claims.ticket_hex, TicketStatus.REFUNDED, NOW)])
    elif case == "not_allowed_here":
        mode = Mode.VIP
    elif case == "needs_exit_first":
        mode = Mode.REENTRY
        make_kiosk().gate.scan(code, NOW - timedelta(minutes=10))
    elif case == "not_in_manifest":
        code, _ = window_times(issue, in_manifest=False)
        options = {"admit_not_in_manifest": False}
    elif case == "not_in_manifest_admitted":
        code, _ = window_times(issue, in_manifest=False)
    elif case == "exited":
        mode = Mode.EXIT
    kiosk = make_kiosk(mode, **options)
    kiosk.type_code(code)
    kiosk.wait_title(title)
    view = kiosk.window.verdict.view
    assert view.symbol is symbol
    assert view.colour == (EXIT_COLOUR if case == "exited" else COLOURS[tone])
    assert kiosk.window.sounds.played[-1] is tone
    if case == "already_used":
        assert "first used" in view.detail
        assert "at Gate 7" in view.detail
    if case == "needs_exit_first":  # a passback: when and where it went in
        assert "entered" in view.detail
        assert "at Gate 7" in view.detail


def test_the_panel_returns_to_ready_after_a_few_seconds(
    make_kiosk: KioskFactory, issue: Issue
) -> None:
    kiosk = make_kiosk(ready_after_ms=300)
    code, _ = window_times(issue)
    kiosk.type_code(code)
    kiosk.wait_title("ADMITTED")
    kiosk.wait_title("READY")
    assert kiosk.window.verdict.view.symbol is Symbol.READY


def test_the_manual_entry_field_feeds_the_same_gate(
    make_kiosk: KioskFactory, issue: Issue, store: Store
) -> None:
    from PySide6.QtCore import Qt

    kiosk = make_kiosk()
    code, claims = window_times(issue)
    kiosk.qtbot.mouseClick(kiosk.window.manual, Qt.MouseButton.LeftButton)
    kiosk.window.manual.setText(code)
    kiosk.qtbot.keyClick(kiosk.window.manual, Qt.Key.Key_Return)
    kiosk.wait_title("ADMITTED")
    assert kiosk.window.manual.text() == ""
    assert [s.ticket_id for s in store.scans_for_ticket(claims.ticket_hex)] == [claims.ticket_hex]
    # Focus went back to the window, so the hand scanner works again without a click.
    code_2, _ = window_times(issue)
    kiosk.type_code(code_2)
    kiosk.qtbot.waitUntil(
        lambda: (
            kiosk.bridge.last_verdict is not None
            and kiosk.bridge.last_verdict.ticket_id != claims.ticket_hex
        )
    )


def test_a_camera_frame_source_shows_the_preview_and_the_verdict(
    make_kiosk: KioskFactory, issue: Issue, tmp_path: Path
) -> None:
    code, _ = window_times(issue)
    cv2.imwrite(str(tmp_path / "frame.png"), make_frame(code, "phone_screen", 3))
    source = ImageFolderSource(tmp_path, frames_per_image=30, realtime=True, fps=30, loop=True)
    kiosk = make_kiosk(source=source)
    kiosk.wait_title("ADMITTED")
    kiosk.qtbot.waitUntil(
        lambda: kiosk.window.preview.frames_shown > 0 and len(kiosk.window.preview.outlines) == 1
    )
    assert kiosk.window.sounds.played == [Tone.ADMIT]  # held in view: one verdict, one sound


def test_the_status_strip_shows_mode_gate_event_and_counts(
    make_kiosk: KioskFactory, issue: Issue
) -> None:
    kiosk = make_kiosk()
    code, _ = window_times(issue)
    kiosk.type_code(code)
    kiosk.wait_title("ADMITTED")
    strip = kiosk.window.status
    kiosk.qtbot.waitUntil(lambda: strip.text("admitted") == "Admitted: 1")
    assert strip.text("mode") == "Mode: ENTRY"
    assert strip.text("gate") == "Gate: Gate 7"
    assert strip.text("event") == "Event: 42"
    assert strip.text("network") == "⚠ NOT ENROLLED"
    assert strip.text("pending") == "Pending: 1"
    assert strip.text("camera") == "no camera: use the hand scanner"


def test_wedge_and_manual_sources_are_told_apart(make_kiosk: KioskFactory, issue: Issue) -> None:
    kiosk = make_kiosk()
    seen: list[InputSource] = []
    kiosk.bridge.verdictReady.connect(lambda event: seen.append(event.source))
    code, _ = window_times(issue)
    kiosk.type_code(code)
    kiosk.qtbot.waitUntil(lambda: seen == [InputSource.WEDGE])


def test_a_supervisor_switches_to_another_camera_source(
    make_kiosk: KioskFactory, issue: Issue, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt

    kiosk = make_kiosk()
    code, _ = window_times(issue)
    cv2.imwrite(str(tmp_path / "frame.png"), make_frame(code, "clean", 4))
    panel = kiosk.window.show_panel()
    panel.camera.setText(str(tmp_path))
    kiosk.qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    kiosk.wait_title("ADMITTED")
    kiosk.qtbot.waitUntil(lambda: kiosk.window.preview.frames_shown > 0)


def test_no_audio_device_logs_one_warning_and_scanning_goes_on(
    make_kiosk: KioskFactory, issue: Issue, caplog: pytest.LogCaptureFixture
) -> None:
    from ui.sounds import SoundPlayer

    with caplog.at_level("WARNING", logger="ui.sounds"):
        player = SoundPlayer()
    if player.available:
        pytest.skip("this machine has an audio output; the no-device path is not reachable")
    assert [r.getMessage() for r in caplog.records] == [
        "no audio output device: verdict sounds are off, scanning goes on"
    ]
    kiosk = make_kiosk()
    kiosk.window.sounds = player
    code, _ = window_times(issue)
    kiosk.type_code(code)
    kiosk.wait_title("ADMITTED")
    assert player.played == [Tone.ADMIT]
