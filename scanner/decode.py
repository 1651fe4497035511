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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Protocol

import cv2
import numpy as np

from scanner.deblur import unsmeared
from scanner.grid_reader import LocatedSymbol, redrawn_symbols

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
        pure: bool = False,
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
        self.pure = pure

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        return self.read(image).codes

    def read(self, image: np.ndarray) -> ZxingRead:
        """Codes read, and the code-like shapes found but not read.

        The shapes are what lets the layered strategy spend extra passes only on
        frames that do hold a code (a checksum failure), not on every empty scene
        between guests, and where a located symbol's grid can be read again.
        """
        results = self._zxing.read_barcodes(
            _gray(image),
            formats=self._formats,
            try_invert=self.try_invert,
            try_downscale=self.try_downscale,
            binarizer=self._binarizer,
            is_pure=self.pure,
            return_errors=True,
        )
        found = []
        located: list[LocatedSymbol] = []
        unread = 0
        for result in results:
            pos = result.position
            corners = tuple(
                (float(p.x), float(p.y))
                for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
            )
            if result.valid:
                found.append(DecodedCode(result.text, corners, self.name))
                continue
            unread += 1
            version = _qr_version(result.extra)
            if version is not None and not any(_same_place(corners, o.quad) for o in located):
                located.append(LocatedSymbol(corners, version, *_qr_format(result.extra)))
        return ZxingRead(found, located, unread)


def _same_place(a: Sequence[Point], b: Sequence[Point]) -> bool:
    """Two outlines of one symbol (zxing reports a symbol once per pass it tried)."""
    reach = max(abs(a[0][0] - a[2][0]), abs(a[0][1] - a[2][1])) / 20
    return all(
        abs(p[0] - q[0]) <= reach and abs(p[1] - q[1]) <= reach for p, q in zip(a, b, strict=True)
    )


def _qr_version(extra: object) -> int | None:
    """A (full-size) QR version from zxing's extra fields; None for Micro QR ("M4") and
    for results without one."""
    version = extra.get("Version") if isinstance(extra, dict) else None
    if isinstance(version, str) and version.isdigit() and 1 <= int(version) <= 40:
        return int(version)
    return None


def _qr_format(extra: object) -> tuple[str | None, int | None]:
    """The error correction level and data mask zxing read from the format information."""
    if not isinstance(extra, dict):
        return None, None
    level, mask = extra.get("ECLevel"), extra.get("DataMask")
    return (
        level if level in ("L", "M", "Q", "H") else None,
        mask if isinstance(mask, int) and 0 <= mask <= 7 else None,
    )


@dataclass(frozen=True, slots=True)
class ZxingRead:
    codes: list[DecodedCode]
    located: list[LocatedSymbol]
    """Symbols found and not read whose version is known: their grid can be read again."""
    unread: int
    """Code-like shapes found and not read, located or not."""


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


