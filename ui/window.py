"""The kiosk window: preview, verdict, typed input and the status strip."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scanner.decode import make_decoder
from scanner.pipeline import CameraState, CameraStateEvent, InputSource, VerdictEvent
from scanner.supervisor import SupervisorPin
from ui.bridge import KioskBridge
from ui.presentation import ready_view, view_of
from ui.preview import CameraPreview
from ui.sounds import SoundPlayer
from ui.status_strip import StatusStrip
from ui.supervisor import PinDialog, SupervisorPanel
from ui.verdict_panel import VerdictPanel

READY_AFTER_MS = 3000


def tr(text: str) -> str:
    return QCoreApplication.translate("Kiosk", text)


class KioskWindow(QMainWindow):
    def __init__(
        self,
        bridge: KioskBridge,
        pin: SupervisorPin,
        *,
        sounds: SoundPlayer | None = None,
        ready_after_ms: int = READY_AFTER_MS,
    ) -> None:
        super().__init__()
        self.bridge = bridge
        self.pin = pin
        self.sounds = sounds or SoundPlayer(self)
        self.setWindowTitle("AdmitOne")
        self.preview = CameraPreview(self)
        self.verdict = VerdictPanel(self)
        self.status = StatusStrip(self)
        self.manual = QLineEdit(self)
        self.manual.setPlaceholderText(tr("Type a ticket code and press Enter"))
        self.manual.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.supervisor_button = QPushButton(tr("Supervisor"), self)
        self.supervisor_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        top = QHBoxLayout()
        top.addWidget(self.preview, 2)
        top.addWidget(self.verdict, 3)
        layout.addLayout(top, 1)
        entry = QHBoxLayout()
        entry.addWidget(self.manual, 1)
        entry.addWidget(self.supervisor_button)
        layout.addLayout(entry)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.ready_timer = QTimer(self)
        self.ready_timer.setSingleShot(True)
        self.ready_timer.setInterval(ready_after_ms)
        self.ready_timer.timeout.connect(self.show_ready)
        self._wedge = ""
        self.panel: SupervisorPanel | None = None

        bridge.verdictReady.connect(self.on_verdict)
        bridge.frameReady.connect(self.preview.show_frame)
        bridge.cameraChanged.connect(self.on_camera)
        bridge.statusChanged.connect(self.status.show_status)
        self.manual.returnPressed.connect(self.submit_manual)
        self.supervisor_button.clicked.connect(self.open_supervisor)

    # --- verdicts ---------------------------------------------------------------------------

    def on_verdict(self, event: VerdictEvent) -> None:
        if event.verdict.repeat:
            if self.ready_timer.isActive():
                self.ready_timer.start()  # the same guest is still there: keep it up
            return
        view = view_of(event.verdict)
        self.verdict.show_view(view)
        if view.tone is not None:
            self.sounds.play(view.tone)
        self.ready_timer.start()

    def show_ready(self) -> None:
        self.verdict.show_view(ready_view())

    def on_camera(self, event: CameraStateEvent) -> None:
        if event.state is CameraState.FAILED:
            self.preview.show_message(
                tr("Camera problem: {message}. Retrying…").format(message=event.message)
            )
        elif event.state is CameraState.RUNNING:
            self.preview.show_message("")

    # --- typed input ---------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Hand scanners type the code and press Enter: caught here, no click needed."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code, self._wedge = self._wedge, ""
            if code:
                self.bridge.submit_text(code, InputSource.WEDGE)
            return
        if event.text() and event.text().isprintable():
            self._wedge += event.text()
            return
        super().keyPressEvent(event)

    def submit_manual(self) -> None:
        code = self.manual.text().strip()
        self.manual.clear()
        if code:
            self.bridge.submit_text(code, InputSource.MANUAL)
        self.setFocus()  # back to catching the hand scanner

    # --- supervisor ------------------------------------------------------------------------------

    def open_supervisor(self) -> PinDialog:
        dialog = PinDialog(self.pin, self.bridge, self)
        dialog.unlocked.connect(self.show_panel)
        dialog.show()
        return dialog

    def show_panel(self) -> SupervisorPanel:
        self.panel = SupervisorPanel(self.bridge, set_decoder=self._set_decoder, parent=self)
        self.panel.leaveKiosk.connect(self.leave_kiosk_mode)
        self.panel.show()
        return self.panel

    def _set_decoder(self, name: str) -> None:
        if name != self.bridge.pipeline.decoder.name:
            self.bridge.pipeline.decoder = make_decoder(name)

    def leave_kiosk_mode(self) -> None:
        self.showNormal()
        if self.panel is not None:
            self.panel.close()
