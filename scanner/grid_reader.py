"""Reading a QR code that zxing located but could not read, by sampling its module grid
ourselves.

zxing-cpp samples one pixel per module on a perspective grid fitted to the finder
patterns.  A crumpled print-out, a ticket bent in a hand or a cheap lens bends that
grid by more than half a module in places, and a floodlight's halo or a grey smudge
pulls its threshold the wrong way: the symbol is found, its format and version read,
and Reed-Solomon gives up (a checksum error).  zxing still reports where the symbol is
and which version it has; this reader takes that over:

1. the quadrilateral is warped to a square of ``MODULE_PX`` pixels per module;
2. brightness is normalised locally (each pixel against the mean and spread of the few
   modules around it), so shading, glare's halo and low light do not move the threshold;
3. the local grid is measured rather than assumed: in every window of a few modules,
   where the edges fall modulo the module size (the circular mean of edge energy by
   pixel position) gives the grid's local shift in x and in y.  Those shifts are known
   modulo one module, so they are unwrapped outwards from the top-left finder pattern
   (where zxing anchored the corners): a bend changes little from one module to the next;
4. each module is read at its shifted centre, the fixed patterns (finders, timing,
   alignment) are put back as the standard defines them, and the symbol is redrawn as a
   clean image that zxing decodes.  Its error correction stays the judge: a sampling
   that went wrong gives a checksum failure, not a different text.

Grey damage (a smudge, a sticker) reads as neither dark nor light; the redraw is tried at
the neutral threshold and then leaning each way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from segno import consts as qr_consts

Quad = tuple[tuple[float, float], ...]

MODULE_PX = 8
"""Pixels per module in the warped square: enough for sub-module edge positions."""

MARGIN = 4
"""Modules of quiet zone kept around the symbol (the standard's quiet zone)."""

WINDOW = 5
"""Modules each side of the window the local grid shift is measured over."""

THRESHOLDS = (0.0, 0.35, -0.35)
"""Where dark ends, in local standard deviations: neutral, then leaning each way."""


@dataclass(frozen=True, slots=True)
class LocatedSymbol:
    """A QR symbol a decoder found but could not read: where and which version."""

    quad: Quad  # top-left, top-right, bottom-right, bottom-left, in the symbol's frame
    version: int


def symbol_size(version: int) -> int:
    return 17 + 4 * version


@cache
def fixed_patterns(version: int) -> tuple[np.ndarray, np.ndarray]:
    """(where, dark): the modules whose value the standard fixes for ``version`` (finder
    patterns with their separators, timing patterns, alignment patterns)."""
    n = symbol_size(version)
    where = np.zeros((n, n), bool)
    dark = np.zeros((n, n), bool)
    for top, left in ((0, 0), (0, n - 7), (n - 7, 0)):
        for r in range(top - 1, top + 8):
            for c in range(left - 1, left + 8):
                if 0 <= r < n and 0 <= c < n:
                    ring = max(abs(r - top - 3), abs(c - left - 3))
                    where[r, c] = True
                    dark[r, c] = ring <= 3 and ring != 2
    for k in range(8, n - 8):
        where[6, k] = where[k, 6] = True
        dark[6, k] = dark[k, 6] = k % 2 == 0
    centres = qr_consts.ALIGNMENT_POS[version - 2] if version >= 2 else ()
    for r in centres:
        for c in centres:
            if where[r, c]:  # overlaps a finder pattern: the standard leaves it out
                continue
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    where[r + dr, c + dc] = True
                    dark[r + dr, c + dc] = max(abs(dr), abs(dc)) != 1
    where.flags.writeable = dark.flags.writeable = False
    return where, dark


def _normalised(square: np.ndarray) -> np.ndarray:
    """Each pixel in local standard deviations from the mean of the modules around it
    (a Gaussian of 2 modules, computed at two pixels per module: 20x cheaper)."""
    values = square.astype(np.float32)
    side = values.shape[0]
    cells = side // MODULE_PX * 2

    def local_mean(image: np.ndarray) -> np.ndarray:
        coarse = cv2.resize(image, (cells, cells), interpolation=cv2.INTER_AREA)
        coarse = cv2.GaussianBlur(coarse, (0, 0), 4.0)
        return cv2.resize(coarse, (side, side), interpolation=cv2.INTER_LINEAR)

    mean = local_mean(values)
    spread = np.sqrt(local_mean((values - mean) ** 2)) + 1.0
    out: np.ndarray = (values - mean) / spread
    return out


def _local_shift(normalised: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid's shift (dx, dy) in pixels at every module of the symbol."""
    s = MODULE_PX
    cells = MARGIN + size + MARGIN
    span = slice(MARGIN, MARGIN + size)
    turn = np.exp(2j * np.pi * np.arange(s) / s)
    shifts = []
    for dx, dy in ((1, 0), (0, 1)):
        edges = np.abs(cv2.Sobel(normalised, cv2.CV_32F, dx, dy, ksize=3))
        blocks = edges[: cells * s, : cells * s].reshape(cells, s, cells, s)
        # Edge energy per module by pixel position across the module (x or y).
        by_position = blocks.sum(axis=1) if dx else blocks.sum(axis=3).transpose(0, 2, 1)
        phasor = (by_position * turn).sum(axis=2)
        real = cv2.blur(np.ascontiguousarray(phasor.real), (WINDOW, WINDOW))
        imag = cv2.blur(np.ascontiguousarray(phasor.imag), (WINDOW, WINDOW))
        # An edge between two modules sits between pixel s-1 and pixel 0: position -0.5.
        wrapped = np.angle(real + 1j * imag)[span, span] * s / (2 * np.pi) + 0.5
        shifts.append(_unwrapped(wrapped, s))
    return shifts[0], shifts[1]


def _unwrapped(wrapped: np.ndarray, period: int) -> np.ndarray:
    """Values known modulo ``period`` made continuous, anchored at the top-left finder
    pattern's centre (module 3, 3), where the located corners are trustworthy."""
    anchor = 3
    column = np.unwrap(wrapped[:, anchor], period=period)
    column -= period * np.round(column[anchor] / period)
    rows = np.unwrap(wrapped, axis=1, period=period)
    rows -= period * np.round((rows[:, anchor] - column) / period)[:, None]
    return rows


def _module_values(normalised: np.ndarray, size: int) -> np.ndarray:
    s = MODULE_PX
    dx, dy = _local_shift(normalised, size)
    centres = (np.arange(MARGIN, MARGIN + size) + 0.5) * s - 0.5
    xs, ys = np.meshgrid(centres, centres)
    smoothed = cv2.blur(normalised, (s // 2, s // 2))
    values: np.ndarray = cv2.remap(
        smoothed, (xs + dx).astype(np.float32), (ys + dy).astype(np.float32), cv2.INTER_LINEAR
    )
    return values


def redraw(dark: np.ndarray) -> np.ndarray:
    """A clean picture of a module matrix, with its quiet zone, for a decoder."""
    picture = np.where(dark, 0, 255).astype(np.uint8)
    picture = np.pad(picture, MARGIN, constant_values=255)
    return np.kron(picture, np.ones((4, 4), np.uint8))


def redrawn_symbols(gray: np.ndarray, symbol: LocatedSymbol) -> list[np.ndarray]:
    """Clean redraws of a located symbol, one per threshold in ``THRESHOLDS``: each is
    for a decoder to try, in order."""
    size = symbol_size(symbol.version)
    s = MODULE_PX
    side = (MARGIN + size + MARGIN) * s
    lo, hi = MARGIN * s, (MARGIN + size) * s
    target = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(np.asarray(symbol.quad, dtype=np.float32), target)
    square = cv2.warpPerspective(
        gray, matrix, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    values = _module_values(_normalised(square), size)
    where, fixed_dark = fixed_patterns(symbol.version)
    return [redraw(np.where(where, fixed_dark, values < level)) for level in THRESHOLDS]
