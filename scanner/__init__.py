"""AdmitOne's domain: signed tickets, the local store and the offline gate.

Nothing in this package imports Qt, ``ui`` or ``sync``: everything here works
from a plain script, the CLI or a test.

The names below are loaded when first used (PEP 562), so ``import scanner.state``
in the server loads the fold, not the kiosk's ``Gate`` and ``Store``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.checkpoint import Checkpoint, Mode, preset
    from scanner.gate import DEFAULT_DEBOUNCE, Gate, OverrideError
    from scanner.keys import (
        KeyFileError,
        Keyring,
        generate_key,
        load_private_key,
        load_public_key,
        new_private_key,
    )
    from scanner.manifest import (
        EventRecord,
        Revocation,
        TicketRecord,
        TicketStatus,
        TicketTypeRecord,
    )
    from scanner.rules import decide
    from scanner.state import (
        Conflict,
        Direction,
        EventDays,
        ScanEvent,
        TicketState,
        ZoneState,
        fold,
    )
    from scanner.store import Store, StoreCorruptError, StoreError
    from scanner.ticket import (
        Rejection,
        Seat,
        TicketClaims,
        TicketFormatError,
        VerifyResult,
        key_id_of,
        new_ticket_id,
        sign,
        verify,
    )
    from scanner.verdict import Tone, Verdict, VerdictKind

_EXPORTS = {
    "Checkpoint": "scanner.checkpoint",
    "Conflict": "scanner.state",
    "DEFAULT_DEBOUNCE": "scanner.gate",
    "Direction": "scanner.state",
    "EventDays": "scanner.state",
    "EventRecord": "scanner.manifest",
    "Gate": "scanner.gate",
    "KeyFileError": "scanner.keys",
    "Keyring": "scanner.keys",
    "Mode": "scanner.checkpoint",
    "OverrideError": "scanner.gate",
    "Rejection": "scanner.ticket",
    "Revocation": "scanner.manifest",
    "ScanEvent": "scanner.state",
    "Seat": "scanner.ticket",
    "Store": "scanner.store",
    "StoreCorruptError": "scanner.store",
    "StoreError": "scanner.store",
    "TicketClaims": "scanner.ticket",
    "TicketFormatError": "scanner.ticket",
    "TicketRecord": "scanner.manifest",
    "TicketState": "scanner.state",
    "TicketStatus": "scanner.manifest",
    "TicketTypeRecord": "scanner.manifest",
    "Tone": "scanner.verdict",
    "Verdict": "scanner.verdict",
    "VerdictKind": "scanner.verdict",
    "VerifyResult": "scanner.ticket",
    "ZoneState": "scanner.state",
    "decide": "scanner.rules",
    "fold": "scanner.state",
    "generate_key": "scanner.keys",
    "key_id_of": "scanner.ticket",
    "load_private_key": "scanner.keys",
    "load_public_key": "scanner.keys",
    "new_private_key": "scanner.keys",
    "new_ticket_id": "scanner.ticket",
    "preset": "scanner.checkpoint",
    "sign": "scanner.ticket",
    "verify": "scanner.ticket",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scanner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_DEBOUNCE",
    "Checkpoint",
    "Conflict",
    "Direction",
    "EventDays",
    "EventRecord",
    "Gate",
    "KeyFileError",
    "Keyring",
    "Mode",
    "OverrideError",
    "Rejection",
    "Revocation",
    "ScanEvent",
    "Seat",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "TicketClaims",
    "TicketFormatError",
    "TicketRecord",
    "TicketState",
    "TicketStatus",
    "TicketTypeRecord",
    "Tone",
    "Verdict",
    "VerdictKind",
    "VerifyResult",
    "ZoneState",
    "decide",
    "fold",
    "generate_key",
    "key_id_of",
    "load_private_key",
    "load_public_key",
    "new_private_key",
    "new_ticket_id",
    "preset",
    "sign",
    "verify",
]
