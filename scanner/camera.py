"""Frame sources: a camera, a video file or a folder of images, behind one interface.

A USB camera is opened through OpenCV with the resolution asked for, MJPG where
the device offers it (uncompressed 720p over USB 2 is limited to ~10 fps), and a
one-frame driver buffer so a frame is never seconds old when we decode it.
Video files and image folders are the same interface; they feed the demo, the
tests and the benchmarks.

Failures are :class:`CameraError` with a message for a person ("camera 0 could
not be opened: is it plugged in?"); the pipeline turns them into a camera
state and retries with back-off, so an unplugged camera never ends the process.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})


@dataclass(frozen=True, slots=True)
class Frame:
    """One image (BGR, uint8) and when it was taken.

    ``media_time`` is seconds since the stream started in the stream's own clock
    (the video's timestamps, or capture time for a live camera); ``captured_at``
    is ``time.perf_counter()`` when the frame reached us, for latency.
    """

    image: np.ndarray = field(repr=False)
    index: int
    media_time: float
    captured_at: float


class CameraError(RuntimeError):
    """The source cannot deliver frames now; the message says what to check."""


class FrameSource(Protocol):
    name: str

    def open(self) -> None: ...

    def read(self) -> Frame | None:
        """The next frame, or ``None`` at the end of a finite stream."""

    def close(self) -> None: ...


class CameraSource:
    """A live camera by index (``0``) or device path (``/dev/video2``)."""

    def __init__(
        self,
        device: int | str,
        *,
        width: int = 1280,
        height: int = 720,
        fps: int = 30,
        mjpg: bool = True,
    ) -> None:
        self.device = device
        self.width, self.height, self.fps, self.mjpg = width, height, fps, mjpg
        self.name = f"camera {device}"
        self._capture: cv2.VideoCapture | None = None
        self._index = 0
        self._started = 0.0

    def open(self) -> None:
        capture = cv2.VideoCapture(self.device, cv2.CAP_ANY)
        if not capture.isOpened():
            capture.release()
            raise CameraError(
                f"{self.name} could not be opened: is it plugged in, and not in use by another "
                "program?"
            )
        if self.mjpg:
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        capture.set(cv2.CAP_PROP_FPS, self.fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._capture = capture
        self._started = time.perf_counter()
        log.info(
            "%s opened at %dx%d",
            self.name,
            int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )

    def read(self) -> Frame | None:
        if self._capture is None:
            raise CameraError(f"{self.name} is not open")
        ok, image = self._capture.read()
        if not ok or image is None:
            raise CameraError(f"{self.name} stopped delivering frames: check its cable")
        now = time.perf_counter()
        self._index += 1
        return Frame(image, self._index - 1, now - self._started, now)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class VideoFileSource:
    """A video file, played at its own frame rate (``realtime``) or as fast as it reads.

    ``speed`` fast-forwards a real-time replay (2.0 = twice as fast); frames keep
    their own timestamps, so a gate on the media clock decides as it would live.
    """

    def __init__(
        self, path: Path | str, *, realtime: bool = True, loop: bool = False, speed: float = 1.0
    ) -> None:
        self.path = Path(path)
        self.realtime = realtime
        self.speed = speed
        self.loop = loop
        self.name = f"video {self.path.name}"
        self._capture: cv2.VideoCapture | None = None
        self._fps = 30.0
        self._index = 0
        self._started = 0.0

    @property
    def fps(self) -> float:
        return self._fps

    def open(self) -> None:
        if not self.path.is_file():
            raise CameraError(f"video file {self.path} does not exist")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"{self.path} is not a video OpenCV can read")
        fps = capture.get(cv2.CAP_PROP_FPS)
        self._fps = fps if fps and fps > 0 else 30.0
        self._capture = capture
        self._started = time.perf_counter()

    def read(self) -> Frame | None:
        if self._capture is None:
            raise CameraError(f"{self.name} is not open")
        ok, image = self._capture.read()
        if not ok:
            if not self.loop:
                return None
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._capture.read()
            if not ok:
                raise CameraError(f"{self.path} could not be rewound")
        media_time = self._index / self._fps
        if self.realtime:
            due = self._started + media_time / self.speed
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # pacing like a real camera, not synchronisation
        self._index += 1
        return Frame(image, self._index - 1, media_time, time.perf_counter())

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolderSource:
    """Every image in a folder, in name order; each shown for ``frames_per_image`` frames."""

    def __init__(
        self,
        folder: Path | str,
        *,
        frames_per_image: int = 1,
        fps: float = 30.0,
        realtime: bool = False,
        loop: bool = False,
    ) -> None:
        self.folder = Path(folder)
        self.frames_per_image = max(1, frames_per_image)
        self.fps = fps
        self.realtime = realtime
        self.loop = loop
        self.name = f"images in {self.folder}"
        self._paths: list[Path] = []
        self._index = 0
        self._cached: tuple[Path, np.ndarray] | None = None
        self._started = 0.0

    def open(self) -> None:
        if not self.folder.is_dir():
            raise CameraError(f"image folder {self.folder} does not exist")
        self._paths = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._paths:
            raise CameraError(f"no images in {self.folder} (looked for {sorted(IMAGE_SUFFIXES)})")
        self._index = 0
        self._started = time.perf_counter()

    def read(self) -> Frame | None:
        if not self._paths:
            raise CameraError(f"{self.name} is not open")
        position = self._index // self.frames_per_image
        if position >= len(self._paths):
            if not self.loop:
                return None
            position %= len(self._paths)
        path = self._paths[position]
        if self._cached is None or self._cached[0] != path:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                raise CameraError(f"{path} is not an image OpenCV can read")
            self._cached = (path, image)
        media_time = self._index / self.fps
        if self.realtime:
            delay = self._started + media_time - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # pacing like a real camera, not synchronisation
        self._index += 1
        return Frame(self._cached[1], self._index - 1, media_time, time.perf_counter())

    def close(self) -> None:
        self._cached = None


def open_source(spec: str, *, realtime: bool = True, loop: bool = False) -> FrameSource:
    """A source from what an operator types: ``0``, ``/dev/video2``, a video or a folder."""
    if spec.isdigit():
        return CameraSource(int(spec))
    path = Path(spec)
    if spec.startswith("/dev/"):
        return CameraSource(spec)
    if path.is_dir():
        return ImageFolderSource(path, frames_per_image=15, realtime=realtime, loop=loop)
    return VideoFileSource(path, realtime=realtime, loop=loop)
