"""The server's manifest-signing key: one file beside the issuing keys.

Not an issuing key: it signs what a kiosk downloads (the manifest pages), never a
ticket, so rotating ticket keys never strands an enrolled kiosk, and a leaked
issuing key cannot feed kiosks a false list.  Made at ``admitone server init`` (or
the first start), mode 0600 from the first byte; every worker process loads it.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from scanner.keys import load_private_key, public_raw

MANIFEST_KEY_FILE = "manifest.key"


def manifest_signing_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The key in ``keys_dir``, made there if there is none yet."""
    path = keys_dir / MANIFEST_KEY_FILE
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker process made it first
            return load_private_key(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return key
    return load_private_key(path)


def manifest_public_key(key: Ed25519PrivateKey) -> bytes:
    return public_raw(key.public_key())
