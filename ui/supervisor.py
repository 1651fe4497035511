"""The supervisor panel, behind a PIN: mode, event, gate, override, counts, sync, exit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scanner.checkpoint import Mode, preset
from scanner.decode import BACKENDS
from scanner.supervisor import PinLockedError, SupervisorPin
from ui.bridge import KioskBridge


def tr(text: str) -> str:
    return QCoreApplication.translate("Supervisor", text)


class PinDialog(QDialog):
    """Asks for the PIN; checks it on a worker (scrypt is deliberately slow)."""

    unlocked = Signal()

    def __init__(self, pin: SupervisorPin, bridge: KioskBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.pin = pin
        self.bridge = bridge
        self.setWindowTitle(tr("Supervisor"))
        layout = QVBoxLayout(self)
        self.entry = QLineEdit(self)
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setPlaceholderText(tr("Supervisor PIN"))
        self.message = QLabel("", self)
        self.ok = QPushButton(tr("Unlock"), self)
        layout.addWidget(self.entry)
        layout.addWidget(self.message)
        layout.addWidget(self.ok)
        self.ok.clicked.connect(self.try_pin)
        self.entry.returnPressed.connect(self.try_pin)
        bridge.actionDone.connect(self._checked)

    def try_pin(self) -> None:
        pin = self.entry.text()
        self.entry.clear()
        self.ok.setEnabled(False)
        self.bridge.run("pin", lambda: self.pin.check(pin, datetime.now(UTC)))

    def _checked(self, name: str, result: object) -> None:
        if name != "pin":
            return
        self.ok.setEnabled(True)
        if isinstance(result, PinLockedError):
            self.message.setText(
                tr("Locked after too many wrong PINs; try again at {time}").format(
                    time=result.until.astimezone().strftime("%H:%M")
                )
            )
        elif isinstance(result, Exception):
            self.message.setText(str(result))
        elif getattr(result, "ok", False):
            self.message.setText("")
            self.unlocked.emit()
            self.accept()
        else:
            self.message.setText(
                tr("Wrong PIN; {n} tries left").format(n=getattr(result, "attempts_left", 0))
            )


class SupervisorPanel(QDialog):
    leaveKiosk = Signal()

    def __init__(
        self,
        bridge: KioskBridge,
        *,
        supervisor_id: str = "supervisor",
        set_decoder: Callable[[str], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.supervisor_id = supervisor_id
        self.setWindowTitle(tr("Supervisor"))
        form = QFormLayout()
        self.mode = QComboBox(self)
        for mode in Mode:
            self.mode.addItem(tr(mode.value.upper()), mode.value)
        self.mode.setCurrentIndex(list(Mode).index(bridge.gate.checkpoint.mode))
        self.gate_name = QLineEdit(bridge.gate.gate_name, self)
        self.events = QLineEdit(", ".join(map(str, sorted(bridge.gate.event_ids))), self)
        self.decoder = QComboBox(self)
        self.decoder.addItems(list(BACKENDS))
        self.decoder.setCurrentText(bridge.pipeline.decoder.name)
        self.camera = QLineEdit(self)
        self.camera.setPlaceholderText(tr("camera index, /dev/videoN, video file or folder"))
        self.server_url = QLineEdit(self)
        self.server_url.setPlaceholderText("http://10.0.0.5:8645")
        self.enrol_code = QLineEdit(self)
        self.enrol_code.setPlaceholderText(tr("one-time enrolment code"))
        self.enrol = QPushButton(tr("Enrol"), self)
        form.addRow(tr("Mode"), self.mode)
        form.addRow(tr("Gate name"), self.gate_name)
        form.addRow(tr("Event ids"), self.events)
        form.addRow(tr("Decoder"), self.decoder)
        form.addRow(tr("Camera"), self.camera)
        enrol_row = QHBoxLayout()
        enrol_row.addWidget(self.server_url)
        enrol_row.addWidget(self.enrol_code)
        enrol_row.addWidget(self.enrol)
        form.addRow(tr("Sync server"), enrol_row)
        self.apply = QPushButton(tr("Apply"), self)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(tr("Reason for letting this guest in"))
        self.override = QPushButton(tr("Override last rejection"), self)
        self.counts = QLabel(self)
        self.sync_now = QPushButton(tr("Sync now"), self)
        self.leave = QPushButton(tr("Leave kiosk mode"), self)
        self.message = QLabel("", self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.apply)
        override_row = QHBoxLayout()
        override_row.addWidget(self.reason)
        override_row.addWidget(self.override)
        layout.addLayout(override_row)
        layout.addWidget(self.counts)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_now)
        buttons.addWidget(self.leave)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.apply.clicked.connect(self._apply)
        self.override.clicked.connect(self._override)
        self.sync_now.clicked.connect(bridge.sync_now)
        self.enrol.clicked.connect(self._enrol)
        self.leave.clicked.connect(self.leaveKiosk.emit)
        bridge.actionDone.connect(self._done)
        self._set_decoder = set_decoder
        bridge.run("counts", bridge.gate.store.counts_by_verdict)

    def _apply(self) -> None:
        mode = Mode(self.mode.currentData())
        gate = self.bridge.gate
        checkpoint = preset(
            mode,
            allow_reentry=gate.checkpoint.allow_entry_after_exit if mode is Mode.ENTRY else False,
        )
        name = self.gate_name.text().strip() or gate.gate_name
        try:
            events = {int(e) for e in self.events.text().replace(",", " ").split()}
        except ValueError:
            self.message.setText(tr("Event ids are numbers, separated by commas"))
            return

        def action() -> str:
            gate.rename(name, actor=self.supervisor_id, now=datetime.now(UTC))
            if events != set(gate.event_ids):
                gate.set_events(events, actor=self.supervisor_id, now=datetime.now(UTC))
            gate.set_checkpoint(checkpoint, actor=self.supervisor_id, now=datetime.now(UTC))
            return str(mode)

        if self._set_decoder is not None:
            self._set_decoder(self.decoder.currentText())
        if self.camera.text().strip():
            self.bridge.change_source(self.camera.text().strip())
        self.bridge.run("apply", action)

    def _enrol(self) -> None:
        url, code = self.server_url.text().strip(), self.enrol_code.text().strip()
        if not url or not code:
            self.message.setText(tr("Type the server address and the enrolment code"))
            return
        self.bridge.enrol(url, code)

    def _override(self) -> None:
        verdict = self.bridge.last_verdict
        reason = self.reason.text().strip()
        if verdict is None or verdict.positive:
            self.message.setText(tr("There is no rejection to override"))
            return
        if not reason:
            self.message.setText(tr("Type the reason first"))
            return
        self.bridge.override(verdict, self.supervisor_id, reason)

    def _done(self, name: str, result: object) -> None:
        if name == "counts" and isinstance(result, dict):
            self.counts.setText(" · ".join(f"{k}: {v}" for k, v in sorted(result.items())))
        elif name in ("apply", "override", "sync", "enrol", "camera"):
            if isinstance(result, Exception):
                self.message.setText(tr("Failed: {error}").format(error=result))
            else:
                self.message.setText(tr("Done: {action}").format(action=name))
                self.bridge.run("counts", self.bridge.gate.store.counts_by_verdict)
