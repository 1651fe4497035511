"""The supervisor PIN: an scrypt hash in the kiosk store, and a lockout.

scrypt because a PIN has few possibilities, and the kiosk's secret file
(:mod:`scanner.local_secret`) mixed into it: a copied database alone holds nothing to
test guesses against.  After ``MAX_ATTEMPTS`` wrong tries the panel locks for
``LOCKOUT``; the counter lives in the store, so restarting the kiosk does not reset
it, and neither does setting a new PIN, which needs the current one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scanner.store import Store

MAX_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=5)
_N, _R, _P = 2**14, 8, 1
_SETTING = "supervisor_pin"
_FAILS = "supervisor_pin_failures"


class PinLockedError(RuntimeError):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many wrong PINs; locked until {until:%H:%M}")
        self.until = until


@dataclass(frozen=True, slots=True)
class PinCheck:
    ok: bool
    attempts_left: int


def _hash(pin: str, salt: bytes, pepper: bytes = b"") -> bytes:
    return hashlib.scrypt(pin.encode("utf-8") + pepper, salt=salt, n=_N, r=_R, p=_P, dklen=32)


class PinChangeError(ValueError):
    """A new PIN refused: the current one was not given, or was wrong."""


class SupervisorPin:
    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def is_set(self) -> bool:
        return self.store.get_setting(_SETTING) is not None

    def set(self, pin: str, *, current: str | None = None, now: datetime | None = None) -> None:
        """Set the PIN.  Once one is set, changing it needs the ``current`` one, checked
        like any try (wrong tries count towards the lock-out, which stays)."""
        if len(pin) < 4 or not pin.isdigit():
            raise ValueError("a supervisor PIN is at least 4 digits")
        if self.is_set:
            if current is None:
                raise PinChangeError("this kiosk has a supervisor PIN: give the current one")
            if not self.check(current, now or datetime.now(UTC)).ok:
                raise PinChangeError("the current PIN is wrong")
        self._store_hash(pin)
        if self.store.get_setting(_FAILS) is None:
            self.store.set_setting(_FAILS, {"count": 0, "locked_until": None})

    def _store_hash(self, pin: str) -> None:
        salt = secrets.token_bytes(16)
        digest = _hash(pin, salt, self.store.secret.key())
        self.store.set_setting(_SETTING, {"salt": salt.hex(), "hash": digest.hex(), "v": 2})

    def locked_until(self, now: datetime) -> datetime | None:
        fails = self.store.get_setting(_FAILS, {"count": 0, "locked_until": None})
        until = datetime.fromisoformat(fails["locked_until"]) if fails["locked_until"] else None
        return until if until is not None and until > now else None

    def check(self, pin: str, now: datetime) -> PinCheck:
        """Raises :class:`PinLockedError` while locked; counts wrong tries."""
        until = self.locked_until(now)
        if until is not None:
            raise PinLockedError(until)
        stored = self.store.get_setting(_SETTING)
        if stored is None:
            raise ValueError("no supervisor PIN is set on this kiosk")
        pepper = self.store.secret.key() if stored.get("v") == 2 else b""
        good = hmac.compare_digest(
            _hash(pin, bytes.fromhex(stored["salt"]), pepper), bytes.fromhex(stored["hash"])
        )
        if good and not pepper:
            self._store_hash(pin)  # a hash from before the secret file: redone with it
        fails = self.store.get_setting(_FAILS, {"count": 0, "locked_until": None})
        count = 0 if good else fails["count"] + 1
        locked = (now + LOCKOUT).isoformat() if count >= MAX_ATTEMPTS else None
        self.store.set_setting(_FAILS, {"count": 0 if locked else count, "locked_until": locked})
        self.store.record_audit(
            "supervisor", "pin_ok" if good else "pin_wrong", {"attempts": count}, now
        )
        if locked:
            raise PinLockedError(now + LOCKOUT)
        return PinCheck(good, MAX_ATTEMPTS - count)
