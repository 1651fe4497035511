"""Synthetic camera frames of QR tickets: the corpus for tests, benchmarks and the demo.

A real gate sees phones held at an angle, dimmed dark-mode screens, glare from
floodlights and crumpled print-outs.  We cannot ship a camera to CI, so this
module renders a genuine ticket's QR into a 1280×720 scene and applies one of
those conditions, deterministically from a seed.  The decoders are then tested
and measured on exactly the images a camera would hand them (BGR, uint8).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import base45
import cv2
import numpy as np
import segno

FRAME_SIZE = (1280, 720)

Image = np.ndarray


def _to_u8(values: Any) -> Image:
    """Clip to 0..255 and convert: every condition ends here."""
    out: Image = np.clip(values, 0, 255).astype(np.uint8)
    return out


def qr_matrix(text: str, border: int = 4) -> np.ndarray:
    """The code's modules (True = dark), quiet zone included."""
    qr = segno.make_qr(text, error="m", boost_error=False)
    rows = [[bool(v) for v in row] for row in qr.matrix]
    size = len(rows)
    out = np.zeros((size + 2 * border, size + 2 * border), dtype=bool)
    out[border : border + size, border : border + size] = np.array(rows, dtype=bool)
    return out


def render_code(text: str, module_px: int = 8, *, dark: int = 20, light: int = 235) -> Image:
    """A flat grayscale image of the code (dark modules on light), quiet zone included."""
    matrix = qr_matrix(text)
    image = np.where(matrix, dark, light).astype(np.uint8)
    return cv2.resize(
        image,
        (matrix.shape[1] * module_px, matrix.shape[0] * module_px),
        interpolation=cv2.INTER_NEAREST,
    )


