"""What a kiosk trusts, and how it knows: the manifest-signing key and the pin.

The server signs every manifest page (keys, revocations, events, tickets, other
kiosks' scans) with a manifest-signing key kept beside its issuing keys.  A kiosk
learns that key's public half at enrolment, but believes it only if it matches
the fingerprint the enrolment code carries: the organiser read the code off the
real server, so a machine in between cannot swap in a key of its own.  When the
server speaks HTTPS, the fingerprint covers its certificate too, and the kiosk
trusts exactly that certificate from then on.

Signed pages carry the device they are for, the cursor they continue from (so an
old page cannot be replayed in place of a new one: rollback) and an expiry (so a
stale page cannot be served for ever: freeze).  Ideas from the peers this project
learns from: pretix's signed check-in data, the EU digital COVID certificate's trust
lists, and TUF's signed, versioned, expiring metadata.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from cryptography.exceptions import InvalidSignature

from scanner.keys import KeyFileError, public_from_raw

SIGNATURE_HEADER = "X-AdmitOne-Signature"
PAGE_LIFETIME = timedelta(minutes=15)
"""A manifest page is good for this long after the server signed it."""
SECRET_CHARS = 12
"""An enrolment code's secret: the first 12 characters (60 bits); the rest is the pin."""
FINGERPRINT_CHARS = 16
"""80 bits of SHA-256 in Base32: finding another key with the same pin is out of reach."""
_PIN_CONTEXT = b"admitone-pin-v1\x00"


class TrustError(ValueError):
    """A server answer that fails the kiosk's checks: wrong pin, bad signature, a page
    for another kiosk, an old or an expired one."""


def fingerprint(manifest_key: bytes, certificate_sha256: bytes | None) -> str:
    """The pin an enrolment code carries for a server: its manifest-signing public key
    and, over HTTPS, the SHA-256 of its certificate."""
    digest = hashlib.sha256(_PIN_CONTEXT + manifest_key + (certificate_sha256 or b"")).digest()
    return base64.b32encode(digest).decode("ascii")[:FINGERPRINT_CHARS]


def _plain(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def grouped(plain: str) -> str:
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def enrolment_code(secret: str, pin: str) -> str:
    """``K7QF-9XTM-2WPA-ABCD-EFGH-IJKL-MNOP``: the secret, then the server's pin."""
    return grouped(_plain(secret) + pin)


def split_code(code: str) -> tuple[str, str]:
    """(secret, pin) of a code as a person typed it (any case, dashes or spaces)."""
    plain = _plain(code)
    return grouped(plain[:SECRET_CHARS]), plain[SECRET_CHARS:]


def check_pin(code: str, manifest_key: bytes, certificate_sha256: bytes | None) -> None:
    """Raise :class:`TrustError` unless the server's keys are the ones ``code`` names."""
    _, pin = split_code(code)
    if len(pin) != FINGERPRINT_CHARS:
        raise TrustError(
            "this enrolment code carries no server fingerprint; ask the organiser for a "
            "new code ('admitone server enrol-code')"
        )
    if fingerprint(manifest_key, certificate_sha256) != pin:
        raise TrustError(
            "this server is not the one the enrolment code was made for (its keys do not "
            "match the code's fingerprint): check the address, and tell the organiser"
        )


def verify_page(body: bytes, signature_hex: str | None, manifest_key: bytes) -> None:
    """Raise :class:`TrustError` unless ``body`` carries the pinned key's signature."""
    if not signature_hex:
        raise TrustError("the manifest page is not signed")
    try:
        public_from_raw(manifest_key).verify(bytes.fromhex(signature_hex), body)
    except (ValueError, KeyFileError, InvalidSignature) as exc:
        raise TrustError("the manifest page's signature does not verify: tampered") from exc


ENROL_QR_PREFIX = "ADMITONE-ENROL:"
"""What the console's enrolment QR code starts with: this, the server's address as the
kiosks reach it, ``#``, the enrolment code (whose fingerprint pins the server)."""
MAX_ENROL_QR = 400


def enrolment_qr_text(server_url: str, code: str) -> str:
    return f"{ENROL_QR_PREFIX}{server_url.rstrip('/')}#{code}"


def is_enrolment_qr(text: str) -> bool:
    return text.startswith(ENROL_QR_PREFIX)


def parse_enrolment_qr(text: str) -> tuple[str, str]:
    """(server address, code) from an enrolment QR code's text.  Only the shape is
    checked here: the code's fingerprint is what makes a kiosk trust the server, and
    ``SyncClient.enrol`` checks it before the code leaves the kiosk."""
    if not is_enrolment_qr(text) or len(text) > MAX_ENROL_QR:
        raise TrustError("not an AdmitOne enrolment code")
    server, hash_, code = text.removeprefix(ENROL_QR_PREFIX).rpartition("#")
    if not hash_ or not server.startswith(("https://", "http://")) or not code.strip():
        raise TrustError("this enrolment QR code is damaged: make a new one in the console")
    return server, code.strip()
