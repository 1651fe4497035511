"""The signed ticket: compact binary claims, Ed25519 signature, Base45 text.

The bytes are specified in ``docs/ticket-format.md``; ``tests/vectors/tickets.json``
pins them.  In short::

    version(1) | key id(4) | claims | signature(64)   -- then Base45

Verification is strict and total: every input, however hostile, comes back as a
:class:`VerifyResult` (claims or a :class:`Rejection` code).  Nothing raises out of
:func:`verify`, because a kiosk must answer every scan with a verdict.

The claims are parsed *before* the signature is checked so that a truncated or
over-long code gets its own reason (the signature sits at the end and its extent
is only known once the claims are read).  The parser is a handful of bounded
reads; it never allocates more than the input's size.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import base45
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
KEY_ID_BYTES = 4
TICKET_ID_BYTES = 10
SIGNATURE_BYTES = 64
MAX_TEXT_LENGTH = 512
"""Longest text we even try to decode: a version-6 QR holds 154 characters, so
anything near this is garbage and is refused before any work is done."""

MAX_STRING_BYTES = 16
MAX_WINDOW_MINUTES = 366 * 24 * 60

_FLAG_ACCESSIBLE = 0x01
_FLAG_SEAT = 0x02
_FLAG_WINDOW = 0x04
_KNOWN_FLAGS = _FLAG_ACCESSIBLE | _FLAG_SEAT | _FLAG_WINDOW

STANDARD_ZONES: tuple[str, ...] = (
    "main",
    "vip",
    "backstage",
    "press",
    "hospitality",
    "staff",
    "parking",
    "accessible-platform",
)
"""Names of zone bits 0-7.  Bits 8-31 are called ``z8`` … ``z31``; an event may
give any bit its own label in the manifest, but the ticket carries only bits."""

MAX_ZONE_BIT = 31


class Rejection(StrEnum):
    """Why a code is not a genuine ticket.  Stable codes: journalled and translated."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    BAD_ENCODING = "bad_encoding"
    TRUNCATED = "truncated"
    TRAILING_BYTES = "trailing_bytes"
    UNKNOWN_VERSION = "unknown_version"
    UNKNOWN_KEY = "unknown_key"
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"


class TicketFormatError(ValueError):
    """Claims that cannot be encoded (a seat label too long, a bad window…)."""


@dataclass(frozen=True, slots=True)
class Seat:
    section: str
    row: str
    number: int

    def __str__(self) -> str:
        return f"{self.section}/{self.row}/{self.number}"

    @classmethod
    def parse(cls, text: str) -> Seat:
        """Parse ``SECTION/ROW/NUMBER`` as operators type it."""
        parts = text.split("/")
        if len(parts) != 3 or not all(parts) or not parts[2].isdigit():
            raise TicketFormatError(f"seat must look like SECTION/ROW/NUMBER, got {text!r}")
        return cls(parts[0], parts[1], int(parts[2]))


def zone_name(bit: int) -> str:
    return STANDARD_ZONES[bit] if bit < len(STANDARD_ZONES) else f"z{bit}"


def zone_bit(name: str) -> int:
    """The bit of a standard zone name (``vip``) or of ``zN``."""
    if name in STANDARD_ZONES:
        return STANDARD_ZONES.index(name)
    if name.startswith("z") and name[1:].isdigit() and int(name[1:]) <= MAX_ZONE_BIT:
        return int(name[1:])
    raise TicketFormatError(
        f"unknown zone {name!r}: use one of {', '.join(STANDARD_ZONES)} or z8..z{MAX_ZONE_BIT}"
    )


def zones_to_mask(names: Iterable[str]) -> int:
    mask = 0
    for name in names:
        mask |= 1 << zone_bit(name)
    return mask


def mask_to_zones(mask: int) -> frozenset[str]:
    return frozenset(zone_name(bit) for bit in range(MAX_ZONE_BIT + 1) if mask >> bit & 1)


def new_ticket_id() -> bytes:
    """80 random bits: unguessable, and short enough to keep the QR at version 6."""
    return secrets.token_bytes(TICKET_ID_BYTES)


