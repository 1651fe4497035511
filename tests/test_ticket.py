from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import (
    Keyring,
    Rejection,
    Seat,
    TicketClaims,
    TicketFormatError,
    generate_key,
    load_private_key,
    sign,
    verify,
)
from scanner.ticket import (
    MAX_STRING_BYTES,
    codes_begin_awkwardly,
    decode_unverified,
    key_id_of,
    mask_to_zones,
    zones_to_mask,
)
from tests.conftest import make_claims


def ring(key: Ed25519PrivateKey) -> Keyring:
    return Keyring({"k": key.public_key()})


def test_sign_then_verify_returns_the_same_claims(issuer: Ed25519PrivateKey) -> None:
    claims = make_claims(
        ticket_type="VIP",
        zones=frozenset({"main", "vip"}),
        seat=Seat("B", "12", 7),
        accessible=True,
    )
    result = verify(sign(claims, issuer), ring(issuer))
    assert result.genuine
    assert result.claims == claims


def test_minimal_ticket_without_window_or_seat_round_trips(issuer: Ed25519PrivateKey) -> None:
    claims = TicketClaims(ticket_id=b"\x00" * 10, event_id=0)
    assert verify(sign(claims, issuer), ring(issuer)).claims == claims


@pytest.mark.parametrize(
    ("section", "row", "number", "ticket_type"),
    [("B", "12", 7, "VIP"), ("101", "AA", 23, "GA"), ("C", "8", 1234, "GA")],
)
def test_reserved_seat_ticket_with_window_fits_qr_version_6_at_m(
    issuer: Ed25519PrivateKey, section: str, row: str, number: int, ticket_type: str
) -> None:
    claims = make_claims(
        event_id=123456,
        ticket_type=ticket_type,
        zones=frozenset({"main", "vip", "backstage"}),
        seat=Seat(section, row, number),
        accessible=True,
        valid_from=datetime(2026, 11, 24, 17, 0, tzinfo=UTC),
        valid_until=datetime(2026, 11, 26, 23, 0, tzinfo=UTC),
    )
    qr = segno.make_qr(sign(claims, issuer), error="m", boost_error=False)
    assert qr.error == "M"
    assert int(qr.version) <= 6
    assert qr.mode == "alphanumeric"


def test_long_seat_labels_still_fit_version_7(issuer: Ed25519PrivateKey) -> None:
    """Past the version-6 budget (docs/ticket-format.md) codes grow gracefully, not fail."""
    claims = make_claims(
        event_id=123456,
        ticket_type="PREMIUM",
        seat=Seat("BALCONY", "CC", 1234),
        valid_from=datetime(2026, 11, 24, 17, 0, tzinfo=UTC),
        valid_until=datetime(2026, 11, 26, 23, 0, tzinfo=UTC),
    )
    assert segno.make_qr(sign(claims, issuer), error="m", boost_error=False).version == 7


def test_the_qr_text_is_base45_alphabet_only(issuer: Ed25519PrivateKey) -> None:
    text = sign(make_claims(seat=Seat("A", "1", 1)), issuer)
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_one_key_in_about_21_makes_codes_that_begin_awkwardly_and_they_verify() -> None:
    keys = [Ed25519PrivateKey.generate() for _ in range(600)]
    awkward = {" ": 0, "-": 0}
    for key in keys:
        text = sign(make_claims(), key)
        assert codes_begin_awkwardly(key_id_of(key.public_key())) == (text[0] in " -")
        assert not text.endswith(" ")
        assert verify(text, ring(key)).genuine  # exactly as signed, space and all
        if text[0] in awkward:
            awkward[text[0]] += 1
    assert all(1 <= n <= 60 for n in awkward.values())  # 6 byte values of 256 each: ~14


def test_new_issuing_keys_never_make_codes_that_begin_awkwardly(tmp_path: Path) -> None:
    for _ in range(300):  # a 4.7 % slip would show here with near certainty
        kid, private, _public = generate_key(tmp_path)
        assert not codes_begin_awkwardly(kid)
        assert sign(make_claims(), load_private_key(private))[0] not in " -"


def test_ticket_id_has_80_random_bits() -> None:
    ids = {make_claims().ticket_id for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(ticket_id) == 10 for ticket_id in ids)


def test_a_key_that_is_not_in_the_ring_is_unknown_key(issuer: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    result = verify(sign(make_claims(), other), ring(issuer))
    assert result.rejection is Rejection.UNKNOWN_KEY
    assert result.claims is None


def test_a_retired_key_rotation_keeps_both_keys_verifying(issuer: Ed25519PrivateKey) -> None:
    newer = Ed25519PrivateKey.generate()
    keyring = Keyring({"a": issuer.public_key(), "b": newer.public_key()})
    assert verify(sign(make_claims(), issuer), keyring).genuine
    assert verify(sign(make_claims(), newer), keyring).genuine


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ticket_type": "X" * (MAX_STRING_BYTES + 1)}, "ticket type"),
        ({"seat": Seat("S" * 17, "1", 1)}, "seat section"),
        ({"valid_until": None}, "both a start and an end"),
        ({"valid_until": datetime(2020, 1, 1, tzinfo=UTC)}, "must end after it starts"),
        ({"ticket_id": b"short"}, "ticket id must be 10 bytes"),
        ({"zones": frozenset({"moon"})}, "unknown zone 'moon'"),
    ],
)
def test_claims_that_cannot_be_encoded_are_refused_with_a_reason(
    issuer: Ed25519PrivateKey, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(TicketFormatError, match=message):
        sign(make_claims(**changes), issuer)


def test_naive_validity_times_are_refused(issuer: Ed25519PrivateKey) -> None:
    naive = datetime(2026, 11, 24, 10, 0)
    with pytest.raises(TicketFormatError, match="timezone-aware"):
        sign(make_claims(valid_from=naive, valid_until=naive + timedelta(hours=1)), issuer)


def test_zone_masks_round_trip_standard_and_numbered_zones() -> None:
    zones = frozenset({"main", "vip", "press", "z8", "z31"})
    assert mask_to_zones(zones_to_mask(zones)) == zones


def test_decode_unverified_reads_claims_of_an_untrusted_code(issuer: Ed25519PrivateKey) -> None:
    claims = make_claims()
    decoded = decode_unverified(sign(claims, issuer))
    assert not isinstance(decoded, Rejection)
    assert decoded[1] == claims


def test_seat_parse_rejects_bad_shapes() -> None:
    assert Seat.parse("B/12/7") == Seat("B", "12", 7)
    with pytest.raises(TicketFormatError, match="SECTION/ROW/NUMBER"):
        Seat.parse("B/12")
