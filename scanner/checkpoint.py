"""Checkpoints: what a gate guards and how it treats a ticket seen before.

The four scan modes staff pick from are presets of one idea.  Options follow
the best peers' check-in lists (pretix: ``allow_multiple_entries``,
``allow_entry_after_exit``, limits by product): a supervisor can start from a
preset and tighten or loosen it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum

from scanner.state import Direction


class Mode(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"
    REENTRY = "reentry"
    VIP = "vip"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    mode: Mode
    zone: str = "main"
    direction: Direction = Direction.IN
    allow_multiple_entries: bool = False
    """Admit even while recorded inside (no exit needed): wristband-less day passes."""
    allow_entry_after_exit: bool | None = None
    """Admit again once an exit has been recorded; while inside it is ``needs_exit_first``.
    ``None`` (the entry preset) follows the re-entry policy of the *ticket's* event, so
    a mode switch can never rewrite an event's rules and a kiosk serving two events
    applies each one's own."""
    require_prior_entry: bool = False
    """Only tickets admitted before (a re-entry lane)."""
    ticket_types: frozenset[str] = field(default_factory=frozenset)
    """If not empty, only these ticket types pass."""
    admit_not_in_manifest: bool = True
    """A genuine ticket the manifest does not know (sold after the last sync) is
    admitted and flagged; set False to reject it instead."""
    validity_grace: timedelta = timedelta(0)

    def with_options(self, **changes: object) -> Checkpoint:
        return replace(self, **changes)  # type: ignore[arg-type]

    def reentry_allowed(self, event_policy: bool) -> bool:
        """Whether a ticket seen leaving may come back in here: this checkpoint's own
        setting, or where it has none, the ticket's event's ``allow_reentry``."""
        if self.allow_entry_after_exit is None:
            return event_policy
        return self.allow_entry_after_exit


def preset(mode: Mode | str, *, allow_reentry: bool | None = None) -> Checkpoint:
    """The checkpoint behind a scan mode.  An entry follows the ticket's event's
    re-entry policy unless ``allow_reentry`` pins it for this gate."""
    mode = Mode(mode)
    if mode is Mode.ENTRY:
        return Checkpoint(mode, allow_entry_after_exit=allow_reentry)
    if mode is Mode.EXIT:
        return Checkpoint(mode, direction=Direction.OUT)
    if mode is Mode.REENTRY:
        return Checkpoint(mode, allow_entry_after_exit=True, require_prior_entry=True)
    return Checkpoint(mode, zone="vip", allow_entry_after_exit=True)