class WeChatDecoder:
    """OpenCV contrib's WeChat detector on the whole frame, without its CNN model files:
    a raw baseline for the benchmark (the layered decoder uses it at half size)."""

    name = "wechat"

    def __init__(self) -> None:
        self._detector = _wechat_detector()
        if self._detector is None:
            raise DecoderUnavailableError(
                "the wechat backend needs opencv-contrib-python-headless (not the plain wheel)"
            )

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        return _wechat_codes(self._detector, _gray(image), 1.0)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One pass of the layered decoder over a frame: what it tried, how long it took,
    what it read, and whether a read verified as a genuine ticket."""

    name: str
    ms: float
    texts: tuple[str, ...]
    accepted: bool


@dataclass(frozen=True, slots=True)
class Explanation:
    codes: list[DecodedCode]
    attempts: list[Attempt]


Accept = Callable[[str], bool]


class LayeredDecoder:
    """The default: passes that help the decoders see, cheapest and most rewarding
    first, within a time budget per frame.

    Without ``accept`` the first pass that reads anything wins.  With ``accept`` (the
    gate passes "does this verify as a genuine ticket?") the decoder keeps trying
    until a read verifies, and a text that only an enhancement pass produced is never
    returned unless it verifies: a wrong read is worse than none.  What the plain first
    pass reads is returned even if it does not verify (zxing's error correction vouches
    for it), so a forged or foreign code still gets its verdict at the gate."""

    name = "layered"

    def __init__(
        self,
        *,
        budget_ms: float = 30.0,
        zbar: bool = True,
        wechat: bool = True,
        accept: Accept | None = None,
    ) -> None:
        self._zxing = ZxingDecoder()
        self._zxing_fixed = ZxingDecoder(fixed_threshold=True)
        self._zxing_pure = ZxingDecoder(try_invert=False, try_downscale=False, pure=True)
        self._zbar: ZbarDecoder | None = None
        if zbar:
            try:
                self._zbar = ZbarDecoder()
            except DecoderUnavailableError as exc:
                log.warning("%s; decoding without the ZBar fallback", exc)
        self._wechat = _wechat_detector() if wechat else None
        self._opencv = cv2.QRCodeDetector()
        self._clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
        self.budget_s = budget_ms / 1000
        self.accept = accept
        self._typical_s: dict[str, float] = {}
        """Each pass's recent duration (a moving average): a pass that would not finish
        within the frame's budget is skipped rather than started."""

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        return self.explain(image).codes

    def explain(self, image: np.ndarray) -> Explanation:
        """Decode, keeping every pass's name, time and reads (``admitone decode
        --explain``)."""
        started = time.perf_counter()
        gray = _gray(image)
        attempts: list[Attempt] = []
        plain = self._zxing.read(gray)
        first = plain.codes
        attempts.append(self._attempt("zxing", started, first))
        if first and (self.accept is None or attempts[-1].accepted):
            return Explanation(first, attempts)
        for name, run in self._passes(plain):
            spent = time.perf_counter() - started
            if spent + self._typical_s.get(name, 0.0) > self.budget_s:
                continue  # a cheaper pass later in the list may still fit
            began = time.perf_counter()
            found = run(gray)
            took = time.perf_counter() - began
            self._typical_s[name] = 0.8 * self._typical_s.get(name, took) + 0.2 * took
            attempts.append(self._attempt(name, began, found))
            if not found:
                continue
            if self.accept is None:
                return Explanation(self._tagged(found), attempts)
            good = [c for c in found if self.accept(c.text)]
            if good:
                return Explanation(self._tagged(good), attempts)
        return Explanation(first, attempts)

    def _attempt(self, name: str, began: float, found: list[DecodedCode]) -> Attempt:
        texts = tuple(c.text for c in found)
        accepted = self.accept is not None and any(self.accept(t) for t in texts)
        return Attempt(name, (time.perf_counter() - began) * 1000, texts, accepted)

    def _tagged(self, found: list[DecodedCode]) -> list[DecodedCode]:
        return [DecodedCode(c.text, c.corners, f"{self.name}:{c.backend}") for c in found]

    def _passes(self, plain: ZxingRead) -> list[tuple[str, _Pass]]:
        """The passes after plain zxing, in the order that read the most frames per
        millisecond on the hard corpus (``tests/bench/bench_decode.py`` prints each
        pass's reads and cost).  The cheap ones run on every frame; the costly ones only
        where zxing saw a code-like shape, so an empty scene between two guests stays
        cheap."""
        passes: list[tuple[str, _Pass]] = [
            ("half size, sharpened + zxing", self._half_sharpened),
            ("zxing fixed threshold", self._zxing_fixed.decode),
        ]
        if plain.located:
            passes.append(
                ("grid re-read where zxing located the code", partial(self._regridded, plain))
            )
        passes += [
            ("motion blur undone (Wiener) + zxing", self._unsmeared),
            ("dim light: denoised, contrast normalised + zxing", self._brightened),
            ("contrast (CLAHE) + zxing", self._equalised),
            ("enlarged 1.5x + zxing", self._enlarged),
            ("Otsu threshold + zxing", self._otsu),
        ]
        if plain.unread or plain.codes:
            passes += [
                ("shrunk 0.75x + zxing", self._shrunk),
                ("adaptive threshold + zxing", self._adaptive),
                ("rectified from OpenCV's corners + zxing", self._rectified),
            ]
            if self._zbar is not None:
                passes.append(("zbar", self._zbar.decode))
            if self._wechat is not None:
                passes.append(("wechat_qrcode at half size", self._wechat_half))
        return passes

    def _regridded(self, plain: ZxingRead, gray: np.ndarray) -> list[DecodedCode]:
        """Each symbol zxing located but could not read, its module grid measured and
        read again (``scanner.grid_reader``); then with the neighbouring versions, since
        below version 7 zxing only estimates the version from the outline's size, which
        a steep tilt throws off."""
        for symbol in plain.located:
            versions = [symbol.version]
            if symbol.version < 7:
                versions += [v for v in (symbol.version + 1, symbol.version - 1) if v >= 1]
            for version in versions:
                for picture in redrawn_symbols(gray, replace(symbol, version=version)):
                    found = self._zxing_pure.decode(picture)
                    if found:
                        return [DecodedCode(c.text, symbol.quad, "grid") for c in found]
        return []

    def _unsmeared(self, gray: np.ndarray) -> list[DecodedCode]:
        """A smeared frame (``scanner.deblur``) deconvolved at half size; nothing spent
        beyond measuring on a sharp one."""
        for sharp in unsmeared(gray):
            found = self._zxing.decode(sharp)
            if found:
                return [
                    DecodedCode(c.text, tuple((x * 2, y * 2) for x, y in c.corners), c.backend)
                    for c in found
                ]
        return []

    def _brightened(self, gray: np.ndarray) -> list[DecodedCode]:
        """A dim frame (grey on dark, sensor noise louder than the code's contrast):
        smoothed, then each pixel in standard deviations from its neighbourhood's mean.
        Nothing spent on a well-lit frame."""
        quarter = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
        if float(quarter.mean()) >= DIM_BELOW:
            return []
        return self._zxing.decode(_contrast_normalised(cv2.GaussianBlur(gray, (0, 0), 1.0)))

    def _equalised(self, gray: np.ndarray) -> list[DecodedCode]:
        return self._zxing.decode(self._clahe.apply(gray))

    def _scaled(
        self, gray: np.ndarray, factor: float, *, sharpen: bool = True
    ) -> list[DecodedCode]:
        """zxing on a resized frame (corners scaled back); a shrunk frame is sharpened
        unless ``sharpen`` is off (shrinking softens the edges)."""
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        scaled = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interpolation)
        if factor < 1 and sharpen:
            soft = cv2.GaussianBlur(scaled, (0, 0), 2.0)
            scaled = cv2.addWeighted(scaled, 2.0, soft, -1.0, 0)
        return [
            DecodedCode(c.text, tuple((x / factor, y / factor) for x, y in c.corners), c.backend)
            for c in self._zxing.decode(scaled)
        ]

    def _half_sharpened(self, gray: np.ndarray) -> list[DecodedCode]:
        """Steep tilt: at half size the far edge's modules merge less with blur."""
        return self._scaled(gray, 0.5)

    def _enlarged(self, gray: np.ndarray) -> list[DecodedCode]:
        """Small or far-tilted codes: more pixels per module for the binariser."""
        return self._scaled(gray, 1.5)

    def _otsu(self, gray: np.ndarray) -> list[DecodedCode]:
        smooth = cv2.GaussianBlur(gray, (3, 3), 0)
        _, binary = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        return self._zxing.decode(binary)

    def _adaptive(self, gray: np.ndarray) -> list[DecodedCode]:
        """Glare and uneven light: a threshold that follows the local brightness."""
        binary = cv2.adaptiveThreshold(
            gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 5
        )
        return self._zxing.decode(binary)

    def _shrunk(self, gray: np.ndarray) -> list[DecodedCode]:
        """Downscaling averages away blur streaks and small warps."""
        return self._scaled(gray, 0.75, sharpen=False)

    def _rectified(self, gray: np.ndarray) -> list[DecodedCode]:
        """OpenCV locates the code's corners (also steeply tilted, also partly cut off);
        the crop warped flat, with a quiet zone, is read by zxing (and with contrast)."""
        try:
            ok, points = self._opencv.detect(gray)
        except cv2.error:
            return []
        if not ok or points is None:
            return []
        quad = np.asarray(points, dtype=np.float32).reshape(-1, 2)[:4]
        side, margin = 360, 40
        target = np.array(
            [
                [margin, margin],
                [margin + side, margin],
                [margin + side, margin + side],
                [margin, margin + side],
            ],
            dtype=np.float32,
        )
        matrix = cv2.getPerspectiveTransform(quad, target)
        flat = cv2.warpPerspective(
            gray, matrix, (side + 2 * margin, side + 2 * margin), borderValue=255
        )
        corners = tuple((float(x), float(y)) for x, y in quad)
        for candidate in (flat, self._clahe.apply(flat)):
            found = self._zxing.decode(candidate)
            if found:
                return [DecodedCode(c.text, corners, c.backend) for c in found]
        return []

    def _wechat_half(self, gray: np.ndarray) -> list[DecodedCode]:
        half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        return _wechat_codes(self._wechat, half, 2.0)


