"""A secret beside the kiosk's database, never in it.

A kiosk's database travels: it is backed up, copied off a gate PC for a look, left on
a USB stick.  What must not travel with it is sealed with a key kept in a separate
file, readable by the kiosk's user only (mode 0600 from its first byte):

- the device token (a copied ``kiosk.db`` alone no longer lets anyone sync as the
  kiosk), sealed with AES-GCM;
- the supervisor PIN's hash, which mixes the secret in (a copied database alone no
  longer lets anyone try PINs offline at scrypt's speed: without the file there is
  nothing to test guesses against).

The OS keyring would be another home; a gate PC's kiosk account often has none
unlocked, so the file is what works everywhere.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED_PREFIX = "sealed:v1:"


class SecretError(RuntimeError):
    """The secret file is missing or does not open what was sealed with it."""


class LocalSecret:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: bytes | None = None

    def key(self) -> bytes:
        if self._key is None:
            self._key = self._load_or_create()
        return self._key

    def _load_or_create(self) -> bytes:
        if self.path.exists():
            key = self.path.read_bytes()
            if len(key) != 32:
                raise SecretError(f"{self.path} is not a kiosk secret (32 bytes)")
            return key
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made by another process a moment ago
            return self._load_or_create()
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key

    def seal(self, text: str, purpose: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.key()).encrypt(nonce, text.encode("utf-8"), purpose.encode())
        return SEALED_PREFIX + (nonce + sealed).hex()

    def unseal(self, value: str, purpose: str) -> str:
        if not value.startswith(SEALED_PREFIX):
            return value  # written before sealing existed; sealed again when next set
        raw = bytes.fromhex(value.removeprefix(SEALED_PREFIX))
        try:
            return AESGCM(self.key()).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
        except InvalidTag as exc:
            raise SecretError(
                f"{self.path} does not open this kiosk's sealed {purpose}: the database was "
                "copied without its secret file; enrol the kiosk again"
            ) from exc