def background(rng: random.Random, size: tuple[int, int] = FRAME_SIZE) -> Image:
    """A cluttered, unevenly lit BGR scene: gradient, blobs and noise."""
    width, height = size
    np_rng = np.random.default_rng(rng.randrange(2**32))
    base = rng.randint(60, 170)
    gx = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    gy = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    light = base + 40 * (rng.uniform(-1, 1) * gx + rng.uniform(-1, 1) * gy)
    scene = np.repeat(light[:, :, None], 3, axis=2)
    scene = scene * np.array([rng.uniform(0.8, 1.2) for _ in range(3)], dtype=np.float32)
    for _ in range(rng.randint(3, 8)):
        colour = [rng.randint(0, 255) for _ in range(3)]
        x, y = rng.randrange(width), rng.randrange(height)
        cv2.rectangle(
            scene, (x, y), (x + rng.randint(40, 300), y + rng.randint(40, 200)), colour, -1
        )
    scene += np_rng.normal(0, 6, scene.shape).astype(np.float32)
    return _to_u8(scene)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the code lands: centre, width in pixels, in-plane rotation and tilt."""

    cx: float
    cy: float
    width: float
    rotation_deg: float = 0.0
    tilt_x: float = 0.0
    """Perspective: how much narrower the far edge is (0 = facing the camera)."""
    tilt_y: float = 0.0

    def corners(self) -> np.ndarray:
        half = self.width / 2
        pts = np.array(
            [
                [-half * (1 - self.tilt_y), -half * (1 - self.tilt_x)],
                [half * (1 - self.tilt_y), -half * (1 + self.tilt_x)],
                [half * (1 + self.tilt_y), half * (1 + self.tilt_x)],
                [-half * (1 + self.tilt_y), half * (1 - self.tilt_x)],
            ],
            dtype=np.float32,
        )
        angle = math.radians(self.rotation_deg)
        rot = np.array(
            [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]],
            dtype=np.float32,
        )
        return (pts @ rot.T + np.array([self.cx, self.cy], dtype=np.float32)).astype(np.float32)


def paste(scene: Image, code: Image, placement: Placement) -> Image:
    """Warp the (grayscale or BGR) ``code`` image into ``scene`` at ``placement``."""
    if code.ndim == 2:
        code = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    h, w = code.shape[:2]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, placement.corners())
    size = (scene.shape[1], scene.shape[0])
    warped = cv2.warpPerspective(code, matrix, size, flags=cv2.INTER_LINEAR)
    mask = (
        cv2.warpPerspective(
            np.full((h, w), 255, np.uint8), matrix, size, flags=cv2.INTER_LINEAR
        ).astype(np.float32)[:, :, None]
        / 255.0
    )
    return _to_u8(scene * (1 - mask) + warped * mask)


def _placement(rng: random.Random, width: tuple[float, float], tilt: float = 0.0) -> Placement:
    frame_w, frame_h = FRAME_SIZE
    size = rng.uniform(*width)
    margin = size * 0.8
    return Placement(
        cx=rng.uniform(margin, frame_w - margin),
        cy=rng.uniform(min(margin, frame_h / 2), max(frame_h - margin, frame_h / 2)),
        width=size,
        rotation_deg=rng.uniform(-25, 25),
        tilt_x=rng.uniform(-tilt, tilt),
        tilt_y=rng.uniform(-tilt, tilt),
    )


# --- conditions -------------------------------------------------------------------


def _clean(text: str, rng: random.Random) -> Image:
    return paste(background(rng), render_code(text), _placement(rng, (260, 420)))


def _perspective(text: str, rng: random.Random) -> Image:
    return paste(background(rng), render_code(text), _placement(rng, (300, 440), tilt=0.22))


def _blur(text: str, rng: random.Random) -> Image:
    frame = paste(background(rng), render_code(text), _placement(rng, (300, 440)))
    return cv2.GaussianBlur(frame, (0, 0), rng.uniform(1.5, 2.6))


def _smear(frame: Image, rng: random.Random, lengths: tuple[int, int]) -> Image:
    """Motion blur: a line kernel of a random length and direction."""
    length = rng.randint(*lengths)
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    centre = (length / 2 - 0.5, length / 2 - 0.5)
    rot = cv2.getRotationMatrix2D(centre, rng.uniform(0, 180), 1.0)
    rotated = cv2.warpAffine(kernel, rot, (length, length))
    return _to_u8(cv2.filter2D(frame, -1, rotated / rotated.sum()))


def _motion_blur(text: str, rng: random.Random) -> Image:
    frame = paste(background(rng), render_code(text), _placement(rng, (300, 440)))
    return _smear(frame, rng, (7, 13))


def _low_light(text: str, rng: random.Random) -> Image:
    frame = paste(background(rng), render_code(text), _placement(rng, (280, 420)))
    dim = frame.astype(np.float32) * rng.uniform(0.12, 0.2)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(2, 4), dim.shape)
    return np.clip(dim + noise, 0, 255).astype(np.uint8)


def _glare(text: str, rng: random.Random) -> Image:
    placement = _placement(rng, (300, 440))
    frame = paste(background(rng), render_code(text), placement).astype(np.float32)
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx = placement.cx + rng.uniform(-0.35, 0.35) * placement.width
    gy = placement.cy + rng.uniform(-0.35, 0.35) * placement.width
    radius = placement.width * rng.uniform(0.12, 0.2)
    spot = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2))[:, :, None]
    frame = frame + spot * rng.uniform(170, 230)
    return _to_u8(frame)


def _screen_image(text: str, rng: random.Random, *, inverted: bool) -> Image:
    """A phone: black bezel, the code on a backlit screen with a visible pixel grid."""
    dark, light = (225, 30) if inverted else (30, 225)
    code = render_code(text, 8, dark=dark, light=light)
    if inverted:
        # Dark-mode apps draw the whole card dark; the quiet zone is the card, not white.
        code = np.where(code == light, light, dark).astype(np.uint8)
    h, w = code.shape
    grid = np.ones_like(code, dtype=np.float32)
    grid[::3, :] *= 0.85
    grid[:, ::3] *= 0.85
    screen = code.astype(np.float32) * grid * rng.uniform(0.75, 1.0)
    pad_x, pad_y = w // 6, h // 2
    phone = np.full((h + 2 * pad_y, w + 2 * pad_x), 8, np.float32)
    screen_bg = 22 if inverted else 200
    phone[pad_y // 3 : -pad_y // 3, pad_x // 4 : -pad_x // 4] = screen_bg
    phone[pad_y : pad_y + h, pad_x : pad_x + w] = screen
    return np.clip(phone, 0, 255).astype(np.uint8)


def _phone_screen(text: str, rng: random.Random) -> Image:
    image = _screen_image(text, rng, inverted=False)
    placement = _placement(rng, (300, 380), tilt=0.15)
    frame = paste(background(rng), image, placement).astype(np.float32)
    # A reflection band across the glass.
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    band = np.exp(-(((xx - yy * rng.uniform(0.3, 1.5)) - rng.uniform(0, w)) ** 2) / (2 * 40**2))
    frame += band[:, :, None] * rng.uniform(30, 60)
    return _to_u8(frame)


def _inverted(text: str, rng: random.Random) -> Image:
    image = _screen_image(text, rng, inverted=True)
    return paste(background(rng), image, _placement(rng, (300, 380), tilt=0.1))


def _partly_covered(text: str, rng: random.Random) -> Image:
    """A thumb over one edge of the code, away from the three finder patterns."""
    code = cv2.cvtColor(render_code(text), cv2.COLOR_GRAY2BGR)
    w = code.shape[1]
    quiet = 4 * 8
    inner = w - 2 * quiet
    thumb_w = int(inner * rng.uniform(0.08, 0.12))
    thumb_h = int(inner * rng.uniform(0.25, 0.35))
    top = quiet + int(inner * rng.uniform(0.35, 0.45))
    left = w - quiet - thumb_w
    skin = (rng.randint(90, 130), rng.randint(130, 170), rng.randint(180, 220))
    cv2.ellipse(
        code,
        (left + thumb_w, top + thumb_h // 2),
        (thumb_w + quiet // 2, thumb_h // 2),
        0,
        0,
        360,
        skin,
        -1,
    )
    return paste(background(rng), code, _placement(rng, (320, 440)))


def _small(text: str, rng: random.Random) -> Image:
    return paste(background(rng), render_code(text), _placement(rng, (150, 190)))


def _crumple(
    text: str,
    rng: random.Random,
    amplitude: tuple[float, float],
    frequency: tuple[float, float],
    depth: float,
) -> Image:
    """Paper with creases: a smooth random displacement field, and shading along it."""
    code = render_code(text, 8)
    h, w = code.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    amp = rng.uniform(*amplitude)
    fx, fy = rng.uniform(*frequency), rng.uniform(*frequency)
    px, py = rng.uniform(0, 6.28), rng.uniform(0, 6.28)
    dx = amp * np.sin(2 * math.pi * fy * yy / h + px)
    dy = amp * np.sin(2 * math.pi * fx * xx / w + py)
    warped = cv2.remap(
        code, xx + dx, yy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ).astype(np.float32)
    shade = 1 - depth * (np.cos(2 * math.pi * fx * xx / w + py) + 1) / 2
    return _to_u8(warped * shade)


def _crumpled(text: str, rng: random.Random) -> Image:
    paper = _crumple(text, rng, (1.2, 2.4), (1.0, 2.0), 0.18)
    return paste(background(rng), paper, _placement(rng, (320, 440), tilt=0.1))


CATEGORIES: dict[str, Callable[[str, random.Random], Image]] = {
    "clean": _clean,
    "perspective": _perspective,
    "blur": _blur,
    "motion_blur": _motion_blur,
    "low_light": _low_light,
    "glare": _glare,
    "phone_screen": _phone_screen,
    "inverted": _inverted,
    "partly_covered": _partly_covered,
    "small": _small,
    "crumpled": _crumpled,
}


# --- hard cases ---------------------------------------------------------------------
#
# What real gates add to each condition, at the edge of what a code can survive: steep
# tilt with part of the code outside the frame (its finder patterns still in view),
# occlusion up to what error correction M repairs, grey on dark with a brightness
# gradient, saturating glare, heavy JPEG compression, a rolling shutter's skew, and a
# crumpled print-out under warm light.


def _jpeg(frame: Image, rng: random.Random, quality: tuple[int, int] = (18, 35)) -> Image:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(*quality)])
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else None
    if decoded is None:
        raise ValueError("OpenCV could not round-trip a frame through JPEG")
    return np.asarray(decoded, dtype=np.uint8)


def _rolling_shutter(frame: Image, rng: random.Random) -> Image:
    """A phone moved while the sensor read its rows: each row a little further along."""
    h, w = frame.shape[:2]
    shear = rng.uniform(0.04, 0.09) * rng.choice((-1, 1))
    matrix = np.array([[1, shear, -shear * h / 2], [0, 1, 0]], dtype=np.float32)
    out: Image = cv2.warpAffine(frame, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
    return out


def _camera_artefacts(frame: Image, rng: random.Random) -> Image:
    """Some hard frames also carry a cheap camera's artefacts."""
    if rng.random() < 0.3:
        frame = _rolling_shutter(frame, rng)
    if rng.random() < 0.35:
        frame = _jpeg(frame, rng)
    return frame


