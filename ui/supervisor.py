"""The supervisor's screens, behind a PIN: the PIN pad and the panel.

One PIN dialog lives as long as the kiosk window and is cleared each time it
opens; the panel is made when the PIN is right and freed when it closes, so one
PIN opens exactly one panel.  Neither ever eats a scan: the window's
:class:`~ui.scanner_keys.ScannerKeys` sends a hand scanner's code to the gate
whichever field has the focus.

The panel holds on to the rejection it was opened for: what it shows (verdict,
ticket, seat, holder, time, ticket id) is what an override admits, whatever the
camera reads meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from scanner.checkpoint import Mode, preset
from scanner.decode import BACKENDS
from scanner.limits import MAX_GATE_NAME, MAX_OVERRIDE_REASON
from scanner.supervisor import PinLockedError, SupervisorPin
from scanner.verdict import Verdict
from ui.bridge import KioskBridge
from ui.presentation import counts_text, view_of


def tr(text: str) -> str:
    return QCoreApplication.translate("Supervisor", text)


def decoder_names() -> dict[str, str]:
    return {
        "layered": tr("all decoders (recommended)"),
        "zxing": tr("ZXing only"),
        "zbar": tr("ZBar only"),
        "opencv": tr("OpenCV only"),
        "wechat": tr("WeChat (OpenCV) only"),
    }


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M %Z")


class PinDialog(QDialog):
    """Asks for the PIN, by keyboard or on-screen pad; checks it on a worker (scrypt is
    deliberately slow)."""

    unlocked = Signal()

    def __init__(self, pin: SupervisorPin, bridge: KioskBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.pin = pin
        self.bridge = bridge
        self.setWindowTitle(tr("Supervisor"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.entry = QLineEdit(self)
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setPlaceholderText(tr("Supervisor PIN"))
        self.entry.setMaxLength(12)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        layout.addWidget(self.entry)
        pad = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for index, label in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0"]):
            button = QPushButton(label, self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumSize(72, 56)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, key=label: self._pad(key))
            pad.addWidget(button, index // 3, index % 3)
            self.keys[label] = button
        self.ok = QPushButton(tr("Unlock"), self)
        self.ok.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ok.setMinimumSize(72, 56)
        self.ok.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        pad.addWidget(self.ok, 3, 2)
        layout.addLayout(pad, 1)
        layout.addWidget(self.message)
        self.cancel = QPushButton(tr("Back to the kiosk"), self)
        self.cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.cancel)
        self.ok.clicked.connect(self.try_pin)
        self.cancel.clicked.connect(self.reject)
        self.entry.returnPressed.connect(self.try_pin)
        bridge.actionDone.connect(self._checked)
        self._checking = False

    def open_for_pin(self) -> None:
        """Show it afresh: no digits and no message from last time."""
        self.entry.clear()
        self.message.setText("")
        self.ok.setEnabled(True)
        self.show()
        self.raise_()
        self.activateWindow()
        self.entry.setFocus()

    def _pad(self, key: str) -> None:
        if key == "⌫":
            self.entry.backspace()
        elif len(self.entry.text()) < self.entry.maxLength():
            self.entry.insert(key)

    def try_pin(self) -> None:
        if self._checking or not self.entry.text():
            return
        pin = self.entry.text()
        self.entry.clear()
        self.ok.setEnabled(False)
        self._checking = True
        self.bridge.run("pin", lambda: self.pin.check(pin, datetime.now(UTC)))

    def _checked(self, name: str, result: object) -> None:
        if name != "pin":
            return
        self._checking = False
        self.ok.setEnabled(True)
        if isinstance(result, PinLockedError):
            self.message.setText(
                tr("Locked after too many wrong PINs; try again at {time}").format(
                    time=_local(result.until, self.bridge.timezone)
                )
            )
        elif isinstance(result, Exception):
            self.message.setText(tr("No supervisor PIN is set: run 'admitone kiosk set-pin'"))
        elif getattr(result, "ok", False):
            self.message.setText("")
            if self.isVisible():
                self.accept()
                self.unlocked.emit()
        else:
            self.message.setText(
                tr("Wrong PIN; {n} tries left").format(n=getattr(result, "attempts_left", 0))
            )


class SupervisorPanel(QDialog):
    """Mode, gate, events, decoder, camera, enrolment, override, counts, sync, quit."""

    leaveKiosk = Signal()
    quitKiosk = Signal()

    def __init__(
        self,
        bridge: KioskBridge,
        *,
        rejection: Verdict | None,
        supervisor_id: str = "supervisor",
        set_decoder: Callable[[str], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(True)
        self.bridge = bridge
        self.supervisor_id = supervisor_id
        self.rejection = rejection
        """Held from the moment the panel opened: the one ticket an override admits."""
        self.override_result: Verdict | None = None
        self._set_decoder = set_decoder
        self.setWindowTitle(tr("Supervisor"))

        content = QWidget()
        columns = QHBoxLayout(content)
        columns.addWidget(self._override_box(), 1)
        columns.addWidget(self._settings_box(), 1)
        scroll = QScrollArea(self)
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.counts = QLabel(self)
        self.counts.setWordWrap(True)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.sync_now = QPushButton(tr("Sync now"), self)
        self.leave = QPushButton(tr("Leave full screen"), self)
        self.quit = QPushButton(tr("Quit AdmitOne"), self)
        self.close_button = QPushButton(tr("Close: back to the kiosk"), self)
        self.close_button.setObjectName("close_panel")
        buttons = QHBoxLayout()
        for button in (self.sync_now, self.leave, self.quit, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.counts)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.sync_now.clicked.connect(bridge.sync_now)
        self.leave.clicked.connect(self.leaveKiosk.emit)
        self.quit.clicked.connect(self.quitKiosk.emit)
        self.close_button.clicked.connect(self.close)
        bridge.actionDone.connect(self._done)
        bridge.run("counts", bridge.gate.store.counts_by_verdict)

    # --- building ---------------------------------------------------------------------

    def _override_box(self) -> QGroupBox:
        box = QGroupBox(tr("Override a rejection"), self)
        layout = QVBoxLayout(box)
        self.held = QLabel(box)
        self.held.setObjectName("held_rejection")
        self.held.setWordWrap(True)
        self.held.setTextFormat(Qt.TextFormat.PlainText)
        self.held.setText(self._describe(self.rejection))
        self.reason = QLineEdit(box)
        self.reason.setPlaceholderText(tr("Reason for letting this guest in"))
        self.reason.setMaxLength(MAX_OVERRIDE_REASON)
        self.override = QPushButton(tr("Override: let this guest in"), box)
        self.override.setAutoDefault(False)
        self.override.setEnabled(self.rejection is not None)
        self.reason.setEnabled(self.rejection is not None)
        self.outcome = QLabel("", box)
        self.outcome.setObjectName("override_result")
        self.outcome.setWordWrap(True)
        layout.addWidget(self.held)
        layout.addWidget(self.reason)
        layout.addWidget(self.override)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        self.override.clicked.connect(self._override)
        return box

    def _settings_box(self) -> QGroupBox:
        bridge = self.bridge
        box = QGroupBox(tr("This gate"), self)
        form = QFormLayout(box)
        self.mode = QComboBox(box)
        for mode in Mode:
            self.mode.addItem(tr(mode.value.upper()), mode.value)
        self.mode.setCurrentIndex(list(Mode).index(bridge.gate.checkpoint.mode))
        self.gate_name = QLineEdit(bridge.gate.gate_name, box)
        self.gate_name.setMaxLength(MAX_GATE_NAME)
        self.events = QLineEdit(", ".join(map(str, sorted(bridge.gate.event_ids))), box)
        self.events.setMaxLength(200)
        self.decoder = QComboBox(box)
        for name in BACKENDS:
            self.decoder.addItem(decoder_names().get(name, name), name)
        self.decoder.setCurrentIndex(max(0, self.decoder.findData(bridge.pipeline.decoder.name)))
        self.camera = QLineEdit(box)
        self.camera.setPlaceholderText(tr("camera number, video file or folder"))
        self.camera.setMaxLength(1000)
        self.apply = QPushButton(tr("Apply"), box)
        self.apply.setAutoDefault(False)
        self.server_url = QLineEdit(box)
        self.server_url.setPlaceholderText(tr("server address"))
        self.server_url.setMaxLength(500)
        self.enrol_code = QLineEdit(box)
        self.enrol_code.setMaxLength(64)
        self.enrol_code.setPlaceholderText(tr("one-time enrolment code"))
        self.enrol = QPushButton(tr("Enrol"), box)
        self.enrol.setAutoDefault(False)
        form.addRow(tr("Mode"), self.mode)
        form.addRow(tr("Gate name"), self.gate_name)
        form.addRow(tr("Event numbers"), self.events)
        form.addRow(tr("Decoder"), self.decoder)
        form.addRow(tr("Camera"), self.camera)
        form.addRow("", self.apply)
        form.addRow(tr("Sync server"), self.server_url)
        form.addRow(tr("Enrolment code"), self.enrol_code)
        form.addRow("", self.enrol)
        self.apply.clicked.connect(self._apply)
        self.enrol.clicked.connect(self._enrol)
        return box

    def _describe(self, verdict: Verdict | None) -> str:
        if verdict is None:
            return tr("No rejection to override.")
        view = view_of(verdict)
        lines = [view.title]
        if view.detail:
            lines.append(view.detail)
        lines.append(
            tr("scanned at {time}").format(time=_local(verdict.scanned_at, verdict.timezone))
        )
        if verdict.ticket_id:
            lines.append(tr("ticket {id}").format(id=verdict.ticket_id))
        return "\n".join(lines)

    # --- actions ------------------------------------------------------------------------

    def _apply(self) -> None:
        mode = Mode(self.mode.currentData())
        gate = self.bridge.gate
        # The preset follows each ticket's own event's re-entry policy: a mode switch
        # never rewrites an event's rules.
        checkpoint = preset(mode)
        name = self.gate_name.text().strip() or gate.gate_name
        try:
            events = {int(e) for e in self.events.text().replace(",", " ").split()}
        except ValueError:
            self.message.setText(tr("Event numbers are numbers, separated by commas"))
            return

        def action() -> str:
            gate.rename(name, actor=self.supervisor_id, now=datetime.now(UTC))
            if events != set(gate.event_ids):
                gate.set_events(events, actor=self.supervisor_id, now=datetime.now(UTC))
            gate.set_checkpoint(checkpoint, actor=self.supervisor_id, now=datetime.now(UTC))
            return str(mode)

        if self._set_decoder is not None:
            self._set_decoder(str(self.decoder.currentData()))
        if self.camera.text().strip():
            self.bridge.change_source(self.camera.text().strip())
        self.bridge.run("apply", action)

    def offer_enrolment(self, server: str, code: str) -> None:
        """An enrolment QR code read while the panel is open: filled in, not yet used."""
        self.server_url.setText(server)
        self.enrol_code.setText(code)
        self.message.setText(tr("Enrolment code read: press Enrol to use it"))

    def _enrol(self) -> None:
        url, code = self.server_url.text().strip(), self.enrol_code.text().strip()
        if not url or not code:
            self.message.setText(tr("Type the server address and the enrolment code"))
            return
        self.bridge.enrol(url, code)

    def _override(self) -> None:
        reason = self.reason.text().strip()
        if self.rejection is None:
            self.message.setText(tr("There is no rejection to override"))
            return
        if not reason:
            self.message.setText(tr("Type the reason first"))
            return
        self.override.setEnabled(False)
        self.bridge.override(self.rejection, self.supervisor_id, reason)

    def _done(self, name: str, result: object) -> None:
        if name == "counts" and isinstance(result, dict):
            self.counts.setText(counts_text(result) or tr("No scans yet"))
            return
        if name not in ("apply", "override", "sync", "enrol", "camera"):
            return
        if isinstance(result, Exception):
            self.message.setText(tr("Failed: {error}").format(error=result))
            if name == "override":
                self.override.setEnabled(True)
            return
        if name == "override" and isinstance(result, Verdict):
            self.override_result = result
            view = view_of(result)
            self.outcome.setText(
                tr("Let in: {title}. {detail}").format(title=view.title, detail=view.detail)
            )
            self.reason.setEnabled(False)
        done = {
            "apply": tr("Settings applied"),
            "override": tr("Override recorded"),
            "sync": tr("Synced with the server"),
            "enrol": tr("Enrolled: this kiosk now syncs"),
            "camera": tr("Camera switched"),
        }
        self.message.setText(done[name])
        self.bridge.run("counts", self.bridge.gate.store.counts_by_verdict)
