"""Issuing keys on disk and the kiosk's keyring of public keys.

Files are PEM (PKCS#8 for the private key, SubjectPublicKeyInfo for the public
one) so that ordinary tools (``openssl pkey -in …``) can inspect them.  A private
key file is created with mode 0600 from the first byte: it is never briefly
world-readable between ``open`` and ``chmod``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from scanner.key_checks import WeakKeyError, check_public_key
from scanner.ticket import codes_begin_awkwardly, key_id_of


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or not an Ed25519 key."""


def require_safe(key: Ed25519PublicKey, where: str = "this public key") -> Ed25519PublicKey:
    """``key`` if it is a canonical point of the prime-order subgroup; else
    :class:`KeyFileError` naming ``where`` and why (see :mod:`scanner.key_checks`)."""
    try:
        check_public_key(public_raw(key))
    except WeakKeyError as exc:
        raise KeyFileError(f"{where} is refused: {exc}") from exc
    return key


def new_private_key() -> Ed25519PrivateKey:
    """A new issuing key whose codes begin with neither a space nor a hyphen.

    About one key in 21 would make every code it signs begin with one (see
    :func:`scanner.ticket.codes_begin_awkwardly`); such a key is drawn again, so a
    ticket code survives the trimming of people and form fields and can be given
    to a command line as it is."""
    while True:
        private_key = Ed25519PrivateKey.generate()
        if not codes_begin_awkwardly(key_id_of(private_key.public_key())):
            return private_key


def generate_key(directory: Path) -> tuple[str, Path, Path]:
    """Write a new key pair into ``directory``; return (key id, private, public path)."""
    directory.mkdir(parents=True, exist_ok=True)
    private_key = new_private_key()
    kid = key_id_of(private_key.public_key())
    private_path = directory / f"{kid}.key"
    public_path = directory / f"{kid}.pub"
    pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public_path.write_bytes(public_pem(private_key.public_key()))
    return kid, private_path, public_path


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_from_raw(raw: bytes) -> Ed25519PublicKey:
    try:
        check_public_key(raw)
        return Ed25519PublicKey.from_public_bytes(raw)
    except WeakKeyError as exc:
        raise KeyFileError(f"public key {raw.hex()} is refused: {exc}") from exc
    except ValueError as exc:
        raise KeyFileError(f"not a 32-byte Ed25519 public key: {exc}") from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not a PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise KeyFileError(f"{path} is not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return require_safe(key, f"the key in {path}")


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Ed25519 verification that refuses weak keys first (RFC 8032 with the checks of
    :mod:`scanner.key_checks`); what the Wycheproof vectors are run through."""
    try:
        key = public_from_raw(public_key)
        key.verify(signature, message)
    except (KeyFileError, InvalidSignature):
        return False
    return True


class Keyring(Mapping[str, Ed25519PublicKey]):
    """Key id → public key.  A kiosk holds only these, never a private key."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey] | None = None) -> None:
        self._keys: dict[str, Ed25519PublicKey] = {}
        for key in (keys or {}).values():
            self.add(key)

    def add(self, key: Ed25519PublicKey) -> str:
        require_safe(key)
        kid = key_id_of(key)
        known = self._keys.get(kid)
        if known is not None and public_raw(known) != public_raw(key):
            raise KeyFileError(f"two different keys share the id {kid}; generate a new key")
        self._keys[kid] = key
        return kid

    def discard(self, kid: str) -> None:
        self._keys.pop(kid, None)

    @classmethod
    def from_directory(cls, directory: Path) -> Keyring:
        """All ``*.pub`` files in ``directory``."""
        if not directory.is_dir():
            raise KeyFileError(f"key directory {directory} does not exist")
        ring = cls()
        for path in sorted(directory.glob("*.pub")):
            ring.add(load_public_key(path))
        return ring

    def __getitem__(self, kid: str) -> Ed25519PublicKey:
        return self._keys[kid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