def _hard_clean(text: str, rng: random.Random) -> Image:
    frame = paste(background(rng), render_code(text), _placement(rng, (240, 380)))
    return _jpeg(_rolling_shutter(frame, rng), rng, (15, 30))


def _hard_perspective(text: str, rng: random.Random) -> Image:
    """Tilted up to about 60 degrees, its free corner (the one without a finder
    pattern) pointing out of the frame and cut off."""
    width = rng.uniform(300, 420)
    tilt = rng.uniform(0.3, 0.5)
    frame_w, frame_h = FRAME_SIZE
    diagonal = width * math.sqrt(2) / 2
    out_by = rng.uniform(0.04, 0.1) * width
    side = rng.choice(("right", "bottom"))
    if side == "right":  # rotate so the free corner points right
        rotation = -45 + rng.uniform(-6, 6)
        centre = (frame_w - diagonal + out_by, rng.uniform(diagonal, frame_h - diagonal))
    else:  # ... or down
        rotation = 45 + rng.uniform(-6, 6)
        centre = (rng.uniform(diagonal, frame_w - diagonal), frame_h - diagonal + out_by)
    placement = Placement(
        cx=centre[0],
        cy=centre[1],
        width=width,
        rotation_deg=rotation,
        tilt_x=tilt * rng.choice((-1, 1)),
        tilt_y=rng.uniform(-0.15, 0.15),
    )
    return _camera_artefacts(paste(background(rng), render_code(text), placement), rng)


