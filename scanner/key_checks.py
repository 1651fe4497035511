"""Refusing Ed25519 public keys that let anyone forge.

``cryptography`` (OpenSSL) verifies against any 32 bytes that decode to a curve
point.  A point of small order (the identity ``01 00…00`` or one of the other
seven) makes the all-zero signature verify for *every* message: a "key" anyone
can sign with.  A point with a small-order component, or one written in a
non-canonical way (y ≥ p, or "negative zero"), has no business being an issuing
key either.  Every place a public key enters AdmitOne (key files, the kiosk
store, the manifest, the server) asks :func:`check_public_key` first; it decodes
the point per RFC 8032 and accepts only canonical encodings of points in the
prime-order subgroup.  Pure Python: keys arrive rarely, and a check costs a few
milliseconds.
"""

from __future__ import annotations

import functools

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]
"""Extended homogeneous coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z."""
IDENTITY: Point = (0, 1, 1, 0)


class WeakKeyError(ValueError):
    """A public key that is not a canonical point of the prime-order subgroup."""


def decode_point(raw: bytes) -> Point:
    """RFC 8032 5.1.3, strictly: non-canonical encodings are refused, not reduced."""
    if len(raw) != 32:
        raise WeakKeyError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    number = int.from_bytes(raw, "little")
    sign = number >> 255
    y = number & ((1 << 255) - 1)
    if y >= P:
        raise WeakKeyError("non-canonical encoding (y is not below the field prime)")
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = (u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P)) % P
    if (v * x * x - u) % P != 0:
        x = x * SQRT_M1 % P
        if (v * x * x - u) % P != 0:
            raise WeakKeyError("not a point on the Ed25519 curve")
    if x == 0 and sign:
        raise WeakKeyError("non-canonical encoding (negative zero)")
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def _add(a: Point, b: Point) -> Point:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = t1 * 2 * D * t2 % P
    dd = z1 * 2 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _times(point: Point, scalar: int) -> Point:
    result = IDENTITY
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _is_identity(point: Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def check_public_key(raw: bytes) -> bytes:
    """``raw`` if it is a safe issuing key; else :class:`WeakKeyError` saying why."""
    weakness = _weakness(bytes(raw))
    if weakness:
        raise WeakKeyError(weakness)
    return raw


@functools.lru_cache(maxsize=256)
def _weakness(raw: bytes) -> str:
    """Why ``raw`` is refused, or "".  Remembered: a key is checked where it enters
    and again where a keyring takes it (the server builds one per online check)."""
    try:
        point = decode_point(raw)
    except WeakKeyError as exc:
        return str(exc)
    if _is_identity(_times(point, 8)):
        return "a point of small order: anyone could sign as this key"
    if not _is_identity(_times(point, L)):
        return "a point outside the prime-order subgroup"
    return ""
