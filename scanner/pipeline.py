"""Frames to verdicts: capture thread, decode worker, gate worker, subscribers.

Three threads, each with one job:

- **capture** reads the source as fast as it delivers and puts each frame in a
  one-slot mailbox, overwriting a frame the decoder has not taken yet.  Stale
  frames are dropped, never queued: a queue behind a slow decoder would show
  the guest a verdict for where their phone was seconds ago.
- **decode** takes the newest frame, finds the codes in it and hands their text
  to the gate worker; it publishes the frame with the codes' outlines for the
  preview.
- **gate** runs ``Gate.scan`` for camera codes *and* for typed ones (hand
  scanners that type like a keyboard, the manual entry field), so every input
  takes the same path; only camera codes are debounced (a code still in view
  is the same guest), a typed code is always a new presentation.

Subscribers get plain dataclass events on worker threads; the Qt bridge in
``ui`` turns them into signals.  No Qt here.

The camera failing (unplugged, driver error) is a state, not an exception: it
is published, the source is closed and reopened with exponential back-off, and
frames flow again when it comes back.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from scanner.camera import CameraError, Frame, FrameSource
from scanner.decode import DecodedCode, Decoder, LayeredDecoder
from scanner.gate import Gate
from scanner.ticket import verify
from scanner.verdict import Verdict

log = logging.getLogger(__name__)


class CameraState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    FAILED = "failed"
    ENDED = "ended"
    STOPPED = "stopped"


class InputSource(StrEnum):
    CAMERA = "camera"
    WEDGE = "wedge"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class CameraStateEvent:
    state: CameraState
    message: str = ""
    retry_in: float | None = None


@dataclass(frozen=True, slots=True)
class FrameEvent:
    """A decoded frame for the preview, with every code's outline."""

    frame: Frame
    codes: tuple[DecodedCode, ...]
    decode_ms: float


@dataclass(frozen=True, slots=True)
class VerdictEvent:
    verdict: Verdict
    source: InputSource
    text: str
    latency_ms: float | None = None
    """Capture of the frame (or arrival of the typed code) to verdict."""
    frame_index: int | None = None
    arrived_at: float | None = None
    """``time.perf_counter()`` when the frame was captured or the code typed: what a
    screen measures "verdict shown" against."""


@dataclass(frozen=True, slots=True)
class InstructionEvent:
    """A code that speaks to the kiosk rather than admits a guest (an enrolment QR
    code): never judged at the gate, handed to whoever set the pipeline's
    ``instruction`` test.  A code held up to the camera is reported once, not once
    per frame."""

    text: str
    source: InputSource


PipelineEvent = CameraStateEvent | FrameEvent | VerdictEvent | InstructionEvent
Subscriber = Callable[[PipelineEvent], None]
Clock = Callable[[Frame | None], datetime]


def wall_clock(_frame: Frame | None = None) -> datetime:
    return datetime.now(UTC)


def media_clock(start: datetime) -> Clock:
    """Gate time from the stream's own timestamps: replaying a recording gives the
    verdicts it would have given live, however fast it is decoded."""
    latest = [start]

    def clock(frame: Frame | None) -> datetime:
        if frame is not None:
            latest[0] = start + timedelta(seconds=frame.media_time)
        return latest[0]

    return clock


@dataclass
class PipelineStats:
    frames_captured: int = 0
    frames_decoded: int = 0
    frames_dropped: int = 0
    codes_found: int = 0
    verdicts: int = 0
    camera_failures: int = 0


class _Mailbox:
    """One slot: ``put`` replaces, ``take`` waits for something new."""

    def __init__(self) -> None:
        self._item: Frame | None = None
        self._closed = False
        self._cond = threading.Condition()

    def put(self, frame: Frame) -> bool:
        """Store ``frame``; True when it overwrote one nobody took (a drop)."""
        with self._cond:
            dropped = self._item is not None
            self._item = frame
            self._cond.notify()
            return dropped

    def take(self, timeout: float) -> Frame | None:
        with self._cond:
            if self._item is None and not self._closed:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed and self._item is None


@dataclass(frozen=True, slots=True)
class _Work:
    text: str
    source: InputSource
    arrived_at: float
    frame: Frame | None = None


_STOP = object()
INSTRUCTION_REPEAT_SECONDS = 10.0
"""An instruction code seen again within this long of its last sighting is the same
showing (the camera reads it thirty times a second)."""