@dataclass(frozen=True, slots=True)
class TicketClaims:
    """What the issuer signed.  Times are aware UTC datetimes, whole seconds."""

    ticket_id: bytes
    event_id: int
    ticket_type: str = "GA"
    zones: frozenset[str] = field(default_factory=lambda: frozenset({"main"}))
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    seat: Seat | None = None
    accessible: bool = False

    @property
    def ticket_hex(self) -> str:
        return self.ticket_id.hex()

    def has_zone(self, zone: str) -> bool:
        return zone in self.zones

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form, for the CLI and the wire."""
        return {
            "ticket_id": self.ticket_hex,
            "event_id": self.event_id,
            "ticket_type": self.ticket_type,
            "zones": sorted(self.zones),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "seat": str(self.seat) if self.seat else None,
            "accessible": self.accessible,
        }


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Either ``claims`` (genuine) or ``rejection`` is set, never both."""

    claims: TicketClaims | None = None
    rejection: Rejection | None = None
    key_id: str | None = None
    detail: str = ""

    @property
    def genuine(self) -> bool:
        return self.claims is not None


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """First 4 bytes of SHA-256 of the raw key, as 8 hex digits.

    Derived rather than assigned, so a key id can never point at the wrong key;
    the keyring refuses a second key with the same id.
    """
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:KEY_ID_BYTES].hex()


AWKWARD_FIRST_CHARACTERS = " -"
"""A space is trimmed by people, shells and form fields; a hyphen makes a code on a
command line read as an option (``admitone ticket verify -8Q…``)."""


def codes_begin_awkwardly(kid: str) -> bool:
    """Whether every code signed with key ``kid`` begins with a space or a hyphen.

    Base45 writes the first two bytes (the format version and the key id's first
    byte) as the code's first characters, the first being their value mod 45; for
    one key id in about 21 that is one of :data:`AWKWARD_FIRST_CHARACTERS`.  Such
    codes are genuine and verify, but they are easy to mangle, so new keys avoid
    those ids (:func:`scanner.keys.new_private_key`).  No code can end with a space:
    Base45's last character of a group is at most 'W'.
    """
    first = (FORMAT_VERSION * 256 + bytes.fromhex(kid)[0]) % 45
    return base45.BASE45_CHARSET[first] in AWKWARD_FIRST_CHARACTERS


# --- encoding -----------------------------------------------------------------


def _put_varint(out: bytearray, value: int) -> None:
    if value < 0:
        raise TicketFormatError("negative values cannot be encoded")
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return


def _put_string(out: bytearray, text: str, what: str) -> None:
    raw = text.encode("utf-8")
    if len(raw) > MAX_STRING_BYTES:
        raise TicketFormatError(f"{what} {text!r} is longer than {MAX_STRING_BYTES} bytes")
    out.append(len(raw))
    out += raw


def _epoch_seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise TicketFormatError("validity times must be timezone-aware")
    return int(moment.timestamp())


def encode_claims(claims: TicketClaims) -> bytes:
    if len(claims.ticket_id) != TICKET_ID_BYTES:
        raise TicketFormatError(f"ticket id must be {TICKET_ID_BYTES} bytes")
    flags = 0
    if claims.accessible:
        flags |= _FLAG_ACCESSIBLE
    if claims.seat is not None:
        flags |= _FLAG_SEAT
    if claims.valid_from is not None or claims.valid_until is not None:
        if claims.valid_from is None or claims.valid_until is None:
            raise TicketFormatError("a validity window needs both a start and an end")
        flags |= _FLAG_WINDOW
    out = bytearray([flags])
    out += claims.ticket_id
    _put_varint(out, claims.event_id)
    _put_string(out, claims.ticket_type, "ticket type")
    _put_varint(out, zones_to_mask(claims.zones))
    if claims.valid_from is not None and claims.valid_until is not None:
        start = _epoch_seconds(claims.valid_from)
        end = _epoch_seconds(claims.valid_until)
        minutes, remainder = divmod(end - start, 60)
        if end < start or remainder or minutes > MAX_WINDOW_MINUTES:
            raise TicketFormatError(
                "validity window must end after it starts, in whole minutes, within a year"
            )
        if not 0 <= start < 2**32:
            raise TicketFormatError("validity start is outside 1970-2106")
        out += start.to_bytes(4, "big")
        _put_varint(out, minutes)
    if claims.seat is not None:
        _put_string(out, claims.seat.section, "seat section")
        _put_string(out, claims.seat.row, "seat row")
        _put_varint(out, claims.seat.number)
    return bytes(out)


def sign(claims: TicketClaims, private_key: Ed25519PrivateKey) -> str:
    """The QR text for ``claims``: Base45 of header, claims and signature."""
    kid = bytes.fromhex(key_id_of(private_key.public_key()))
    body = bytes([FORMAT_VERSION]) + kid + encode_claims(claims)
    signature = private_key.sign(body)
    text: str = base45.b45encode(body + signature).decode("ascii")
    return text


# --- decoding -----------------------------------------------------------------


