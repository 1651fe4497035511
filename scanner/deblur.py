"""Undoing motion blur: a guest waving a phone, a ticket pushed at the camera.

A smear of ``length`` pixels along one direction is (very nearly) a convolution of the
sharp frame with a line: undo it and the decoders see modules again.  Nothing is known
beforehand; the frame tells:

- **direction**: a smear wipes out brightness changes along its direction and keeps
  those across it, so the frame's gradient structure tensor has one small eigenvalue,
  and the smear runs along its eigenvector.  The ratio of the two eigenvalues
  (``anisotropy``, 1 for a sharp scene, ~0.2-0.4 for a strong smear) says whether
  there is a smear at all, which keeps the cost off sharp and empty frames;
- **length**: from the cepstrum along the smear (the spectrum's zeros every 1/length
  make a dip at the length), good to about a pixel, so the neighbours are tried too;
- then a **Wiener deconvolution** with that line, in the frequency domain.

All of it at half resolution: a smear of 20 pixels is 10 there, and the FFTs cost a
quarter.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

SMEARED_BELOW = 0.5
"""Anisotropy under which a frame counts as smeared (sharp scenes measure 0.8-1)."""

NOISE_TO_SIGNAL = 0.02
"""Wiener's regulariser: higher keeps sensor noise down, lower sharpens more."""

LONGEST = 25
"""The longest smear looked for, in half-resolution pixels."""


@dataclass(frozen=True, slots=True)
class Smear:
    angle: float  # radians, in image coordinates (y down)
    anisotropy: float


def smear_of(gray: np.ndarray) -> Smear:
    """The frame's dominant smear direction and how anisotropic its gradients are."""
    values = gray.astype(np.float32)
    gx = cv2.Sobel(values, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(values, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    gradient_angle = 0.5 * math.atan2(2 * jxy, jxx - jyy)
    half_trace = (jxx + jyy) / 2
    spread = math.sqrt(max(half_trace**2 - (jxx * jyy - jxy * jxy), 0.0))
    large, small = half_trace + spread, half_trace - spread
    return Smear(gradient_angle + math.pi / 2, small / large if large > 0 else 1.0)


def smear_length(gray: np.ndarray, angle: float, longest: int = LONGEST) -> int:
    """The smear's length in pixels, from the cepstrum along the smear: a line blur of
    length L puts zeros into the spectrum every 1/L, which the logarithm turns into a
    periodic ripple and the inverse transform into a sharp dip at L (the code's own
    texture, compressed by the logarithm, barely shows)."""
    h, w = gray.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), math.degrees(angle), 1.0)
    turned = cv2.warpAffine(
        gray, turn, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    middle = turned[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].astype(np.float32)
    middle *= np.hanning(middle.shape[1]).astype(np.float32)[None, :]
    spectrum = cv2.dft(middle, flags=cv2.DFT_ROWS | cv2.DFT_COMPLEX_OUTPUT)
    power = (spectrum[..., 0] ** 2 + spectrum[..., 1] ** 2).mean(axis=0)
    cepstrum = np.fft.ifft(np.log(power + 1e-3)).real
    return int(np.argmin(cepstrum[3 : longest + 1])) + 3


def line_kernel(length: int, angle: float) -> np.ndarray:
    """A normalised line of ``length`` pixels at ``angle``, drawn antialiased (at 8x and
    averaged down) in an odd square."""
    side = 2 * (length // 2) + 3
    fine = 8
    canvas = np.zeros((side * fine, side * fine), np.float32)
    centre = side * fine / 2
    reach = (length - 1) / 2 * fine
    dx, dy = math.cos(angle) * reach, math.sin(angle) * reach
    cv2.line(
        canvas,
        (round(centre - dx), round(centre - dy)),
        (round(centre + dx), round(centre + dy)),
        1.0,
        thickness=fine,
    )
    kernel = cv2.resize(canvas, (side, side), interpolation=cv2.INTER_AREA)
    out: np.ndarray = kernel / kernel.sum()
    return out


def wiener_deconvolved(
    gray: np.ndarray, kernel: np.ndarray, noise_to_signal: float = NOISE_TO_SIGNAL
) -> np.ndarray:
    h, w = gray.shape
    rows, cols = cv2.getOptimalDFTSize(h), cv2.getOptimalDFTSize(w)
    image = cv2.copyMakeBorder(
        gray.astype(np.float32), 0, rows - h, 0, cols - w, cv2.BORDER_REFLECT
    )
    side = kernel.shape[0]
    placed = np.zeros((rows, cols), np.float32)
    placed[:side, :side] = kernel
    placed = np.roll(placed, (-(side // 2), -(side // 2)), axis=(0, 1))  # centred at 0, 0
    g = cv2.dft(image, flags=cv2.DFT_COMPLEX_OUTPUT)
    k = cv2.dft(placed, flags=cv2.DFT_COMPLEX_OUTPUT)
    kr, ki, gr, gi = k[..., 0], k[..., 1], g[..., 0], g[..., 1]
    denominator = kr * kr + ki * ki + noise_to_signal
    restored = np.dstack([(gr * kr + gi * ki) / denominator, (gi * kr - gr * ki) / denominator])
    sharp = cv2.dft(restored, flags=cv2.DFT_INVERSE | cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)
    return np.clip(sharp[:h, :w], 0, 255).astype(np.uint8)


def unsmeared(gray: np.ndarray) -> Iterator[np.ndarray]:
    """The frame at half resolution with its motion blur undone, once per likely smear
    length (made as they are asked for); nothing when the frame is not smeared (and
    nothing spent beyond measuring)."""
    half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    smear = smear_of(half)
    if smear.anisotropy >= SMEARED_BELOW:
        return
    length = smear_length(half, smear.angle)
    for guess in (length, length + 1, length - 1):  # the estimate is good to a pixel
        yield wiener_deconvolved(half, line_kernel(guess, smear.angle))