def _hard_small(text: str, rng: random.Random) -> Image:
    frame = paste(background(rng), render_code(text), _placement(rng, (118, 145), tilt=0.08))
    return _camera_artefacts(frame, rng)


def _hard_blur(text: str, rng: random.Random) -> Image:
    frame = paste(background(rng), render_code(text), _placement(rng, (300, 440)))
    return _camera_artefacts(cv2.GaussianBlur(frame, (0, 0), rng.uniform(2.6, 3.4)), rng)


def _hard_motion_blur(text: str, rng: random.Random) -> Image:
    frame = paste(background(rng), render_code(text), _placement(rng, (320, 440)))
    return _camera_artefacts(_smear(frame, rng, (13, 19)), rng)


def _hard_low_light(text: str, rng: random.Random) -> Image:
    """Grey on dark: little contrast in the code itself, a gradient across the frame,
    a dim exposure and sensor noise."""
    code = render_code(text, dark=rng.randint(70, 95), light=rng.randint(120, 150))
    frame = paste(background(rng), code, _placement(rng, (280, 420), tilt=0.1)).astype(np.float32)
    h, w = frame.shape[:2]
    angle = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = ((xx - w / 2) * math.cos(angle) + (yy - h / 2) * math.sin(angle)) / max(w, h)
    light = (rng.uniform(0.18, 0.3) + rng.uniform(0.1, 0.2) * ramp)[:, :, None]
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(2, 4), frame.shape)
    return _camera_artefacts(_to_u8(frame * light + noise), rng)


def _hard_glare(text: str, rng: random.Random) -> Image:
    """A floodlight's reflection saturating part of the code (not its finder patterns)."""
    placement = _placement(rng, (320, 440))
    frame = paste(background(rng), render_code(text), placement).astype(np.float32)
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx = placement.cx + rng.uniform(-0.1, 0.25) * placement.width
    gy = placement.cy + rng.uniform(-0.1, 0.25) * placement.width
    radius = placement.width * rng.uniform(0.12, 0.17)
    spot = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2))[:, :, None]
    haze = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * (radius * 3) ** 2))[:, :, None]
    frame = frame + spot * rng.uniform(260, 340) + haze * rng.uniform(40, 80)
    return _camera_artefacts(_to_u8(frame), rng)


def _hard_phone_screen(text: str, rng: random.Random) -> Image:
    """A dim screen at an angle, its pixel grid beating with the camera's (moiré), and
    a strong reflection."""
    image = _screen_image(text, rng, inverted=False).astype(np.float32)
    h, w = image.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(5.0, 9.0)
    moire = 1 - 0.18 * (np.sin(2 * math.pi * (xx * 0.7 + yy * 0.4) / period) + 1) / 2
    image = np.clip(image * moire * rng.uniform(0.55, 0.8), 0, 255).astype(np.uint8)
    placement = _placement(rng, (300, 400), tilt=0.25)
    frame = paste(background(rng), image, placement).astype(np.float32)
    fh, fw = frame.shape[:2]
    fy, fx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    band = np.exp(-(((fx - fy * rng.uniform(0.3, 1.5)) - rng.uniform(0, fw)) ** 2) / (2 * 60**2))
    frame += band[:, :, None] * rng.uniform(60, 100)
    return _camera_artefacts(_to_u8(frame), rng)


def _hard_inverted(text: str, rng: random.Random) -> Image:
    image = _screen_image(text, rng, inverted=True).astype(np.float32) * rng.uniform(0.5, 0.75)
    frame = paste(background(rng), _to_u8(image), _placement(rng, (280, 380), tilt=0.25))
    return _camera_artefacts(frame, rng)


