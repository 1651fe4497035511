"""The status strip's words for each state, from a status value (no threads involved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from scanner.pipeline import CameraState
from ui.bridge import KioskStatus
from ui.status_strip import StatusStrip


def status(**changes: object) -> KioskStatus:
    values: dict[str, object] = {
        "mode": "reentry",
        "gate": "North",
        "events": "42",
        "enrolled": True,
        "online": False,
        "last_sync": datetime.now(UTC) - timedelta(minutes=12),
        "pending_uploads": 37,
        "manifest_age_seconds": 3 * 3600.0,
        "admitted": 512,
        "camera": CameraState.FAILED,
        "skew_seconds": 125.0,
        "skew_warning": True,
    }
    values.update(changes)
    return KioskStatus(**values)  # type: ignore[arg-type]


def test_an_offline_kiosk_with_a_wrong_clock_says_so(qtbot: QtBot) -> None:
    strip = StatusStrip()
    qtbot.addWidget(strip)
    strip.show_status(status())
    assert [
        strip.text(n)
        for n in ("mode", "network", "sync", "pending", "manifest", "admitted", "camera", "clock")
    ] == [
        "Mode: REENTRY",
        "⚠ OFFLINE",
        "Last sync: 12 min",
        "Pending: 37",
        "List age: 3 h",
        "Admitted: 512",
        "✖ CAMERA FAILED: check the cable",
        "⚠ CLOCK OFF BY +125 s",
    ]
    # Colour as well as words and a symbol: the style sheet keys on these states.
    assert strip.labels["network"].property("state") == "offline"
    assert strip.labels["camera"].property("state") == "failed"


def test_a_healthy_kiosk_shows_no_clock_warning(qtbot: QtBot) -> None:
    strip = StatusStrip()
    qtbot.addWidget(strip)
    strip.show_status(
        status(
            online=True,
            skew_warning=False,
            skew_seconds=0.4,
            camera=CameraState.RUNNING,
            last_sync=None,
        )
    )
    assert (
        strip.text("network"),
        strip.text("camera"),
        strip.text("clock"),
        strip.text("sync"),
    ) == ("✔ ONLINE", "✔ camera OK", "", "Last sync: never")
    assert strip.labels["network"].property("state") == "online"
    assert strip.labels["clock"].isHidden()


def test_a_kiosk_the_server_refuses_says_what_to_do(qtbot: QtBot) -> None:
    strip = StatusStrip()
    qtbot.addWidget(strip)
    strip.show_status(status(online=True, refused="this kiosk was revoked by the organiser"))
    assert strip.text("network") == "✖ SYNC REFUSED: ask the organiser for a new enrolment code"
    assert strip.labels["network"].property("state") == "refused"


def test_a_refused_list_is_red_and_says_since_when_in_the_events_time(qtbot: QtBot) -> None:
    strip = StatusStrip()
    qtbot.addWidget(strip)
    pulled = datetime(2026, 11, 24, 12, 42, tzinfo=UTC)  # 19:42 in Jakarta
    strip.show_status(
        status(
            trust_problem="an old manifest page, replayed (rollback)",
            manifest_pulled_at=pulled,
            timezone="Asia/Jakarta",
        )
    )
    assert strip.text("trust") == (
        "✖ LIST NOT UPDATED SINCE 19:42 WIB: the server's answer failed its check"
    )
    assert strip.labels["trust"].property("state") == "stale"
    strip.show_status(status(manifest_pulled_at=pulled, timezone="Asia/Jakarta"))
    assert strip.text("trust") == "⚠ list not updated since 19:42 WIB"  # old, not tampered
    strip.show_status(status(manifest_age_seconds=60.0))
    assert strip.labels["trust"].isHidden()
