"""The always-visible status strip: mode, gate, event, network, sync, counts, camera, clock."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from scanner.pipeline import CameraState
from ui.bridge import KioskStatus


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


class StatusStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.labels: dict[str, QLabel] = {}
        for name in (
            "mode",
            "gate",
            "event",
            "network",
            "sync",
            "pending",
            "manifest",
            "admitted",
            "camera",
            "clock",
        ):
            label = QLabel(self)
            label.setObjectName(f"status_{name}")
            layout.addWidget(label)
            self.labels[name] = label
        layout.addStretch(1)
        self.status: KioskStatus | None = None

    def text(self, name: str) -> str:
        return self.labels[name].text()

    def show_status(self, status: KioskStatus) -> None:
        self.status = status
        now = datetime.now(UTC)
        self.labels["mode"].setText(tr("Mode: {mode}").format(mode=tr(status.mode.upper())))
        self.labels["gate"].setText(tr("Gate: {gate}").format(gate=status.gate))
        self.labels["event"].setText(tr("Event: {events}").format(events=status.events or "-"))
        if not status.enrolled:
            network = tr("NOT ENROLLED")
        elif status.refused:
            # Scanning goes on offline; only the server has stopped trusting this kiosk.
            network = tr("SYNC REFUSED: ask the organiser for a new enrolment code")
        else:
            network = tr("ONLINE") if status.online else tr("OFFLINE")
        self.labels["network"].setText(network)
        self.labels["network"].setProperty(
            "state", "online" if status.online and not status.refused else "offline"
        )
        last = (now - status.last_sync).total_seconds() if status.last_sync else None
        self.labels["sync"].setText(tr("Last sync: {age}").format(age=_age(last)))
        self.labels["pending"].setText(tr("Pending: {n}").format(n=status.pending_uploads))
        self.labels["manifest"].setText(
            tr("List age: {age}").format(age=_age(status.manifest_age_seconds))
        )
        self.labels["admitted"].setText(tr("Admitted: {n}").format(n=status.admitted))
        camera = {
            CameraState.RUNNING: tr("camera OK"),
            CameraState.FAILED: tr("CAMERA FAILED"),
            CameraState.STARTING: tr("camera starting"),
            CameraState.ENDED: tr("video ended"),
            CameraState.STOPPED: tr("no camera"),
        }[status.camera]
        self.labels["camera"].setText(camera)
        if status.skew_warning and status.skew_seconds is not None:
            self.labels["clock"].setText(
                tr("CLOCK OFF BY {n} s").format(n=f"{status.skew_seconds:+.0f}")
            )
        else:
            self.labels["clock"].setText("")