def _hard_partly_covered(text: str, rng: random.Random) -> Image:
    """Damage within what error correction M repairs, never over a finder pattern: one
    or two grey patches (a smudge, a sticker, a thumb) anywhere else (over the
    alignment or timing pattern too) covering up to about 9 % of the modules together,
    sometimes with a pen stroke across the data."""
    code = render_code(text)
    module = 8
    size = code.shape[0] // module - 8  # modules, without the quiet zone
    quiet = 4 * module
    covered = code.copy()
    patches = rng.choice((1, 1, 2))
    budget = 0.09 * size * size / patches  # modules each patch may cover
    for _ in range(patches):
        wide = int(min(size * 0.45, math.sqrt(budget) * rng.uniform(0.8, 1.6)))
        high = int(min(size * 0.45, budget / max(wide, 1)))
        for _attempt in range(50):  # a place clear of the three finder patterns
            top, left = rng.randint(0, size - high), rng.randint(0, size - wide)
            clear_of_finders = not (
                (top < 8 and left < 8)
                or (top < 8 and left + wide > size - 8)
                or (top + high > size - 8 and left < 8)
            )
            if clear_of_finders:
                break
        else:
            continue
        grey = rng.randint(60, 200)
        y, x = quiet + top * module, quiet + left * module
        covered[y : y + high * module, x : x + wide * module] = grey
    if rng.random() < 0.3:  # a pen stroke across the data area
        a = (quiet + rng.randint(10, size - 10) * module, quiet + 9 * module)
        b = (quiet + rng.randint(10, size - 10) * module, quiet + (size - 9) * module)
        cv2.line(covered, a, b, rng.choice((30, 220)), thickness=module // 2)
    frame = paste(background(rng), covered, _placement(rng, (320, 440), tilt=0.1))
    return _camera_artefacts(frame, rng)


def _hard_crumpled(text: str, rng: random.Random) -> Image:
    """A crumpled print-out under warm light: deeper creases, shading and an orange cast."""
    paper = cv2.cvtColor(_crumple(text, rng, (2.4, 3.6), (1.5, 2.8), 0.3), cv2.COLOR_GRAY2BGR)
    warm = np.array([0.55, 0.8, 1.05], dtype=np.float32)  # B, G, R: tungsten light
    frame = paste(background(rng), paper, _placement(rng, (320, 440), tilt=0.15))
    return _camera_artefacts(_to_u8(frame.astype(np.float32) * warm), rng)


HARD_CATEGORIES: dict[str, Callable[[str, random.Random], Image]] = {
    "clean": _hard_clean,
    "perspective": _hard_perspective,
    "blur": _hard_blur,
    "motion_blur": _hard_motion_blur,
    "low_light": _hard_low_light,
    "glare": _hard_glare,
    "phone_screen": _hard_phone_screen,
    "inverted": _hard_inverted,
    "partly_covered": _hard_partly_covered,
    "small": _hard_small,
    "crumpled": _hard_crumpled,
}


def make_frame(text: str, category: str, seed: int, *, hard: bool = False) -> Image:
    """One 1280×720 BGR frame of ``text`` under ``category``, the same for the same seed;
    ``hard``: the category's hard case (see above)."""
    if hard:
        return HARD_CATEGORIES[category](text, random.Random(f"hard:{category}:{seed}"))
    return CATEGORIES[category](text, random.Random(f"{category}:{seed}"))


def multi_code_frame(texts: Sequence[str], seed: int) -> Image:
    """Several codes side by side in one frame (a family holding up their tickets)."""
    rng = random.Random(f"multi:{seed}")
    scene = background(rng)
    slot = FRAME_SIZE[0] / len(texts)
    for index, text in enumerate(texts):
        placement = Placement(
            cx=slot * (index + 0.5),
            cy=FRAME_SIZE[1] / 2 + rng.uniform(-80, 80),
            width=min(slot * 0.8, 360),
            rotation_deg=rng.uniform(-15, 15),
        )
        scene = paste(scene, render_code(text), placement)
    return scene


def empty_frame(seed: int) -> Image:
    return background(random.Random(f"empty:{seed}"))


def write_video(path: str, frames: Sequence[Image], fps: float = 30.0) -> None:
    """Write BGR frames as a video (MJPG in .avi: every OpenCV build can read it back)."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"cannot write a video to {path}")
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()


def forged_copy(text: str) -> str:
    """The same ticket with one signature bit flipped: it decodes, but is not genuine.

    What a forger who edits a real code produces; the demo, the screenshots and the
    tests show it to the gate.
    """
    raw = bytearray(base45.b45decode(text))
    raw[-7] ^= 0x10
    forged: str = base45.b45encode(bytes(raw)).decode("ascii")
    return forged
