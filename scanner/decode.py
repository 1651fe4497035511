"""QR decoders: three backends and the default layered strategy.

Backends, selectable by name:

- ``zxing``: zxing-cpp, restricted to QR codes.
- ``zbar``: pyzbar over the system's libzbar0, restricted to QR codes.
- ``opencv``: OpenCV's ``QRCodeDetector`` (multi-code detection and decoding).

The default strategy (``layered``) was chosen by measuring on the corpus of
``ui.demo.scene`` (see ``tests/bench/bench_decode.py``): zxing-cpp alone is the
fastest and most robust first pass (it also reads inverted, dark-mode codes), so
every frame gets exactly one zxing pass and nothing else when it finds a code.
When it finds nothing, a fixed-threshold zxing pass (about 1 ms) follows; it
rescued motion-blurred codes in the measurements.  The costly passes (contrast
equalisation, a 0.75x rescale, then ZBar's different binarisation) run only
when zxing saw a code-like shape it could not read (a checksum failure), and
within a time budget: an empty scene between two guests costs a few
milliseconds, not fifty, so the decoder is free when the next code appears.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class DecodedCode:
    """One code found in a frame, with its outline in frame pixels (for the preview)."""

    text: str
    corners: tuple[Point, ...]
    backend: str


class Decoder(Protocol):
    name: str

    def decode(self, image: np.ndarray) -> list[DecodedCode]: ...


class DecoderUnavailableError(RuntimeError):
    """A backend whose library is missing (e.g. libzbar0 not installed)."""


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _text_of(raw: bytes | str) -> str | None:
    """Tickets are ASCII (Base45); anything else is still returned so it gets a verdict."""
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class ZxingDecoder:
    name = "zxing"

    def __init__(
        self,
        *,
        try_invert: bool = True,
        try_downscale: bool = True,
        fixed_threshold: bool = False,
    ) -> None:
        import zxingcpp

        self._zxing = zxingcpp
        self._formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        self._binarizer = (
            zxingcpp.Binarizer.FixedThreshold
            if fixed_threshold
            else zxingcpp.Binarizer.LocalAverage
        )
        self.try_invert = try_invert
        self.try_downscale = try_downscale

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        return self.decode_with_misses(image)[0]

    def decode_with_misses(self, image: np.ndarray) -> tuple[list[DecodedCode], int]:
        """Codes read, and how many code-like shapes were found but not read.

        The second number is what lets the layered strategy spend extra passes
        only on frames that do hold a code (a checksum failure), not on every
        empty scene between guests.
        """
        results = self._zxing.read_barcodes(
            _gray(image),
            formats=self._formats,
            try_invert=self.try_invert,
            try_downscale=self.try_downscale,
            binarizer=self._binarizer,
            return_errors=True,
        )
        found = []
        misses = 0
        for result in results:
            if not result.valid:
                misses += 1
                continue
            pos = result.position
            corners = tuple(
                (float(p.x), float(p.y))
                for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
            )
            found.append(DecodedCode(result.text, corners, self.name))
        return found, misses


class ZbarDecoder:
    name = "zbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except ImportError as exc:  # pyzbar raises ImportError when libzbar0 is missing
            raise DecoderUnavailableError(
                "the zbar backend needs the system's ZBar library: apt-get install libzbar0"
            ) from exc
        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        found = []
        for result in self._pyzbar.decode(_gray(image), symbols=self._symbols):
            text = _text_of(result.data)
            if text is None:
                continue
            corners = tuple((float(p.x), float(p.y)) for p in result.polygon)
            found.append(DecodedCode(text, corners, self.name))
        return found


class OpenCVDecoder:
    name = "opencv"

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetector()

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        gray = _gray(image)
        try:
            ok, texts, points, _ = self._detector.detectAndDecodeMulti(gray)
        except cv2.error as exc:  # OpenCV throws on some degenerate detections
            log.debug("opencv QR detector failed on a frame: %s", exc)
            return []
        if not ok or points is None:
            return []
        found = []
        for text, quad in zip(texts, points, strict=False):
            if text:
                corners = tuple((float(x), float(y)) for x, y in quad)
                found.append(DecodedCode(text, corners, self.name))
        return found


class LayeredDecoder:
    """The default: zxing first; extra passes only when it finds nothing."""

    name = "layered"

    def __init__(self, *, budget_ms: float = 40.0, zbar: bool = True) -> None:
        self._zxing = ZxingDecoder()
        self._zxing_fixed = ZxingDecoder(fixed_threshold=True)
        self._zbar: ZbarDecoder | None = None
        if zbar:
            try:
                self._zbar = ZbarDecoder()
            except DecoderUnavailableError as exc:
                log.warning("%s; decoding without the ZBar fallback", exc)
        self._clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
        self.budget_s = budget_ms / 1000

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        started = time.perf_counter()
        gray = _gray(image)
        found, misses = self._zxing.decode_with_misses(gray)
        if found:
            return found
        for attempt in self._fallbacks(code_seen=misses > 0):
            if time.perf_counter() - started > self.budget_s:
                break
            found = attempt(gray)
            if found:
                return [DecodedCode(c.text, c.corners, f"{self.name}:{c.backend}") for c in found]
        return []

    def _fallbacks(self, *, code_seen: bool) -> list[_Pass]:
        """The cheap fixed-threshold pass always; the costly ones only where a code was seen."""
        passes: list[_Pass] = [self._zxing_fixed.decode]
        if code_seen:
            passes += [self._equalised, self._shrunk]
            if self._zbar is not None:
                passes.append(self._zbar.decode)
        return passes

    def _equalised(self, gray: np.ndarray) -> list[DecodedCode]:
        return self._zxing.decode(self._clahe.apply(gray))

    def _shrunk(self, gray: np.ndarray) -> list[DecodedCode]:
        """Downscaling averages away blur streaks and small warps; corners scaled back."""
        small = cv2.resize(gray, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)
        return [
            DecodedCode(c.text, tuple((x / 0.75, y / 0.75) for x, y in c.corners), c.backend)
            for c in self._zxing.decode(small)
        ]


class _Pass(Protocol):
    def __call__(self, gray: np.ndarray, /) -> list[DecodedCode]: ...


BACKENDS = ("layered", "zxing", "zbar", "opencv")


def make_decoder(name: str = "layered") -> Decoder:
    """A decoder by name: ``layered`` (default), ``zxing``, ``zbar`` or ``opencv``."""
    if name == "layered":
        return LayeredDecoder()
    if name == "zxing":
        return ZxingDecoder()
    if name == "zbar":
        return ZbarDecoder()
    if name == "opencv":
        return OpenCVDecoder()
    raise ValueError(f"unknown decoder {name!r}: choose one of {', '.join(BACKENDS)}")


def unique_codes(codes: Sequence[DecodedCode]) -> list[DecodedCode]:
    """Drop repeats of the same text (two passes finding one code)."""
    seen: set[str] = set()
    out = []
    for code in codes:
        if code.text not in seen:
            seen.add(code.text)
            out.append(code)
    return out
