"""No false reads: a frame without a code reads nothing, another kind of barcode reads
nothing, and a QR code that is not ours is "not an AdmitOne code" at the gate: with
every enhancement pass of the layered decoder in play (some see codes in noise)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import Gate, Keyring, Mode, Store, preset, verify
from scanner.decode import LayeredDecoder
from scanner.verdict import VerdictKind
from ui.demo.scene import Placement, background, make_frame, paste, render_code
from ui.presentation import view_of

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _decoder() -> LayeredDecoder:
    ring = Keyring()
    ring.add(KEY.public_key())
    return LayeredDecoder(accept=lambda text: verify(text, ring).genuine)


def _busy_scene(seed: int) -> np.ndarray:
    """A gate's background with what looks most like a code: checkerboards, printed
    text, a grid, stripes, a crowd's patterned shirts."""
    rng = random.Random(seed)
    scene = background(rng)
    for _ in range(rng.randint(2, 5)):
        kind = rng.choice(("checker", "text", "grid", "stripes"))
        x, y = rng.randrange(0, 1100), rng.randrange(0, 560)
        size = rng.randint(60, 200)
        patch = scene[y : y + size, x : x + size]
        h, w = patch.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w]
        cell = rng.randint(4, 14)
        if kind == "checker":
            mask = ((yy // cell + xx // cell) % 2).astype(bool)
        elif kind == "grid":
            mask = (yy % cell == 0) | (xx % cell == 0)
        elif kind == "stripes":
            mask = (xx // cell) % 2 == 0
        else:
            mask = np.zeros((h, w), bool)
            canvas = np.zeros((h, w), np.uint8)
            for line in range(0, h, 18):
                cv2.putText(canvas, "ADMIT ONE 2026", (2, line + 14), 0, 0.45, 255, 1)
            mask = canvas > 0
        patch[mask] = rng.randint(0, 40)
        patch[~mask] = np.maximum(patch[~mask], rng.randint(180, 250))
    return scene


def _pasted(image: np.ndarray, seed: int, width: float = 360) -> np.ndarray:
    rng = random.Random(seed)
    placement = Placement(cx=640, cy=360, width=width, rotation_deg=rng.uniform(-15, 15))
    return paste(background(rng), image, placement)


def _barcode(text: str, kind: zxingcpp.BarcodeFormat, scale: int) -> np.ndarray:
    image = np.array(zxingcpp.create_barcode(text, kind).to_image(scale=scale), dtype=np.uint8)
    return cv2.copyMakeBorder(image, 24, 24, 24, 24, cv2.BORDER_CONSTANT, value=255)


@pytest.mark.slow
def test_busy_frames_without_a_code_read_nothing() -> None:
    decoder = _decoder()
    read = [
        (seed, [c.text for c in codes])
        for seed in range(120)
        if (codes := decoder.decode(_busy_scene(seed)))
    ]
    assert read == []


@pytest.mark.parametrize(
    ("text", "kind", "scale"),
    [
        ("5901234123457", zxingcpp.BarcodeFormat.EAN13, 3),
        ("ADMIT-ONE-000042", zxingcpp.BarcodeFormat.Code128, 3),
        ("NCFOOD:BATCH-7731", zxingcpp.BarcodeFormat.DataMatrix, 10),
    ],
)
def test_other_barcodes_read_nothing(text: str, kind: zxingcpp.BarcodeFormat, scale: int) -> None:
    decoder = _decoder()
    for seed in range(6):
        assert decoder.decode(_pasted(_barcode(text, kind, scale), seed)) == []


def test_a_qr_code_that_is_not_ours_is_not_an_admitone_code(tmp_path: Path) -> None:
    """A QR with a web address, shown at the gate, hard or easy: read, and judged "not
    an AdmitOne code", never anything else."""
    decoder = _decoder()
    url = "https://example.org/tickets/8812?utm=flyer"
    with Store.open(tmp_path / "kiosk.db") as store:
        store.add_public_key(KEY.public_key())
        gate = Gate(store, preset(Mode.ENTRY), gate_name="Gate F", event_ids={7})
        frames = [_pasted(render_code(url), 1)] + [
            make_frame(url, category, 3, hard=True) for category in ("glare", "low_light")
        ]
        kinds = set()
        for frame in frames:
            for code in decoder.decode(frame):
                assert code.text == url  # never a misread of it
                verdict = gate.scan(code.text, datetime.now(UTC))
                kinds.add(verdict.kind)
                assert view_of(verdict).detail == "not an AdmitOne code"
        assert kinds == {VerdictKind.INVALID}
