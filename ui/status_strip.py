"""The always-visible status strip: network, camera, mode, gate, event, sync, counts, clock.

Read from two metres: the text scales with the screen (24 px on a 1080-line
screen), network and camera carry a symbol and a colour, and on a small screen
the items wrap onto a second row rather than being cut.  Any time of day shown
is in the event's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

from scanner.pipeline import CameraState
from ui.bridge import KioskStatus
from ui.flow_layout import FlowLayout


def tr(text: str) -> str:
    return QCoreApplication.translate("Status", text)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return tr("never")
    if seconds < 90:
        return tr("{n} s").format(n=int(seconds))
    if seconds < 5400:
        return tr("{n} min").format(n=int(seconds // 60))
    return tr("{n} h").format(n=int(seconds // 3600))


ITEMS = (
    "network",
    "camera",
    "mode",
    "gate",
    "event",
    "sync",
    "pending",
    "manifest",
    "admitted",
    "clock",
    "quarantine",
    "trust",
    "insecure",
)

STALE_AFTER_SECONDS = 30 * 60
"""A list older than this while enrolled is worth a warning: revocations may be missing."""


class StatusStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Held by the strip, not just by Qt: a Python-derived layout whose wrapper only Qt
        # owned was sometimes collected, and Qt then called its overrides on a new,
        # empty wrapper ("'FlowLayout' object has no attribute '_items'").
        self._layout = layout = FlowLayout(self, spacing=6)
        layout.setContentsMargins(8, 4, 8, 4)
        self.labels: dict[str, QLabel] = {}
        for name in ITEMS:
            label = QLabel(self)
            label.setObjectName(f"status_{name}")
            layout.addWidget(label)
            self.labels[name] = label
        self.status: KioskStatus | None = None
        self._pixels = 15
        self.set_text_px(15)

    def text(self, name: str) -> str:
        return self.labels[name].text()

    def set_text_px(self, pixels: int) -> None:
        """The strip's text size; the window sets it from the screen's height."""
        self._pixels = pixels
        for label in self.labels.values():
            self._restyle(label)
        self.updateGeometry()

    def _restyle(self, label: QLabel) -> None:
        """Size and weight are set here, not in the style sheet (which would override a
        size set in code): bold for anything but the calm states."""
        font = QFont(self.font())
        font.setPixelSize(self._pixels)
        font.setBold(label.property("state") not in (None, "ok"))
        label.setFont(font)

    def show_status(self, status: KioskStatus) -> None:
        self.status = status
        now = datetime.now(UTC)
        self._set("mode", tr("Mode: {mode}").format(mode=tr(status.mode.upper())))
        self._set("gate", tr("Gate: {gate}").format(gate=status.gate))
        self._set("event", tr("Event: {events}").format(events=status.events or "-"))
        if not status.enrolled:
            network, state = tr("⚠ NOT ENROLLED"), "offline"
        elif status.refused:
            # Scanning goes on offline; only the server has stopped trusting this kiosk.
            network = tr("✖ SYNC REFUSED: ask the organiser for a new enrolment code")
            state = "refused"
        elif status.online:
            network, state = tr("✔ ONLINE"), "online"
        else:
            network, state = tr("⚠ OFFLINE"), "offline"
        self._set("network", network, state)
        last = (now - status.last_sync).total_seconds() if status.last_sync else None
        self._set("sync", tr("Last sync: {age}").format(age=_age(last)))
        self._set("pending", tr("Pending: {n}").format(n=status.pending_uploads))
        self._set("manifest", tr("List age: {age}").format(age=_age(status.manifest_age_seconds)))
        self._set("admitted", tr("Admitted: {n}").format(n=status.admitted))
        camera, camera_state = {
            CameraState.RUNNING: (tr("✔ camera OK"), "ok"),
            CameraState.FAILED: (tr("✖ CAMERA FAILED: check the cable"), "failed"),
            CameraState.STARTING: (tr("camera starting"), "ok"),
            CameraState.ENDED: (tr("video ended"), "ok"),
            CameraState.STOPPED: (tr("no camera: use the hand scanner"), "ok"),
        }[status.camera]
        self._set("camera", camera, camera_state)
        if status.skew_warning and status.skew_seconds is not None:
            self._set("clock", tr("⚠ CLOCK OFF BY {n} s").format(n=f"{status.skew_seconds:+.0f}"))
        else:
            self._set("clock", "")
        self._show_trust(status, now)
        self._set(
            "insecure",
            tr("⚠ UNENCRYPTED SYNC: closed LAN only") if status.insecure else "",
            "alarm",
        )
        if status.quarantined:
            self._set(
                "quarantine",
                tr("⚠ {n} records cannot be uploaded: tell the organiser").format(
                    n=status.quarantined
                ),
                "alarm",
            )
        else:
            self._set("quarantine", "")

    def _show_trust(self, status: KioskStatus, now: datetime) -> None:
        """A refused manifest page is red: someone may be tampering.  A list merely old
        (no network) is amber.  Either way the kiosk scans on with the list it has."""
        since = (
            status.manifest_pulled_at.astimezone(ZoneInfo(status.timezone)).strftime("%H:%M %Z")
            if status.manifest_pulled_at
            else tr("never")
        )
        if status.trust_problem:
            self._set(
                "trust",
                tr("✖ LIST NOT UPDATED SINCE {time}: the server's answer failed its check").format(
                    time=since
                ),
                "stale",
            )
        elif (
            status.enrolled
            and status.manifest_age_seconds is not None
            and status.manifest_age_seconds > STALE_AFTER_SECONDS
        ):
            self._set("trust", tr("⚠ list not updated since {time}").format(time=since), "old")
        else:
            self._set("trust", "")

    def _set(self, name: str, text: str, state: str | None = None) -> None:
        label = self.labels[name]
        if state is not None and label.property("state") != state:
            label.setProperty("state", state)
            label.style().unpolish(label)
            label.style().polish(label)
            self._restyle(label)
        if label.text() != text or label.isHidden() != (not text):
            label.setText(text)
            label.setHidden(not text)
            self.updateGeometry()