DIM_BELOW = 80.0
"""Mean brightness (0-255) under which a frame counts as dim."""


def _contrast_normalised(gray: np.ndarray, sigma: float = 32.0) -> np.ndarray:
    """Each pixel as 128 + 50 standard deviations from the mean around it (a Gaussian of
    ``sigma`` pixels, computed at quarter size)."""
    values = gray.astype(np.float32)
    size = (gray.shape[1], gray.shape[0])

    def local_mean(image: np.ndarray) -> np.ndarray:
        quarter = cv2.resize(image, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
        return cv2.resize(cv2.GaussianBlur(quarter, (0, 0), sigma / 4), size)

    mean = local_mean(values)
    spread = np.sqrt(local_mean((values - mean) ** 2)) + 2.0
    out: np.ndarray = np.clip(128 + 50 * (values - mean) / spread, 0, 255).astype(np.uint8)
    return out


def _wechat_codes(detector: Any, gray: np.ndarray, scale: float) -> list[DecodedCode]:
    """What the WeChat detector reads in ``gray``, corners multiplied by ``scale``."""
    try:
        texts, points = detector.detectAndDecode(gray)
    except cv2.error:
        return []
    found = []
    for text, quad in zip(texts, points, strict=False):
        if text:
            corners = tuple((float(x) * scale, float(y) * scale) for x, y in np.asarray(quad))
            found.append(DecodedCode(text, corners, "wechat"))
    return found


def _wechat_detector() -> Any:
    """OpenCV's WeChat detector (opencv-contrib), without its CNN model files; None
    when this OpenCV build lacks it."""
    factory = getattr(getattr(cv2, "wechat_qrcode", None), "WeChatQRCode", None)
    if factory is None:
        log.warning("this OpenCV has no wechat_qrcode (opencv-contrib); decoding without it")
        return None
    return factory()


class _Pass(Protocol):
    def __call__(self, gray: np.ndarray, /) -> list[DecodedCode]: ...


BACKENDS = ("layered", "zxing", "zbar", "opencv", "wechat")


def make_decoder(name: str = "layered") -> Decoder:
    """A decoder by name: ``layered`` (default), ``zxing``, ``zbar``, ``opencv`` or
    ``wechat``."""
    if name == "layered":
        return LayeredDecoder()
    if name == "zxing":
        return ZxingDecoder()
    if name == "zbar":
        return ZbarDecoder()
    if name == "opencv":
        return OpenCVDecoder()
    if name == "wechat":
        return WeChatDecoder()
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
