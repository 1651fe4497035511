"""Regenerate the verdict sounds: ``python resources/make_sounds.py``.

Three sounds a gate can tell apart in a noisy queue: a bright rising pair for an
admit, a low long buzz for a rejection, a repeated mid tone for a warning.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050


def tone(freqs: list[tuple[float, float]], volume: float = 0.6) -> bytes:
    frames = bytearray()
    for freq, seconds in freqs:
        count = int(RATE * seconds)
        for n in range(count):
            envelope = min(1.0, n / 300, (count - n) / 300)
            value = volume * envelope * (math.sin(2 * math.pi * freq * n / RATE) if freq else 0.0)
            frames += struct.pack("<h", int(value * 32767))
    return bytes(frames)


SOUNDS = {
    "admit": [(880.0, 0.12), (0.0, 0.03), (1320.0, 0.18)],
    "reject": [(196.0, 0.55)],
    "warning": [(660.0, 0.12), (0.0, 0.08), (660.0, 0.12), (0.0, 0.08), (660.0, 0.12)],
}


def main() -> None:
    here = Path(__file__).parent / "sounds"
    here.mkdir(exist_ok=True)
    for name, parts in SOUNDS.items():
        with wave.open(str(here / f"{name}.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(tone(parts))


if __name__ == "__main__":
    main()
