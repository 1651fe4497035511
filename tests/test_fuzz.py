"""Hostile input: nothing escapes ``verify`` or ``Gate.scan``, nothing forged gets in."""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner import Gate, Keyring, Mode, Store, VerdictKind, preset, sign, verify
from tests.conftest import EVENT, NOW, make_claims, record_for
from tests.fuzz_inputs import fuzz_inputs

FUZZ_COUNT = int(os.environ.get("ADMITONE_FUZZ_COUNT", "100000"))
WEDGE_NOISE = "\r\n\t\x00"


@pytest.fixture
def fuzz_gate(issuer: Ed25519PrivateKey) -> Iterator[tuple[Gate, list[str]]]:
    # tmpfs when there is one: this test is about robustness, not fsync speed.
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with (
        tempfile.TemporaryDirectory(dir=base) as directory,
        Store.open(Path(directory) / "fuzz.db") as store,
    ):
        store.upsert_events([EVENT])
        store.add_public_key(issuer.public_key())
        claims = [make_claims() for _ in range(40)]
        store.upsert_tickets(record_for(c) for c in claims[:30])
        genuine = [sign(c, issuer) for c in claims]
        gate = Gate(store, preset(Mode.ENTRY), gate_name="Fuzz", debounce=timedelta(0))
        yield gate, genuine


@given(text=st.text(max_size=300))
@settings(max_examples=500, deadline=None)
def test_verify_never_raises_on_any_text(text: str) -> None:
    key = Ed25519PrivateKey.generate().public_key()
    result = verify(text, Keyring({"k": key}))
    assert not result.genuine
    assert result.rejection is not None


@pytest.mark.slow
def test_100k_random_and_mutated_inputs_never_crash_or_admit_a_forgery(
    fuzz_gate: tuple[Gate, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    gate, genuine = fuzz_gate
    genuine_set = set(genuine)
    rng = random.Random(20261124)
    counts: dict[str, int] = {}
    admitted_texts: set[str] = set()
    for index, text in enumerate(fuzz_inputs(rng, genuine, FUZZ_COUNT)):
        result = verify(text, gate.keyring)
        assert result.genuine == (text in genuine_set), text
        verdict = gate.scan(text, NOW + timedelta(milliseconds=index))
        counts[verdict.kind] = counts.get(verdict.kind, 0) + 1
        if verdict.kind is VerdictKind.ADMITTED:
            assert text.strip(WEDGE_NOISE) in genuine_set, f"admitted a non-genuine code {text!r}"
            admitted_texts.add(text.strip(WEDGE_NOISE))
    total = sum(counts.values())
    with capsys.disabled():
        summary = {str(kind): count for kind, count in sorted(counts.items())}
        print(f"\nfuzz: {total} inputs through verify and Gate.scan: {summary}")  # noqa: T201
    assert total == FUZZ_COUNT >= 100_000 or "ADMITONE_FUZZ_COUNT" in os.environ
    assert counts[VerdictKind.ADMITTED] == len(admitted_texts)  # each genuine ticket once
    assert counts[VerdictKind.ALREADY_USED] > 0
    assert counts[VerdictKind.INVALID] > FUZZ_COUNT // 2
