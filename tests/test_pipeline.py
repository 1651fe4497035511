"""Frames to verdicts through the real pipeline: video replay, typed codes, unplugging."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import Gate, Mode, Revocation, Store, TicketStatus, preset, sign
from scanner.camera import CameraError, Frame, ImageFolderSource, VideoFileSource
from scanner.pipeline import (
    CameraState,
    CameraStateEvent,
    FrameEvent,
    InputSource,
    Pipeline,
    PipelineEvent,
    VerdictEvent,
    media_clock,
)
from tests.conftest import NOW, Issue, forge, make_claims, valid_now
from ui.demo.scene import empty_frame, make_frame, write_video

DEADLINE = 60.0


class Recorder:
    """Collects pipeline events and lets a test wait for a condition on them."""

    def __init__(self) -> None:
        self.events: list[PipelineEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: PipelineEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def verdicts(self) -> list[VerdictEvent]:
        with self._cond:
            return [e for e in self.events if isinstance(e, VerdictEvent) and not e.verdict.repeat]

    def states(self) -> list[CameraStateEvent]:
        with self._cond:
            return [e for e in self.events if isinstance(e, CameraStateEvent)]

    def wait_for(self, condition: Callable[[], bool], timeout: float = DEADLINE) -> None:
        with self._cond:
            ok = self._cond.wait_for(condition, timeout)
        assert ok, "condition not met before the deadline"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def test_a_video_gives_one_verdict_per_presentation_in_order(
    tmp_path: Path, issue: Issue, store: Store, recorder: Recorder
) -> None:
    a, _ = issue()
    b, _ = issue()
    revoked, revoked_claims = issue()
    store.revoke([Revocation(revoked_claims.ticket_hex, TicketStatus.REFUNDED, NOW)])
    genuine_c, _ = issue()
    forged = forge(genuine_c)

    blank = empty_frame(0)
    script: list[tuple[np.ndarray, int]] = [
        (blank, 20),
        (make_frame(a, "clean", 1), 45),  # held in view for 1.5 s
        (blank, 15),
        (make_frame(b, "perspective", 2), 45),
        (blank, 15),
        (make_frame(forged, "clean", 3), 30),
        (blank, 15),
        (make_frame(a, "phone_screen", 4), 30),  # A again, 4 s after it was last seen
        (blank, 15),
        (make_frame(revoked, "glare", 5), 30),
        (blank, 10),
    ]
    video = tmp_path / "gate.avi"
    write_video(str(video), [image for image, count in script for _ in range(count)], fps=30)

    gate = Gate(store, preset(Mode.ENTRY), gate_name="Gate 2")
    pipeline = Pipeline(
        gate, VideoFileSource(video, realtime=True, speed=4.0), clock=media_clock(NOW)
    )
    pipeline.subscribe(recorder)
    pipeline.start()
    try:
        assert pipeline.wait_until_source_ends(DEADLINE)
    finally:
        pipeline.stop()

    got = [(e.text, e.verdict.kind, e.verdict.reason) for e in recorder.verdicts()]
    assert got == [
        (a, "admitted", ""),
        (b, "admitted", ""),
        (forged, "invalid", "bad_signature"),
        (a, "already_used", ""),
        (revoked, "revoked", "refunded"),
    ]
    assert all(e.source is InputSource.CAMERA for e in recorder.verdicts())
    assert all(e.latency_ms is not None and e.latency_ms >= 0 for e in recorder.verdicts())
    assert pipeline.stats.verdicts == 5
    assert [s.state for s in recorder.states()][-1] is CameraState.ENDED
    previews = [e for e in recorder.events if isinstance(e, FrameEvent) and e.codes]
    assert previews
    assert len(previews[0].codes[0].corners) == 4


def test_typed_codes_take_the_same_path_as_the_camera(
    issue: Issue, store: Store, recorder: Recorder
) -> None:
    text, claims = issue(**valid_now())
    pipeline = Pipeline(Gate(store, preset(Mode.ENTRY), gate_name="Gate 1"))
    pipeline.subscribe(recorder)
    pipeline.start()
    try:
        pipeline.submit_text(text + "\r\n", InputSource.WEDGE)
        pipeline.submit_text("HELLO", InputSource.MANUAL)
        recorder.wait_for(lambda: len(recorder.verdicts()) == 2)
    finally:
        pipeline.stop()
    wedge, manual = recorder.verdicts()
    assert (wedge.source, wedge.verdict.kind, wedge.verdict.ticket_id) == (
        InputSource.WEDGE,
        "admitted",
        claims.ticket_hex,
    )
    assert (manual.source, manual.verdict.kind) == (InputSource.MANUAL, "invalid")


def test_an_image_folder_is_a_frame_source(
    tmp_path: Path, issue: Issue, store: Store, recorder: Recorder
) -> None:
    import cv2

    texts = [issue()[0] for _ in range(3)]
    for n, text in enumerate(texts):
        cv2.imwrite(str(tmp_path / f"{n:02d}.png"), make_frame(text, "clean", n))
    source = ImageFolderSource(tmp_path, frames_per_image=3, realtime=True, fps=120)
    pipeline = Pipeline(
        Gate(store, preset(Mode.ENTRY), gate_name="G"), source, clock=media_clock(NOW)
    )
    pipeline.subscribe(recorder)
    pipeline.start()
    try:
        assert pipeline.wait_until_source_ends(DEADLINE)
    finally:
        pipeline.stop()
    assert [e.text for e in recorder.verdicts()] == texts


class UnpluggableCamera:
    """The camera edge, replaced: delivers a frame per read while ``plugged`` is set."""

    name = "test camera"

    def __init__(self, image: np.ndarray) -> None:
        self.plugged = threading.Event()
        self.plugged.set()
        self.image = image
        self.opens = 0
        self._index = 0

    def open(self) -> None:
        self.opens += 1
        if not self.plugged.is_set():
            raise CameraError("test camera could not be opened: is it plugged in?")

    def read(self) -> Frame | None:
        if not self.plugged.is_set():
            raise CameraError("test camera stopped delivering frames: check its cable")
        self.plugged.wait(0.01)  # ~100 fps, like a fast camera (pacing, not synchronisation)
        self._index += 1
        return Frame(self.image, self._index, self._index / 100, time.perf_counter())

    def close(self) -> None:
        pass


@pytest.fixture
def unpluggable() -> UnpluggableCamera:
    return UnpluggableCamera(empty_frame(9))


def test_an_unplugged_camera_is_reported_retried_and_recovers(
    issue: Issue, store: Store, recorder: Recorder, unpluggable: UnpluggableCamera
) -> None:
    text, _ = issue(**valid_now())
    pipeline = Pipeline(
        Gate(store, preset(Mode.ENTRY), gate_name="G"),
        unpluggable,
        retry_initial=0.05,
        retry_max=0.2,
    )
    pipeline.subscribe(recorder)
    pipeline.start()
    try:
        recorder.wait_for(lambda: pipeline.camera_state is CameraState.RUNNING)
        unpluggable.plugged.clear()
        recorder.wait_for(
            lambda: sum(s.state is CameraState.FAILED for s in recorder.states()) >= 3
        )
        failures = [s for s in recorder.states() if s.state is CameraState.FAILED]
        assert "check its cable" in failures[0].message
        assert "is it plugged in?" in failures[-1].message
        retry_delays = [s.retry_in for s in failures]
        assert retry_delays[:3] == [0.05, 0.1, 0.2]  # exponential back-off, capped
        assert pipeline.camera_state is CameraState.FAILED

        unpluggable.image = make_frame(text, "clean", 0)
        unpluggable.plugged.set()
        recorder.wait_for(lambda: any(v.text == text for v in recorder.verdicts()))
    finally:
        pipeline.stop()
    assert recorder.verdicts()[0].verdict.kind == "admitted"
    states = [s.state for s in recorder.states()]
    assert states.index(CameraState.FAILED) < len(states) - 1 - states[::-1].index(
        CameraState.RUNNING
    )
    assert unpluggable.opens >= 3


def test_a_forged_ticket_on_camera_gets_invalid(store: Store, recorder: Recorder) -> None:
    forged = sign(make_claims(), Ed25519PrivateKey.generate())
    pipeline = Pipeline(
        Gate(store, preset(Mode.ENTRY), gate_name="G"),
        UnpluggableCamera(make_frame(forged, "clean", 2)),
    )
    pipeline.subscribe(recorder)
    pipeline.start()
    try:
        recorder.wait_for(lambda: len(recorder.verdicts()) >= 1)
    finally:
        pipeline.stop()
    assert recorder.verdicts()[0].verdict.kind == "unknown_key"
    assert len(recorder.verdicts()) == 1  # held in view: one verdict, not one per frame


def test_a_camera_that_does_not_exist_is_a_failed_state_not_a_crash(
    store: Store, recorder: Recorder
) -> None:
    from scanner.camera import CameraSource, open_source

    assert isinstance(open_source("/dev/video97"), CameraSource)
    pipeline = Pipeline(
        Gate(store, preset(Mode.ENTRY), gate_name="G"),
        open_source("/dev/video97"),
        retry_initial=0.05,
        retry_max=0.1,
    )
    pipeline.subscribe(recorder)
    pipeline.start()
    try:
        recorder.wait_for(
            lambda: sum(s.state is CameraState.FAILED for s in recorder.states()) >= 2
        )
    finally:
        pipeline.stop()
    failed = next(s for s in recorder.states() if s.state is CameraState.FAILED)
    assert failed.message == (
        "camera /dev/video97 could not be opened: is it plugged in, and not in use by another "
        "program?"
    )
    assert recorder.states()[-1].state is CameraState.STOPPED


def test_missing_files_are_clear_camera_errors(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match=r"video file .* does not exist"):
        VideoFileSource(tmp_path / "nope.avi").open()
    with pytest.raises(CameraError, match="no images in"):
        ImageFolderSource(tmp_path).open()
