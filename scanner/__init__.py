"""AdmitOne's domain: signed tickets, the local store and the offline gate.

Nothing in this package imports Qt, ``ui`` or ``sync``: everything here works
from a plain script, the CLI or a test.
"""

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
from scanner.manifest import EventRecord, Revocation, TicketRecord, TicketStatus, TicketTypeRecord
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
