"""The kiosk window: preview, verdict, typed input and the status strip.

Sized from the screen it is on: text scales with the screen's height (24 px on
a 1080-line screen) and on a small screen the preview gives the verdict the
room.  Key presses go through :class:`~ui.scanner_keys.ScannerKeys`, which
sends a hand scanner's code to the gate wherever the focus is.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
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
from ui.presentation import enrolment_view, incomplete_scan_view, ready_view, view_of
from ui.preview import CameraPreview
from ui.scanner_keys import DEFAULT_IDLE_MS, ScannerKeys
from ui.sounds import SoundPlayer
from ui.status_strip import StatusStrip
from ui.supervisor import PinDialog, SupervisorPanel
from ui.verdict_panel import VerdictPanel

READY_AFTER_MS = 3000
MAX_MANUAL_CODE = 1000
"""Longer than any AdmitOne code; the gate answers ``too_long`` beyond its own limit."""


def tr(text: str) -> str:
    return QCoreApplication.translate("Kiosk", text)


def text_px(height: int, at_1080: int) -> int:
    """A text size that is ``at_1080`` pixels on a 1080-line screen, in proportion
    elsewhere, never below what a person reads at arm's length."""
    return max(13, round(at_1080 * height / 1080))


def apply_font(root: QWidget, font: QFont) -> None:
    """``font`` on ``root`` and every widget in it.  Set on each: with the kiosk's
    style sheet, Qt does not pass a parent's font down to buttons and fields."""
    for widget in [root, *root.findChildren(QWidget)]:
        widget.setFont(font)


