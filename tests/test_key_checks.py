"""Weak Ed25519 public keys are refused wherever a key enters; Wycheproof's vectors
give the expected answer through the project's verify."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from scanner import Store, TicketClaims, verify
from scanner.key_checks import (
    IDENTITY,
    P,
    WeakKeyError,
    _add,
    _times,
    check_public_key,
    decode_point,
)
from scanner.keys import KeyFileError, Keyring, public_from_raw, verify_signature
from scanner.ticket import FORMAT_VERSION, Rejection, encode_claims, key_id_of
from tests.conftest import make_claims

VECTORS = Path(__file__).parent / "vectors" / "wycheproof" / "wycheproof_ed25519_test.json"
ADMITONE = str(Path(sys.executable).with_name("admitone"))
FORGED_SIGNATURE = bytes([1] + [0] * 63)
"""R = the identity point, S = 0: valid for every message under the identity "key"."""
ORDER_EIGHT = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")


def encode(
    point: tuple[int, int, int, int], *, y_plus_p: bool = False, sign: int | None = None
) -> bytes:
    x, y, z, _ = point
    inverse = pow(z, P - 2, P)
    x, y = x * inverse % P, y * inverse % P
    value = (y + P if y_plus_p else y) | ((x & 1 if sign is None else sign) << 255)
    return value.to_bytes(32, "little")


def small_order_points() -> list[tuple[int, int, int, int]]:
    generator = decode_point(ORDER_EIGHT)
    return [_times(generator, k) if k else IDENTITY for k in range(8)]


def weak_encodings() -> list[bytes]:
    """The 8 small-order points, canonically, and every non-canonical way to write them:
    y + p where that still fits, and a set sign bit where x is zero."""
    found: list[bytes] = []
    for point in small_order_points():
        found.append(encode(point))
        x, y, z, _ = point
        affine_y = y * pow(z, P - 2, P) % P
        affine_x = x * pow(z, P - 2, P) % P
        if affine_y + P < 2**255:
            found += [encode(point, y_plus_p=True, sign=0), encode(point, y_plus_p=True, sign=1)]
        if affine_x == 0:
            found.append(encode(point, sign=1))
    return sorted(set(found))


def test_the_small_order_points_are_eight_distinct_points() -> None:
    points = small_order_points()
    assert len({encode(p) for p in points}) == 8
    assert all(encode(_times(p, 8)) == encode(IDENTITY) for p in points)
    assert encode(_add(points[1], points[7])) == encode(IDENTITY)


@pytest.mark.parametrize(
    "raw", weak_encodings(), ids=lambda raw: raw.hex()[:12] + "…" + raw.hex()[-4:]
)
def test_every_small_order_or_non_canonical_key_is_refused_everywhere(
    raw: bytes, tmp_path: Path
) -> None:
    with pytest.raises(WeakKeyError):
        check_public_key(raw)
    with pytest.raises(KeyFileError):
        public_from_raw(raw)
    try:
        key = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return  # OpenSSL itself would not take this one
    with pytest.raises(KeyFileError):
        Keyring().add(key)
    with Store.open(tmp_path / "kiosk.db") as store, pytest.raises(KeyFileError):
        store.add_public_key(key)


def forged_by(key: Ed25519PublicKey, claims: TicketClaims) -> str:
    """A ticket "signed" by ``key`` with R = the identity and S = 0: no private key."""
    import base45

    body = bytes([FORMAT_VERSION]) + bytes.fromhex(key_id_of(key)) + encode_claims(claims)
    text: str = base45.b45encode(body + FORGED_SIGNATURE).decode("ascii")
    return text


def test_an_identity_key_would_verify_any_ticket_and_is_refused(tmp_path: Path) -> None:
    identity = Ed25519PublicKey.from_public_bytes(bytes([1] + [0] * 31))
    code = forged_by(identity, make_claims(ticket_type="VIP"))
    body = (
        bytes([FORMAT_VERSION]) + bytes.fromhex(key_id_of(identity)) + encode_claims(make_claims())
    )
    identity.verify(FORGED_SIGNATURE, body)  # the attack: OpenSSL accepts it for any body
    with pytest.raises(KeyFileError):
        Keyring({"x": identity})
    assert verify(code, Keyring()).rejection is Rejection.UNKNOWN_KEY

    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "evil.pub").write_bytes(
        identity.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    result = subprocess.run(
        [ADMITONE, "ticket", "verify", "--keys", str(keys), "--", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "small order" in result.stderr


def test_wycheproof_vectors_give_the_expected_result() -> None:
    data = json.loads(VECTORS.read_text())
    checked = 0
    for group in data["testGroups"]:
        public_key = bytes.fromhex(group["publicKey"]["pk"])
        for test in group["tests"]:
            got = verify_signature(
                public_key, bytes.fromhex(test["sig"]), bytes.fromhex(test["msg"])
            )
            assert got is (test["result"] == "valid"), test["tcId"]
            checked += 1
    assert checked == data["numberOfTests"] == 151