class _Truncated(Exception):
    pass


class _Malformed(Exception):
    pass


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.pos = pos

    def take(self, count: int) -> bytes:
        end = self.pos + count
        if end > len(self.data):
            raise _Truncated
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def varint(self, max_bytes: int = 5) -> int:
        value = 0
        for shift in range(0, 7 * max_bytes, 7):
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                if byte == 0 and shift:
                    raise _Malformed("non-minimal varint")
                return value
        raise _Malformed("varint too long")

    def string(self) -> str:
        length = self.byte()
        if length > MAX_STRING_BYTES:
            raise _Malformed("string too long")
        raw = self.take(length)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Malformed("string is not UTF-8") from exc


def _parse_claims(reader: _Reader) -> TicketClaims:
    flags = reader.byte()
    if flags & ~_KNOWN_FLAGS:
        raise _Malformed("unknown flag bits")
    ticket_id = reader.take(TICKET_ID_BYTES)
    event_id = reader.varint()
    ticket_type = reader.string()
    zone_mask = reader.varint()
    if zone_mask >> (MAX_ZONE_BIT + 1):
        raise _Malformed("zone bit out of range")
    valid_from = valid_until = None
    if flags & _FLAG_WINDOW:
        start = int.from_bytes(reader.take(4), "big")
        minutes = reader.varint()
        if minutes > MAX_WINDOW_MINUTES:
            raise _Malformed("validity window too long")
        valid_from = datetime.fromtimestamp(start, UTC)
        valid_until = valid_from + timedelta(minutes=minutes)
    seat = None
    if flags & _FLAG_SEAT:
        seat = Seat(reader.string(), reader.string(), reader.varint())
    return TicketClaims(
        ticket_id=ticket_id,
        event_id=event_id,
        ticket_type=ticket_type,
        zones=mask_to_zones(zone_mask),
        valid_from=valid_from,
        valid_until=valid_until,
        seat=seat,
        accessible=bool(flags & _FLAG_ACCESSIBLE),
    )


def decode_unverified(text: str) -> tuple[bytes, TicketClaims, bytes] | Rejection:
    """Split a code into (signed bytes, claims, signature) without trusting it.

    For tools that need to look inside a code (the verify CLI explaining a
    forgery, the server's support screens); admission decisions use
    :func:`verify`.
    """
    if not text:
        return Rejection.EMPTY
    if len(text) > MAX_TEXT_LENGTH:
        return Rejection.TOO_LONG
    try:
        raw = base45.b45decode(text)
    except (ValueError, UnicodeError):
        return Rejection.BAD_ENCODING
    if not raw:
        return Rejection.EMPTY
    if raw[0] != FORMAT_VERSION:
        return Rejection.UNKNOWN_VERSION
    reader = _Reader(raw, 1 + KEY_ID_BYTES)
    if len(raw) < reader.pos:
        return Rejection.TRUNCATED
    try:
        claims = _parse_claims(reader)
    except _Truncated:
        return Rejection.TRUNCATED
    except _Malformed:
        return Rejection.MALFORMED
    body_end = reader.pos
    signature = raw[body_end:]
    if len(signature) < SIGNATURE_BYTES:
        return Rejection.TRUNCATED
    if len(signature) > SIGNATURE_BYTES:
        return Rejection.TRAILING_BYTES
    return raw[:body_end], claims, signature


def verify(text: str, keys: Mapping[str, Ed25519PublicKey]) -> VerifyResult:
    """Check ``text`` against the public ``keys`` (key id → key).  Never raises."""
    try:
        return _verify(text, keys)
    except Exception:  # a verdict must come back whatever the input; log the surprise
        log.exception("unexpected failure verifying a %d-character code", len(text or ""))
        return VerifyResult(rejection=Rejection.MALFORMED, detail="internal error")


def _verify(text: str, keys: Mapping[str, Ed25519PublicKey]) -> VerifyResult:
    if not isinstance(text, str):
        return VerifyResult(rejection=Rejection.BAD_ENCODING)
    decoded = decode_unverified(text)
    if isinstance(decoded, Rejection):
        return VerifyResult(rejection=decoded)
    body, claims, signature = decoded
    kid = body[1 : 1 + KEY_ID_BYTES].hex()
    key = keys.get(kid)
    if key is None:
        return VerifyResult(rejection=Rejection.UNKNOWN_KEY, key_id=kid)
    try:
        key.verify(signature, body)
    except InvalidSignature:
        return VerifyResult(rejection=Rejection.BAD_SIGNATURE, key_id=kid)
    return VerifyResult(claims=claims, key_id=kid)