class KioskWindow(QMainWindow):
    def __init__(
        self,
        bridge: KioskBridge,
        pin: SupervisorPin,
        *,
        sounds: SoundPlayer | None = None,
        ready_after_ms: int = READY_AFTER_MS,
        scan_idle_ms: int = DEFAULT_IDLE_MS,
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
        self.manual.setMaxLength(MAX_MANUAL_CODE)
        self.supervisor_button = QPushButton(tr("Supervisor"), self)
        self.supervisor_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        self.top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.top.addWidget(self.preview, 2)
        self.top.addWidget(self.verdict, 3)
        layout.addLayout(self.top, 1)
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
        self.keys = ScannerKeys(self._owns, idle_ms=scan_idle_ms, parent=self)
        self.keys.scanned.connect(self.submit_scanned)
        self.keys.incomplete.connect(self.show_incomplete)
        self.keys.attach()
        self.pin_dialog = PinDialog(pin, bridge, self)
        self.pin_dialog.unlocked.connect(self.show_panel)
        self.panel: SupervisorPanel | None = None
        self._text_px = 0

        if bridge.pipeline.source is None:
            self.preview.show_message(tr("No camera: scan with the hand scanner or type the code"))
        bridge.verdictReady.connect(self.on_verdict)
        bridge.frameReady.connect(self.preview.show_frame)
        bridge.cameraChanged.connect(self.on_camera)
        bridge.statusChanged.connect(self.status.show_status)
        bridge.enrolmentRead.connect(self.on_enrolment_code)
        bridge.actionDone.connect(self._action_done)
        self._offered_enrolment: tuple[str, str] | None = None
        self.manual.returnPressed.connect(self.submit_manual)
        self.supervisor_button.clicked.connect(self.open_supervisor)

    def _owns(self, widget: QWidget) -> bool:
        """Key presses ScannerKeys looks at: this window's and its dialogs'."""
        top = widget.window()
        return top is self or top.parentWidget() is self

    # --- size ---------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_to(event.size().width(), event.size().height())

    def fit_to(self, width: int, height: int) -> None:
        """Scale text with the window and stack preview over verdict on a portrait screen."""
        px = text_px(height, 24)
        if px != self._text_px:
            self._text_px = px
            self.status.set_text_px(px)
            apply_font(self.manual, self.chrome_font())
            apply_font(self.supervisor_button, self.chrome_font())
            apply_font(self.pin_dialog, self.chrome_font())
        self.top.setDirection(
            QBoxLayout.Direction.TopToBottom if width < height else QBoxLayout.Direction.LeftToRight
        )

    def chrome_font(self) -> QFont:
        """Buttons, fields and dialogs: 22 px on a 1080-line screen."""
        font = QFont(self.font())
        font.setPixelSize(text_px(self.height(), 22))
        return font

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

    def show_incomplete(self) -> None:
        view = incomplete_scan_view()
        self.verdict.show_view(view)
        if view.tone is not None:
            self.sounds.play(view.tone)
        self.ready_timer.start()

    def on_camera(self, event: CameraStateEvent) -> None:
        if event.state is CameraState.FAILED:
            self.preview.show_message(
                tr("CAMERA PROBLEM: check that it is plugged in. Retrying…")
                + "\n"
                + tr("Hand scanner and typed codes still work.")
            )
        elif event.state is CameraState.RUNNING:
            self.preview.show_message("")

    # --- typed input ---------------------------------------------------------------------------

    def submit_scanned(self, code: str) -> None:
        """A hand scanner's code, from wherever the focus was."""
        self.bridge.submit_text(code, InputSource.WEDGE)

    def submit_manual(self) -> None:
        code = self.manual.text().strip()
        self.manual.clear()
        if code:
            self.bridge.submit_text(code, InputSource.MANUAL)
        self.setFocus()  # back to catching the hand scanner

    # --- enrolment by QR code -------------------------------------------------------------------

    def on_enrolment_code(self, server: str, code: str, problem: str) -> None:
        """An enrolment QR code from the console, at the camera (or a hand scanner).

        A kiosk not yet enrolled enrols at once: nothing on it can be lost.  An enrolled
        kiosk changes server only through the supervisor panel (behind the PIN): the
        code is offered there, so no passer-by can move a gate to another server."""
        self.ready_timer.stop()
        if problem:
            self.verdict.show_view(enrolment_view(tr("ENROLMENT CODE"), problem, problem=True))
            self.ready_timer.start()
            return
        if self.panel is not None:
            self.panel.offer_enrolment(server, code)
            return
        if not self.bridge.enrolled:
            self.verdict.show_view(
                enrolment_view(tr("ENROLLING"), tr("With {server}…").format(server=server))
            )
            self.bridge.enrol(server, code)
            return
        self._offered_enrolment = (server, code)
        self.verdict.show_view(
            enrolment_view(
                tr("ENROLMENT CODE"),
                tr("This kiosk is enrolled: a supervisor enrols it again from the panel"),
            )
        )
        self.ready_timer.start()

    def _action_done(self, name: str, result: object) -> None:
        if name != "enrol" or self.panel is not None:
            return  # the panel reports its own actions
        if isinstance(result, Exception):
            view = enrolment_view(
                tr("NOT ENROLLED"), tr("Failed: {error}").format(error=result), problem=True
            )
        else:
            view = enrolment_view(tr("ENROLLED"), tr("Gate: {gate}").format(gate=result))
        self.verdict.show_view(view)
        self.ready_timer.start()

    # --- supervisor ------------------------------------------------------------------------------

    def open_supervisor(self) -> None:
        """The PIN first; a panel already open is brought to the front instead."""
        if self.panel is not None:
            self.panel.raise_()
            self.panel.activateWindow()
            return
        self.pin_dialog.open_for_pin()
        self._place_pin_pad()

    def show_panel(self) -> SupervisorPanel:
        if self.panel is not None:
            self.panel.raise_()
            return self.panel
        panel = SupervisorPanel(
            self.bridge,
            rejection=self.bridge.last_rejection,
            set_decoder=self._set_decoder,
            parent=self,
        )
        if self._offered_enrolment is not None:
            panel.offer_enrolment(*self._offered_enrolment)
            self._offered_enrolment = None
        panel.leaveKiosk.connect(self.leave_kiosk_mode)
        panel.quitKiosk.connect(self.close)
        panel.destroyed.connect(self._panel_gone)
        panel.finished.connect(self._panel_gone)
        self.panel = panel
        apply_font(panel, self.chrome_font())
        self._place(panel, 0.94, fill=True)
        panel.show()
        return panel

    def _place_pin_pad(self) -> None:
        """A pad big enough for fingers, centred on the kiosk (after it is shown: a
        window manager places a new window where it likes)."""
        area = self.geometry()
        width = min(int(area.width() * 0.6), max(self.pin_dialog.sizeHint().width(), 520))
        height = min(int(area.height() * 0.9), max(self.pin_dialog.sizeHint().height(), 600))
        self.pin_dialog.resize(width, height)
        self.pin_dialog.move(area.center().x() - width // 2, area.center().y() - height // 2)

    def _panel_gone(self, *_: object) -> None:
        self.panel = None
        self.setFocus()

    def _place(self, widget: QWidget, share: float, *, fill: bool = False) -> None:
        """Size ``widget`` to at most a share of the kiosk (of the screen, for the kiosk
        itself; all of that share with ``fill``), centred, so no part is ever off it."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if widget is self else self.geometry()
        width, height = int(area.width() * share), int(area.height() * share)
        if not fill:
            width = min(width, max(widget.sizeHint().width(), 720))
            height = min(height, max(widget.sizeHint().height(), 480))
        widget.resize(width, height)
        widget.move(area.center().x() - width // 2, area.center().y() - height // 2)

    def _set_decoder(self, name: str) -> None:
        if name != self.bridge.pipeline.decoder.name:
            self.bridge.pipeline.decoder = make_decoder(name)

    def show_full_screen(self) -> None:
        """Full screen with or without a window manager.  Qt asks the window manager
        for it (``_NET_WM_STATE_FULLSCREEN``); with none, as on a bare X session at a
        gate, the window stayed at its default size, so the geometry is set too."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        self.setGeometry(screen.geometry())
        self.showFullScreen()

    def show_windowed(self) -> None:
        """An ordinary window, most of the screen, centred (the demo, a laptop)."""
        self._place(self, 0.85, fill=True)
        self.show()

    def leave_kiosk_mode(self) -> None:
        """Out of full screen into an ordinary window that lies wholly on the screen."""
        self.showNormal()
        self._place(self, 0.85, fill=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.keys.detach()
        if self.panel is not None:
            self.panel.close()
        self.pin_dialog.close()
        super().closeEvent(event)
