"""Telling a hand scanner's keystrokes from a person's, wherever the focus is.

A hand scanner "types" a whole code in a few milliseconds a character and ends
it with Enter (some models: Tab).  A person types a PIN or a reason at a
hundred milliseconds a key or slower.  :class:`ScannerKeys` watches every key
press aimed at the kiosk's windows (an application event filter) and:

- where no text field has the focus (the kiosk screen itself), collects every
  character as a code; Enter or Tab ends it, and a code left without either for
  ``idle_ms`` is dropped as an incomplete scan, so it never glues onto the next
  guest's code;
- where a text field has the focus (the PIN box, the override reason, the manual
  entry field), holds each key back for ``burst_gap_ms``.  A run of at least
  ``min_code_length`` characters, each within the gap of the one before, ended
  by Enter or Tab, is a scan and goes to the gate; the field never sees it.
  Anything slower is handed on to the field unchanged, in order.  A fast run
  that stops without Enter is an incomplete scan, not a PIN attempt.

So a scan never counts as a wrong PIN, never presses a dialog's default button,
and is never lost because a supervisor has a panel open.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
DEFAULT_IDLE_MS = 300
DEFAULT_BURST_GAP_MS = 40
DEFAULT_MIN_CODE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class _HeldKey:
    target: QWidget
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


def _typed(event: QKeyEvent) -> str:
    """The character a key press types, or "" (a control key, a shortcut)."""
    text = event.text()
    shortcut = event.modifiers() & (
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    return text if text and text.isprintable() and not shortcut else ""


def _is_text_field(widget: QObject | None) -> bool:
    return isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox)


class ScannerKeys(QObject):
    """Install with :meth:`attach`; ``scanned`` carries each complete code."""

    scanned = Signal(str)
    incomplete = Signal()

    def __init__(
        self,
        owns: Callable[[QWidget], bool],
        *,
        idle_ms: int = DEFAULT_IDLE_MS,
        burst_gap_ms: int = DEFAULT_BURST_GAP_MS,
        min_code_length: int = DEFAULT_MIN_CODE_LENGTH,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._owns = owns
        self.burst_gap = burst_gap_ms / 1000
        self.min_code_length = min_code_length
        self._clock = clock
        self._code = ""
        self._held: list[_HeldKey] = []
        self._last_key_at = 0.0
        self._replaying = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self._code_timed_out)
        self._gap = QTimer(self)
        self._gap.setSingleShot(True)
        self._gap.setInterval(burst_gap_ms)
        self._gap.timeout.connect(self._burst_ended)

    def attach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    @property
    def idle_ms(self) -> int:
        return self._idle.interval()

    # --- the filter --------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        # While the garbage collector takes a closed kiosk apart, Qt may still call a
        # filter whose Python attributes are already gone: it then filters nothing.
        replaying = getattr(self, "_replaying", None)
        if replaying is None or replaying:
            return False
        if not isinstance(watched, QWidget) or not self._owns(watched):
            return False
        assert isinstance(event, QKeyEvent)
        if _is_text_field(watched):
            return self._shared(watched, event)
        return self._capture(event)

    def _capture(self, event: QKeyEvent) -> bool:
        """The kiosk screen: every character is part of a code."""
        if event.key() in TERMINATORS:
            if not self._code:
                return event.key() == Qt.Key.Key_Tab  # a stray Tab must not move focus
            code, self._code = self._code, ""
            self._idle.stop()
            self.scanned.emit(code)
            return True
        text = _typed(event)
        if text:
            self._code += text
            self._idle.start()
            return True
        return False

    def _code_timed_out(self) -> None:
        if self._code:
            self._code = ""
            self.incomplete.emit()

    def _shared(self, field: QWidget, event: QKeyEvent) -> bool:
        """A text field has the focus: hold keys back until the speed tells who typed."""
        now = self._clock()
        fast = bool(self._held) and now - self._last_key_at <= self.burst_gap
        if self._held and not fast:
            self._release_held()
        self._last_key_at = now
        if event.key() in TERMINATORS:
            if len(self._held) >= self.min_code_length and fast:
                code = "".join(k.text for k in self._held)
                self._held.clear()
                self._gap.stop()
                self.scanned.emit(code)
                return True
            self._release_held()
            return False
        text = _typed(event)
        if text:
            self._held.append(_HeldKey(field, event.key(), event.modifiers(), text))
            self._gap.start()
            return True
        self._release_held()
        return False

    def _burst_ended(self) -> None:
        """No key within the gap: a person typing, or a scan that lost its Enter."""
        if len(self._held) >= self.min_code_length:
            self._held.clear()
            self.incomplete.emit()
        else:
            self._release_held()

    def _release_held(self) -> None:
        held, self._held = self._held, []
        self._gap.stop()
        self._replaying = True
        try:
            for key in held:
                QApplication.sendEvent(
                    key.target,
                    QKeyEvent(QEvent.Type.KeyPress, key.key, key.modifiers, key.text),
                )
        finally:
            self._replaying = False
