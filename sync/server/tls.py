"""The server's HTTPS certificate: one the organiser gives, or one made at ``init``.

Kiosks do not ask a certificate authority: the enrolment code carries the
certificate's SHA-256 (inside the server's fingerprint, ``sync.trust``), and the
kiosk trusts exactly that certificate from then on.  So a self-signed one made here
is as good as a bought one, and works on a venue LAN with no DNS name.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from cryptography.x509.oid import NameOID

CERT_FILE = "tls.crt"
KEY_FILE = "tls.key"
VALID_FOR = timedelta(days=5 * 365)


def default_paths(keys_dir: Path) -> tuple[Path, Path]:
    return keys_dir / CERT_FILE, keys_dir / KEY_FILE


def make_certificate(cert_path: Path, key_path: Path) -> None:
    """A self-signed P-256 certificate for this machine's names and loopback.  The key
    file is mode 0600 from its first byte."""
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname()
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.DNSName(host),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"AdmitOne server {host}")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    cert_path.write_bytes(certificate.public_bytes(Encoding.PEM))


def certificate_sha256(cert_path: Path) -> bytes:
    """SHA-256 of the certificate's DER bytes: what a kiosk pins."""
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).digest()
