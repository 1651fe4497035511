"""The Qt bridge: runs the pipeline and the sync client off the GUI thread.

Workers publish plain dataclasses; this object re-emits them as signals, which
Qt queues onto the GUI thread because the bridge lives there.  Anything that
touches the database or the network (an override, a mode switch, "sync now",
enrolment, the status strip's counts) runs on a worker thread and reports back
through :attr:`KioskBridge.actionDone`.  Widgets never call the store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from scanner.checkpoint import Checkpoint
from scanner.gate import Gate
from scanner.pipeline import (
    CameraState,
    CameraStateEvent,
    FrameEvent,
    InputSource,
    InstructionEvent,
    Pipeline,
    PipelineEvent,
    VerdictEvent,
)
from scanner.verdict import Verdict
from sync.client import SyncClient, SyncStatus
from sync.scheduler import SyncScheduler
from sync.trust import TrustError, is_enrolment_qr, parse_enrolment_qr
from ui.sync_wiring import SyncWiring

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KioskStatus:
    mode: str
    gate: str
    events: str
    enrolled: bool
    online: bool
    last_sync: datetime | None
    pending_uploads: int
    manifest_age_seconds: float | None
    admitted: int
    camera: CameraState
    skew_seconds: float | None
    skew_warning: bool
    refused: str = ""
    timezone: str = "UTC"
    """The events' time zone: every time of day on screen is in it."""
    quarantined: int = 0
    """Records set aside because the server can never take them."""
    trust_problem: str = ""
    """Why the last manifest page was refused ("" when the list is trusted)."""
    insecure: bool = False
    """Syncing over plain http (a closed LAN, chosen at enrolment)."""
    manifest_pulled_at: datetime | None = None


def to_qimage(image: np.ndarray) -> QImage:
    height, width = image.shape[:2]
    data = np.ascontiguousarray(image)
    return QImage(data.data, width, height, data.strides[0], QImage.Format.Format_BGR888).copy()


