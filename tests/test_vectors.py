"""The pinned test vectors: format bytes and every failure's own reason."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from scanner import Gate, Keyring, Store, preset, verify
from scanner.keys import public_from_raw
from tests.vectors.generate import build

VECTORS_PATH = Path(__file__).parent / "vectors" / "tickets.json"
DOC: dict[str, Any] = json.loads(VECTORS_PATH.read_text())
NAMES = [vector["name"] for vector in DOC["vectors"]]


ISSUER_PUBLIC = public_from_raw(bytes.fromhex(DOC["keys"]["issuer"]["public_hex"]))


def issuer_ring() -> Keyring:
    return Keyring({"issuer": ISSUER_PUBLIC})


def test_vector_file_matches_a_fresh_generation() -> None:
    """Signing the same claims with the same key gives the same bytes: the format is pinned."""
    assert build() == DOC


def test_every_failure_has_its_own_reason() -> None:
    reasons = {v["verify"] for v in DOC["vectors"] if v["verify"] != "genuine"}
    assert reasons >= {
        "bad_signature",
        "truncated",
        "trailing_bytes",
        "unknown_version",
        "unknown_key",
        "bad_encoding",
        "empty",
        "too_long",
        "malformed",
    }


@pytest.mark.parametrize("name", NAMES)
def test_vector_verifies_as_pinned(name: str) -> None:
    vector = next(v for v in DOC["vectors"] if v["name"] == name)
    result = verify(vector["text"], issuer_ring())
    assert ("genuine" if result.genuine else str(result.rejection)) == vector["verify"]


@pytest.mark.parametrize("name", NAMES)
def test_vector_gets_the_pinned_gate_verdict(tmp_path: Path, name: str) -> None:
    vector = next(v for v in DOC["vectors"] if v["name"] == name)
    with Store.open(tmp_path / "kiosk.db") as store:
        store.add_public_key(ISSUER_PUBLIC)
        gate = Gate(
            store,
            preset(DOC["gate"]["mode"]),
            gate_name="Gate V",
            event_ids={DOC["gate"]["event_id"]},
        )
        verdict = gate.scan(vector["text"], datetime.fromisoformat(DOC["gate"]["now"]))
    assert verdict.kind == vector["gate"]
