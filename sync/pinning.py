"""The kiosk's side of HTTPS: trust exactly the certificate the enrolment code named.

No certificate authority is asked.  At enrolment the kiosk fetches the server's
certificate without trusting it, checks its SHA-256 against the code's fingerprint
(``sync.trust``) before anything secret is sent, and from then on accepts that one
certificate and no other (host names are not checked: the pin is stronger, and venue
servers are often reached by a bare IP address).
"""

from __future__ import annotations

import functools
import hashlib
import ssl
from urllib.parse import urlsplit


def fetch_certificate(url: str, timeout: float = 10.0) -> str:
    """The PEM certificate the server at ``url`` presents, unverified (it is checked
    against the pin next, before any request is made)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or 443
    return ssl.get_server_certificate((host, port), timeout=timeout)


def certificate_sha256(pem: str) -> bytes:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).digest()


@functools.lru_cache(maxsize=8)
def pinned_context(pem: str) -> ssl.SSLContext:
    """A TLS context that trusts this one certificate and nothing else (one per
    certificate: every sync request reuses it)."""
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    return context