class Pipeline:
    def __init__(
        self,
        gate: Gate,
        source: FrameSource | None = None,
        *,
        decoder: Decoder | None = None,
        clock: Clock = wall_clock,
        retry_initial: float = 0.25,
        retry_max: float = 5.0,
        publish_frames: bool = True,
        instruction: Callable[[str], bool] | None = None,
    ) -> None:
        self.gate = gate
        self.source = source
        self.decoder = decoder or LayeredDecoder()
        self.clock = clock
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.publish_frames = publish_frames
        self.instruction = instruction
        self._last_instruction: tuple[str, float] = ("", 0.0)
        self.stats = PipelineStats()
        self.camera_state = CameraState.STOPPED
        self._subscribers: list[Subscriber] = []
        self._mailbox = _Mailbox()
        self._work: queue.Queue[_Work | object] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- wiring ------------------------------------------------------------

    @property
    def decoder(self) -> Decoder:
        return self._decoder

    @decoder.setter
    def decoder(self, decoder: Decoder) -> None:
        """A layered decoder is told what verifies at this gate: it keeps looking until
        a read does, and never passes on a misread from one of its enhancement passes."""
        if isinstance(decoder, LayeredDecoder) and decoder.accept is None:
            decoder.accept = self._genuine
        self._decoder = decoder

    def _genuine(self, text: str) -> bool:
        return verify(text, self.gate.keyring).genuine

    def subscribe(self, callback: Subscriber) -> None:
        self._subscribers.append(callback)

    def _publish(self, event: PipelineEvent) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:  # a broken subscriber must not stop the gate
                log.exception("pipeline subscriber %r failed", callback)

    def start(self) -> None:
        if self._threads:
            raise RuntimeError("pipeline already started")
        self._stop.clear()
        self._threads = [threading.Thread(target=self._gate_loop, name="gate", daemon=True)]
        if self.source is not None:
            self._threads += [
                threading.Thread(target=self._capture_loop, name="capture", daemon=True),
                threading.Thread(target=self._decode_loop, name="decode", daemon=True),
            ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._mailbox.close()
        self._work.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def restart(self, source: FrameSource | None) -> None:
        """Switch to another frame source (a supervisor picked another camera)."""
        self.stop()
        self.source = source
        self._mailbox = _Mailbox()
        self._work = queue.Queue()
        self.start()

    def wait_until_source_ends(self, timeout: float) -> bool:
        """For finite sources: True once every frame was read, decoded and judged."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread.name in ("capture", "decode"):
                thread.join(max(0.0, deadline - time.monotonic()))
                if thread.is_alive():
                    return False
        return self.drain(max(0.0, deadline - time.monotonic()))

    def drain(self, timeout: float) -> bool:
        """Wait until the gate worker has handled everything queued so far."""
        done = threading.Event()
        self._work.put(done)
        return done.wait(timeout)

    # --- typed input -----------------------------------------------------------

    def submit_text(self, text: str, source: InputSource = InputSource.WEDGE) -> None:
        """A code typed by a hand scanner or a person: same gate, same path, no waiting."""
        self._work.put(_Work(text, source, time.perf_counter()))

    # --- threads ---------------------------------------------------------------

    def _instruct(self, item: _Work) -> None:
        text, seen_at = self._last_instruction
        self._last_instruction = (item.text, item.arrived_at)
        if (
            item.source is InputSource.CAMERA
            and text == item.text
            and item.arrived_at - seen_at < INSTRUCTION_REPEAT_SECONDS
        ):
            return  # the same code still in view
        self._publish(InstructionEvent(item.text, item.source))

    def _set_camera_state(
        self, state: CameraState, message: str = "", retry_in: float | None = None
    ) -> None:
        self.camera_state = state
        self._publish(CameraStateEvent(state, message, retry_in))

    def _capture_loop(self) -> None:
        assert self.source is not None
        source = self.source
        delay = self.retry_initial
        self._set_camera_state(CameraState.STARTING, source.name)
        opened = False
        try:
            while not self._stop.is_set():
                try:
                    if not opened:
                        source.open()
                        opened = True
                    frame = source.read()
                except CameraError as exc:
                    self.stats.camera_failures += 1
                    log.warning("%s; retrying in %.1f s", exc, delay)
                    self._set_camera_state(CameraState.FAILED, str(exc), delay)
                    if opened:
                        source.close()
                        opened = False
                    if self._stop.wait(delay):
                        break
                    delay = min(delay * 2, self.retry_max)
                    continue
                if frame is None:
                    self._set_camera_state(CameraState.ENDED, f"{source.name} ended")
                    break
                if self.camera_state is not CameraState.RUNNING:
                    self._set_camera_state(CameraState.RUNNING, source.name)
                    delay = self.retry_initial
                self.stats.frames_captured += 1
                if self._mailbox.put(frame):
                    self.stats.frames_dropped += 1
        finally:
            if opened:
                source.close()
            self._mailbox.close()
            if self._stop.is_set():
                self._set_camera_state(CameraState.STOPPED)

    def _decode_loop(self) -> None:
        while True:
            frame = self._mailbox.take(timeout=0.5)
            if frame is None:
                if self._mailbox.closed or self._stop.is_set():
                    return
                continue
            started = time.perf_counter()
            try:
                codes = self.decoder.decode(frame.image)
            except Exception:  # one bad frame must not end scanning
                log.exception("decoder %s failed on frame %d", self.decoder.name, frame.index)
                codes = []
            decode_ms = (time.perf_counter() - started) * 1000
            self.stats.frames_decoded += 1
            self.stats.codes_found += len(codes)
            for code in codes:
                self._work.put(_Work(code.text, InputSource.CAMERA, frame.captured_at, frame))
            if self.publish_frames:
                self._publish(FrameEvent(frame, tuple(codes), decode_ms))

    def _gate_loop(self) -> None:
        while True:
            item = self._work.get()
            if item is _STOP:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            assert isinstance(item, _Work)
            if self.instruction is not None and self.instruction(item.text):
                self._instruct(item)
                continue
            try:
                verdict = self.gate.scan(
                    item.text, self.clock(item.frame), camera=item.source is InputSource.CAMERA
                )
            except Exception:  # the store failing is logged loudly; the gate keeps serving
                log.exception("the gate failed to judge a %s code", item.source)
                continue
            latency_ms = (time.perf_counter() - item.arrived_at) * 1000
            if not verdict.repeat:
                self.stats.verdicts += 1  # only this thread writes it
            self._publish(
                VerdictEvent(
                    verdict,
                    item.source,
                    item.text,
                    latency_ms,
                    item.frame.index if item.frame else None,
                    item.arrived_at,
                )
            )
