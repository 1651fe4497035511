"""Regenerate ``tickets.json``: ``python -m tests.vectors.generate > tests/vectors/tickets.json``.

Ed25519 signatures are deterministic, so the same fixed seeds and claims give
the same bytes every time; ``tests/test_vectors.py`` checks the file against a
fresh run, which pins the format.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import base45
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner.keys import public_raw
from scanner.ticket import Seat, TicketClaims, encode_claims, key_id_of, sign

ISSUER_SEED = bytes(range(1, 33))
STRANGER_SEED = bytes(range(101, 133))
EVENT_ID = 42
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _claims(**changes: object) -> TicketClaims:
    base: dict[str, object] = {
        "ticket_id": bytes.fromhex("0102030405060708090a"),
        "event_id": EVENT_ID,
        "ticket_type": "VIP",
        "zones": frozenset({"main", "vip"}),
        "valid_from": datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        "valid_until": datetime(2026, 11, 24, 18, 0, tzinfo=UTC),
        "seat": Seat("B", "12", 7),
        "accessible": True,
    }
    base.update(changes)
    return TicketClaims(**base)  # type: ignore[arg-type]


def _b45(raw: bytes) -> str:
    text: str = base45.b45encode(raw).decode("ascii")
    return text


def _flip(raw: bytes, index: int, bit: int = 0) -> bytes:
    data = bytearray(raw)
    data[index] ^= 1 << bit
    return bytes(data)


def build() -> dict[str, object]:
    issuer = Ed25519PrivateKey.from_private_bytes(ISSUER_SEED)
    stranger = Ed25519PrivateKey.from_private_bytes(STRANGER_SEED)
    good = sign(_claims(), issuer)
    raw = base45.b45decode(good)
    kid = bytes.fromhex(key_id_of(issuer.public_key()))
    bad_flags = bytearray(encode_claims(_claims()))
    bad_flags[0] |= 0x80
    bad_flags_body = bytes([1]) + kid + bytes(bad_flags)
    vectors = [
        ("good", good, "genuine", "admitted"),
        ("payload_bit_flipped", _b45(_flip(raw, 8)), "bad_signature", "invalid"),
        ("signature_bit_flipped", _b45(_flip(raw, len(raw) - 10, 3)), "bad_signature", "invalid"),
        ("truncated", _b45(raw[:-5]), "truncated", "invalid"),
        ("truncated_header", _b45(raw[:3]), "truncated", "invalid"),
        ("trailing_bytes", _b45(raw + b"\x00"), "trailing_bytes", "invalid"),
        ("unknown_version", _b45(b"\x02" + raw[1:]), "unknown_version", "invalid"),
        ("unknown_key", sign(_claims(), stranger), "unknown_key", "unknown_key"),
        ("outside_alphabet", good[:10] + "a" + good[11:], "bad_encoding", "invalid"),
        ("outside_alphabet_symbol", good[:-1] + "#", "bad_encoding", "invalid"),
        ("empty", "", "empty", "invalid"),
        ("garbage_10k", ("ZX9" * 3414)[:10240], "too_long", "invalid"),
        (
            "unknown_flag_bits",
            _b45(bad_flags_body + issuer.sign(bad_flags_body)),
            "malformed",
            "invalid",
        ),
        ("wrong_event", sign(_claims(event_id=7), issuer), "genuine", "wrong_event"),
        (
            "expired",
            sign(_claims(valid_until=datetime(2026, 11, 24, 11, 0, tzinfo=UTC)), issuer),
            "genuine",
            "expired",
        ),
        (
            "not_yet_valid",
            sign(
                _claims(
                    valid_from=datetime(2026, 11, 24, 13, 0, tzinfo=UTC),
                    valid_until=datetime(2026, 11, 24, 20, 0, tzinfo=UTC),
                ),
                issuer,
            ),
            "genuine",
            "not_yet_valid",
        ),
        (
            "no_vip_zone_general_admission",
            sign(
                _claims(ticket_type="GA", zones=frozenset({"main"}), seat=None, accessible=False),
                issuer,
            ),
            "genuine",
            "admitted",
        ),
    ]
    return {
        "description": "AdmitOne ticket format v1 test vectors; see docs/ticket-format.md",
        "keys": {
            "issuer": {
                "kid": key_id_of(issuer.public_key()),
                "seed_hex": ISSUER_SEED.hex(),
                "public_hex": public_raw(issuer.public_key()).hex(),
            },
            "stranger": {
                "kid": key_id_of(stranger.public_key()),
                "seed_hex": STRANGER_SEED.hex(),
                "public_hex": public_raw(stranger.public_key()).hex(),
                "note": "signs the unknown_key vector; not in the verifying keyring",
            },
        },
        "gate": {"event_id": EVENT_ID, "now": NOW.isoformat(), "mode": "entry"},
        "good_claims": _claims().as_dict(),
        "vectors": [
            {"name": name, "text": text, "verify": expect_verify, "gate": expect_gate}
            for name, text, expect_verify, expect_gate in vectors
        ],
    }


if __name__ == "__main__":
    print(json.dumps(build(), indent=2))
