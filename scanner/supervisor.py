"""The supervisor PIN: an scrypt hash in the kiosk store, and a lockout.

scrypt because a PIN has few possibilities: a stolen kiosk database must not
give it away by brute force in seconds.  After ``MAX_ATTEMPTS`` wrong tries
the panel locks for ``LOCKOUT``; the counter lives in the store, so restarting
the kiosk does not reset it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)


class SupervisorPin:
    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def is_set(self) -> bool:
        return self.store.get_setting(_SETTING) is not None

    def set(self, pin: str) -> None:
        if len(pin) < 4 or not pin.isdigit():
            raise ValueError("a supervisor PIN is at least 4 digits")
        salt = secrets.token_bytes(16)
        self.store.set_setting(_SETTING, {"salt": salt.hex(), "hash": _hash(pin, salt).hex()})
        self.store.set_setting(_FAILS, {"count": 0, "locked_until": None})

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
        good = hmac.compare_digest(
            _hash(pin, bytes.fromhex(stored["salt"])), bytes.fromhex(stored["hash"])
        )
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
