"""AdmitOne's configuration: one TOML file plus environment overrides.

The file is ``$ADMITONE_CONFIG`` or ``admitone.toml`` in the user's config
directory (platformdirs).  Every value can be overridden by an environment
variable named after its section and key: ``ADMITONE_SERVER_DATABASE_URL``,
``ADMITONE_KIOSK_STORE``.  Data lives in platformdirs' data directory unless
configured otherwise.

```toml
[server]
database_url = "postgresql+psycopg://admitone@db/admitone"
keys_dir = "/var/lib/admitone/keys"

[kiosk]
store = "/var/lib/admitone/kiosk.db"
```
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)

APP = "admitone"


class ConfigError(ValueError):
    pass


def data_dir() -> Path:
    return Path(os.environ.get("ADMITONE_DATA_DIR") or platformdirs.user_data_dir(APP))


@dataclass(frozen=True)
class ServerConfig:
    database_url: str = ""
    keys_dir: str = ""
    host: str = "127.0.0.1"
    port: int = 8645
    workers: int = 1
    page_size: int = 5000
    enrol_attempts_per_minute: int = 10
    enrol_attempts_global_per_minute: int = 60
    """Failed enrolments a minute from all addresses together: guessing codes from many
    addresses is capped too."""
    trusted_proxies: str = ""
    """Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed;
    empty: the connection's own address is the client's, whatever a header says."""
    enrol_code_hours: int = 72
    tls_cert: str = ""
    """The HTTPS certificate (PEM); by default the one ``init`` makes in the keys dir."""
    tls_key: str = ""
    insecure_http: bool = False
    """Serve plain HTTP: enrolment codes and tokens then cross the network in clear.
    Only for a closed LAN; kiosks must be told so too (``--insecure-http``)."""
    manifest_page_seconds: int = 900
    """How long a signed manifest page stays good: a kiosk refuses an older one (a
    replayed or held-back page), so keep it above the kiosks' sync interval."""
    hold_minutes: float = 0.0
    """Every event's hold time, overriding each event's own (5 to 10 minutes, set on the
    event): only for tests and rehearsals.  0: each event's own."""
    payment_methods: str = "free,box_office,bank_transfer"
    """The payment providers the shop offers (``payments.providers``), comma-separated."""
    box_office_days: float = 2.0
    """How long an order to be paid at the box office keeps its seats."""
    bank_transfer_days: float = 5.0
    """How long an order to be paid by bank transfer keeps its seats (and at the latest
    until a day before the event)."""
    bank_account: str = ""
    """Where a bank transfer goes ("IBAN DE00 0000 … , AdmitOne Events"); empty: no
    bank transfer in the shop."""
    waitlist_offer_minutes: float = 30.0
    """How long a waitlist offer keeps its seats for the person it went to."""
    shop_admit_per_second: int = 0
    """Visitors the waiting room lets in per second (0: a tenth of the event's shop
    limit): a drop's first second does not bring the whole shop in at one instant."""
    shop_visit_minutes: float = 15.0
    """How long a visitor the waiting room let in may shop before their place goes to
    the next one (their holds keep their own times)."""
    waiting_room_threads: int = 4
    """Threads per server process that answer the waiting room's pages (join, poll,
    leave).  Ten thousand visitors polling then queue among themselves and never take
    the threads the buyers in the shop need to hold and buy (a drop's holds stay quick
    however long the queue)."""
    switch_interval_ms: float = 1.0
    """How long a Python thread of the server may keep the interpreter when another
    wants it (``sys.setswitchinterval``).  The server's threads mostly wait on the
    database; at Python's default of 5 ms each of a hold's dozen round trips could wait
    up to that long behind a busy thread before it saw its answer."""
    sweep_seconds: float = 5.0
    """How often the server's worker expires lapsed holds and unpaid orders and passes
    freed seats to the waitlist and the waiting room."""
    public_url: str = ""
    """Where guests reach this server (``https://tickets.example.org``): the base of
    the ticket-page links in e-mail.  Empty: the mail carries the PDF only."""
    mail_host: str = ""
    """The SMTP server order confirmations go through; empty: mail waits in the outbox
    (the console shows it) until one is configured."""
    mail_port: int = 587
    mail_security: str = "starttls"
    """``starttls`` (port 587), ``tls`` (implicit TLS, port 465) or ``none`` (a relay
    on this machine or a closed network only)."""
    mail_username: str = ""
    mail_password: str = ""
    mail_ca_file: str = ""
    """A CA bundle (PEM) to trust for the mail server's certificate, beside the system's:
    for a relay with a private certificate."""
    mail_sender: str = ""
    """The From address, e.g. ``Tickets <tickets@example.org>``."""
    mail_language: str = "en"
    """The language of order confirmations: ``en`` or ``id``."""
    mail_retry_seconds: float = 30.0
    """The wait before the first retry when the mail server is unreachable; it doubles
    with each failure, up to ``mail_retry_longest_seconds``."""
    mail_retry_longest_seconds: float = 3600.0
    wallet_pass_type_id: str = ""
    """Apple Wallet: the pass type identifier (``pass.org.example.tickets``); with the
    team id, certificate, key and Apple's WWDR intermediate below.  Empty: no
    "Add to Apple Wallet" button."""
    wallet_team_id: str = ""
    wallet_organization: str = ""
    wallet_cert: str = ""
    """The pass type certificate (PEM) Apple issued for ``wallet_pass_type_id``."""
    wallet_key: str = ""
    """Its private key (PEM); ``wallet_key_password`` if it is encrypted."""
    wallet_key_password: str = ""
    wallet_wwdr_cert: str = ""
    """Apple's WWDR intermediate certificate (PEM) that signed the pass certificate."""
    google_wallet_issuer_id: str = ""
    """Google Wallet: the issuer id from the Google Pay & Wallet console; with the
    service account's JSON key below.  Empty: no "Save to Google Wallet" button."""
    google_wallet_credentials: str = ""
    """The service account's JSON key file (``client_email`` and ``private_key``)."""
    mail_attempts: int = 12
    """Tries before a mail is marked failed (the console can send it again)."""

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{data_dir() / 'server.db'}"

    def resolved_keys_dir(self) -> Path:
        return Path(self.keys_dir) if self.keys_dir else data_dir() / "server-keys"

    def resolved_tls(self) -> tuple[Path, Path]:
        """(certificate, key): the configured files, or ``init``'s in the keys dir."""
        keys = self.resolved_keys_dir()
        return (
            Path(self.tls_cert) if self.tls_cert else keys / "tls.crt",
            Path(self.tls_key) if self.tls_key else keys / "tls.key",
        )