class KioskBridge(QObject):
    verdictReady = Signal(object)  # VerdictEvent
    frameReady = Signal(QImage, object)  # preview image, tuple of code outlines
    cameraChanged = Signal(object)  # CameraStateEvent
    statusChanged = Signal(object)  # KioskStatus
    actionDone = Signal(str, object)  # action name, its result or the exception it raised
    enrolmentRead = Signal(str, str, str)  # server address, code, or "", "", the problem

    def __init__(
        self,
        gate: Gate,
        pipeline: Pipeline,
        *,
        client: SyncClient | None = None,
        scheduler: SyncScheduler | None = None,
        wiring: SyncWiring | None = None,
        status_interval: float = 1.0,
        preview_fps: float = 15.0,
    ) -> None:
        super().__init__()
        self.gate = gate
        self.pipeline = pipeline
        if pipeline.instruction is None:  # enrolment QR codes are for the kiosk, not the gate
            pipeline.instruction = is_enrolment_qr
        self.client = client
        self.scheduler = scheduler
        self.status_interval = status_interval
        self._preview_every = 1.0 / preview_fps if preview_fps > 0 else float("inf")
        self._last_preview = 0.0
        self._stop = threading.Event()
        self._status_thread = threading.Thread(target=self._status_loop, name="status", daemon=True)
        self._workers: list[threading.Thread] = []
        self.wiring = wiring or SyncWiring()
        self.last_verdict: Verdict | None = None
        self.last_rejection: Verdict | None = None
        """The latest refusal: what a supervisor opening the panel is asked about."""
        self.timezone = gate.timezone

    # --- life cycle ---------------------------------------------------------------

    def start(self) -> None:
        self.pipeline.subscribe(self._on_event)
        self.pipeline.start()
        if self.scheduler is not None:
            self.scheduler.start()
        self._status_thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.pipeline.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        self._status_thread.join(5)
        for worker in self._workers:
            worker.join(10)

    # --- from workers to signals -------------------------------------------------------

    def _on_event(self, event: PipelineEvent) -> None:
        if isinstance(event, VerdictEvent):
            if not event.verdict.repeat:
                self.last_verdict = event.verdict
                if not event.verdict.positive:
                    self.last_rejection = event.verdict
                if event.verdict.admits and self.scheduler is not None:
                    self.scheduler.notify_scan()
            self.verdictReady.emit(event)
        elif isinstance(event, FrameEvent):
            now = time.monotonic()
            if now - self._last_preview >= self._preview_every or event.codes:
                self._last_preview = now
                outlines = tuple(code.corners for code in event.codes)
                self.frameReady.emit(to_qimage(event.frame.image), outlines)
        elif isinstance(event, CameraStateEvent):
            self.cameraChanged.emit(event)
        elif isinstance(event, InstructionEvent):
            try:
                server, code = parse_enrolment_qr(event.text)
            except TrustError as exc:
                self.enrolmentRead.emit("", "", str(exc))
            else:
                self.enrolmentRead.emit(server, code, "")

    @property
    def enrolled(self) -> bool:
        return self.client is not None

    def status_now(self) -> KioskStatus:
        """Reads the store: call from a worker thread, never from the GUI."""
        sync: SyncStatus | None = self.client.status() if self.client is not None else None
        now = datetime.now(UTC)
        counts = self.gate.store.counts_by_verdict()
        self.timezone = self.gate.timezone
        return KioskStatus(
            mode=str(self.gate.checkpoint.mode),
            gate=self.gate.gate_name,
            events=", ".join(str(e) for e in sorted(self.gate.event_ids)),
            enrolled=bool(sync and sync.enrolled),
            online=bool(sync and sync.online),
            last_sync=sync.last_sync if sync else None,
            pending_uploads=sync.pending_uploads if sync else self.gate.store.pending_count(),
            manifest_age_seconds=sync.manifest_age_seconds(now) if sync else None,
            admitted=counts.get("admitted", 0),
            camera=self.pipeline.camera_state,
            skew_seconds=sync.clock_skew_seconds if sync else None,
            skew_warning=bool(sync and sync.skew_warning),
            refused=sync.refused if sync else "",
            timezone=self.timezone,
            quarantined=sync.quarantined if sync else self.gate.store.quarantine_count(),
            trust_problem=sync.trust_problem if sync else "",
            insecure=sync.insecure if sync else False,
            manifest_pulled_at=sync.manifest_pulled_at if sync else None,
        )

    def _status_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.statusChanged.emit(self.status_now())
            except Exception:  # the strip must keep updating whatever one read did
                log.exception("status update failed")
            self._stop.wait(self.status_interval)

    # --- from widgets to workers ----------------------------------------------------------

    def submit_text(self, text: str, source: InputSource) -> None:
        self.pipeline.submit_text(text, source)

    def run(self, name: str, action: Callable[[], Any]) -> None:
        """Run ``action`` on a worker thread; its result (or exception) comes back as
        ``actionDone(name, result)``."""

        def work() -> None:
            try:
                result: Any = action()
            except Exception as exc:  # reported to the person who asked, in words
                log.info("%s failed: %s", name, exc)
                result = exc
            self.actionDone.emit(name, result)

        thread = threading.Thread(target=work, name=f"action-{name}", daemon=True)
        self._workers = [w for w in self._workers if w.is_alive()] + [thread]
        thread.start()

    def override(self, verdict: Verdict, supervisor: str, reason: str) -> None:
        def action() -> Verdict:
            result = self.gate.override(
                verdict, supervisor=supervisor, reason=reason, now=datetime.now(UTC)
            )
            self.last_verdict = result
            self.verdictReady.emit(VerdictEvent(result, InputSource.MANUAL, "", None, None))
            return result

        self.run("override", action)

    def set_checkpoint(self, checkpoint: Checkpoint, actor: str) -> None:
        self.run(
            "checkpoint",
            lambda: self.gate.set_checkpoint(checkpoint, actor=actor, now=datetime.now(UTC)),
        )

    def enrol(self, server_url: str, code: str) -> None:
        """Enrol from the supervisor panel; syncing starts as soon as it succeeds, wired
        exactly as at start-up (:class:`SyncWiring`: the configured interval and
        clock-skew threshold)."""

        def action() -> str:
            client = self.client or self.wiring.client(self.gate.store)
            answer = client.enrol(server_url, code, insecure_http=self.wiring.allow_insecure_http)
            self.gate.reload_manifest()
            self.gate.set_events(answer.event_ids, actor="supervisor", now=datetime.now(UTC))
            self.gate.rename(answer.gate, actor="supervisor", now=datetime.now(UTC))
            if self.client is None:
                self.client = client
                self.scheduler = self.wiring.scheduler(client, self.gate)
                self.scheduler.start()
            return answer.gate

        self.run("enrol", action)

    def change_source(self, spec: str) -> None:
        """Open another camera, video or image folder in place of the current source."""
        from scanner.camera import open_source

        self.run("camera", lambda: self.pipeline.restart(open_source(spec) if spec else None))

    def sync_now(self) -> None:
        if self.client is None:
            self.actionDone.emit("sync", RuntimeError("this kiosk has no sync server"))
            return
        client = self.client
        self.run("sync", client.sync_once)
