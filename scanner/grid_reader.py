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
the neutral threshold and then leaning each way.  Where the code shows no contrast at
all (a glare spot washed out to white, a flat patch), the modules are marked unreadable
and the last redraw comes from Reed-Solomon repair with those codewords as erasures
(``scanner.qr_codewords``), which repairs twice as much as guessing them does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from scanner.qr_codewords import alignment_centres, repaired, symbol_size

Quad = tuple[tuple[float, float], ...]

MODULE_PX = 8
"""Pixels per module in the warped square: enough for sub-module edge positions."""

MARGIN = 4
"""Modules of quiet zone kept around the symbol (the standard's quiet zone)."""

WINDOW = 5
"""Modules each side of the window the local grid shift is measured over."""

THRESHOLDS = (0.0, 0.35, -0.35)
"""Where dark ends, in local standard deviations: neutral, then leaning each way."""

PATTERN_MATCH = 0.5
"""How well (normalised cross-correlation) a finder or alignment pattern must match to
be used as an anchor."""

FLAT = 0.25
"""A module whose 3x3 neighbourhood has less than this share of the symbol's typical
brightness spread shows nothing: it is unreadable, not dark or light."""


@dataclass(frozen=True, slots=True)
class LocatedSymbol:
    """A QR symbol a decoder found but could not read: where and which version."""

    quad: Quad  # top-left, top-right, bottom-right, bottom-left, in the symbol's frame
    version: int
    ec_level: str | None = None  # "L", "M", "Q" or "H", from the format information
    mask: int | None = None  # the data mask, 0-7, from the format information


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
    centres = alignment_centres(version)
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


def _flatness(square: np.ndarray) -> np.ndarray:
    """The brightness spread over the 3x3 modules around each pixel.  Data modules are
    rarely all alike nine at a time (1 in 256); a washed-out glare spot, a sticker or
    a smudge is flat."""
    values = square.astype(np.float32)
    window = (3 * MODULE_PX, 3 * MODULE_PX)
    mean = cv2.blur(values, window)
    variance = np.maximum(cv2.blur(values * values, window) - mean * mean, 0.0)
    spread: np.ndarray = np.sqrt(variance)
    return spread


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


def _module_values(square: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Each module's value (in local standard deviations: below 0 is dark) read at its
    measured centre, and whether the module is unreadable (no contrast around it)."""
    s = MODULE_PX
    normalised = _normalised(square)
    dx, dy = _local_shift(normalised, size)
    centres = (np.arange(MARGIN, MARGIN + size) + 0.5) * s - 0.5
    xs, ys = np.meshgrid(centres, centres)
    map_x, map_y = (xs + dx).astype(np.float32), (ys + dy).astype(np.float32)
    smoothed = cv2.blur(normalised, (s // 2, s // 2))
    values: np.ndarray = cv2.remap(smoothed, map_x, map_y, cv2.INTER_LINEAR)
    contrast = cv2.remap(_flatness(square), map_x, map_y, cv2.INTER_LINEAR)
    return values, contrast < FLAT * float(np.median(contrast))


def redraw(dark: np.ndarray) -> np.ndarray:
    """A clean picture of a module matrix, with its quiet zone, for a decoder."""
    picture = np.where(dark, 0, 255).astype(np.uint8)
    picture = np.pad(picture, MARGIN, constant_values=255)
    return np.kron(picture, np.ones((4, 4), np.uint8))


def _pattern(modules: int) -> np.ndarray:
    """A finder (7) or alignment (5) pattern as +1 light / -1 dark at ``MODULE_PX``,
    with a light ring of one module around a finder (its separator)."""
    r, c = np.indices((modules, modules))
    ring = np.maximum(abs(r - modules // 2), abs(c - modules // 2))
    dark = (ring != modules // 2 - 1) if modules == 5 else ((ring <= 3) & (ring != 2))
    if modules == 7:
        dark = np.pad(dark, 1, constant_values=False)
    picture = np.where(dark, -1.0, 1.0).astype(np.float32)
    return np.kron(picture, np.ones((MODULE_PX, MODULE_PX), np.float32))


def _found_centre(
    image: np.ndarray, template: np.ndarray, centre: tuple[float, float], reach: float
) -> tuple[float, float] | None:
    """Where ``template`` matches best within ``reach`` pixels of ``centre``, or None
    when nothing there looks like it."""
    th, tw = template.shape
    x0 = max(0, round(centre[0] - reach - tw / 2))
    y0 = max(0, round(centre[1] - reach - th / 2))
    window = image[y0 : round(centre[1] + reach + th / 2), x0 : round(centre[0] + reach + tw / 2)]
    if window.shape[0] < th or window.shape[1] < tw:
        return None
    scores = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
    _, best, _, (bx, by) = cv2.minMaxLoc(scores)
    if best < PATTERN_MATCH:
        return None
    return x0 + bx + tw / 2, y0 + by + th / 2


def _anchored(gray: np.ndarray, symbol: LocatedSymbol) -> tuple[np.ndarray, np.ndarray]:
    """The homography from the frame to the square, and the square: first from the
    decoder's corners, then (where the three finder patterns and the bottom-right
    alignment pattern are found near where those corners put them) from the patterns'
    centres, which a crumple or a steep tilt moves less than it moves the corners."""
    size = symbol_size(symbol.version)
    s = MODULE_PX
    side = (MARGIN + size + MARGIN) * s
    lo, hi = MARGIN * s, (MARGIN + size) * s
    target = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(np.asarray(symbol.quad, dtype=np.float32), target)
    square = cv2.warpPerspective(
        gray, matrix, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    if symbol.version < 2:
        return matrix, square
    normalised = _normalised(square)
    near, far = (MARGIN + 3.5) * s, (MARGIN + size - 3.5) * s
    align = (MARGIN + size - 6.5) * s
    wanted = [((near, near), 7), ((far, near), 7), ((near, far), 7), ((align, align), 5)]
    found = [_found_centre(normalised, _pattern(m), at, 2.5 * s) for at, m in wanted]
    if any(point is None for point in found):
        return matrix, square
    in_frame = cv2.perspectiveTransform(np.array([found], dtype=np.float32), np.linalg.inv(matrix))[
        0
    ]
    expected = np.array([at for at, _ in wanted], dtype=np.float32)
    refined = cv2.getPerspectiveTransform(in_frame, expected)
    square = cv2.warpPerspective(
        gray, refined, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return refined, square


def redrawn_symbols(gray: np.ndarray, symbol: LocatedSymbol) -> Iterator[np.ndarray]:
    """Clean redraws of a located symbol for a decoder to try in turn: one per threshold
    in ``THRESHOLDS``, then (when some modules showed nothing and the format is known)
    the Reed-Solomon repair with those as erasures.  Made as they are asked for."""
    size = symbol_size(symbol.version)
    _, square = _anchored(gray, symbol)
    values, unreadable = _module_values(square, size)
    where, fixed_dark = fixed_patterns(symbol.version)
    for level in THRESHOLDS:
        yield redraw(np.where(where, fixed_dark, values < level))
    if symbol.ec_level is None or symbol.mask is None or not unreadable.any():
        return
    guessed = np.where(where, fixed_dark, values < 0)
    fixed = repaired(guessed, unreadable & ~where, symbol.version, symbol.ec_level, symbol.mask)
    if fixed is not None:
        yield redraw(fixed)