@dataclass(frozen=True)
class KioskConfig:
    store: str = ""
    camera: str = "0"
    decoder: str = "layered"
    language: str = "en"
    sync_interval_seconds: float = 15.0
    clock_skew_warning_seconds: float = 60.0
    allow_insecure_http: bool = False
    """Let the supervisor panel enrol with a plain-http server (closed LAN only)."""
    scan_idle_ms: int = 300
    """A hand scanner's code that stops this long without Enter or Tab is dropped
    as an incomplete scan."""

    def resolved_store(self) -> Path:
        return Path(self.store) if self.store else data_dir() / "kiosk.db"


@dataclass(frozen=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)


def config_path() -> Path:
    explicit = os.environ.get("ADMITONE_CONFIG")
    return Path(explicit) if explicit else Path(platformdirs.user_config_dir(APP)) / "admitone.toml"


def _apply(section: Any, name: str, values: dict[str, Any]) -> Any:
    changes: dict[str, Any] = {}
    for f in fields(section):
        raw = values.get(f.name)
        env = os.environ.get(f"ADMITONE_{name.upper()}_{f.name.upper()}")
        if env is not None:
            raw = env
        if raw is None:
            continue
        kind = type(getattr(section, f.name))
        if kind is bool and isinstance(raw, str):
            # From the environment: "0" and "false" are False (bool("0") is True).
            if raw.strip().lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ConfigError(f"[{name}] {f.name} = {raw!r} is not true or false")
            changes[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            continue
        try:
            changes[f.name] = kind(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[{name}] {f.name} = {raw!r} is not a {kind.__name__}") from exc
    return replace(section, **changes)


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    document: dict[str, Any] = {}
    if path.is_file():
        try:
            document = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
        log.info("configuration read from %s", path)
    return Config(
        server=_apply(ServerConfig(), "server", document.get("server", {})),
        kiosk=_apply(KioskConfig(), "kiosk", document.get("kiosk", {})),
    )
