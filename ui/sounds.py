"""A distinct sound per outcome through QtMultimedia, or silence with one warning."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from scanner.verdict import Tone

log = logging.getLogger(__name__)

SOUNDS_DIR = Path(__file__).resolve().parent.parent / "resources" / "sounds"


class SoundPlayer(QObject):
    def __init__(self, parent: QObject | None = None, *, enabled: bool = True) -> None:
        super().__init__(parent)
        self.played: list[Tone] = []
        """What was asked to play, in order (the status strip and tests read it)."""
        self._effects: dict[Tone, QSoundEffect] = {}
        self.available = enabled and bool(QMediaDevices.audioOutputs())
        if not self.available:
            if enabled:
                log.warning("no audio output device: verdict sounds are off, scanning goes on")
            return
        for tone in Tone:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(SOUNDS_DIR / f"{tone}.wav")))
            effect.setVolume(1.0)
            self._effects[tone] = effect

    def play(self, tone: Tone) -> None:
        self.played.append(tone)
        effect = self._effects.get(tone)
        if effect is not None:
            effect.play()
