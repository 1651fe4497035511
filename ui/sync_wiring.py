"""How a kiosk's sync is put together: one recipe for start-up and for enrolment.

Enrolling from the supervisor panel used to assemble the client and scheduler by
hand and lost the configured interval and clock-skew threshold; both paths now
ask this object.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.gate import Gate
from scanner.store import Store
from sync.client import SyncClient
from sync.config import KioskConfig
from sync.scheduler import SyncScheduler


@dataclass(frozen=True, slots=True)
class SyncWiring:
    sync_interval_seconds: float = 15.0
    clock_skew_warning_seconds: float = 60.0
    allow_insecure_http: bool = False

    @classmethod
    def from_config(cls, config: KioskConfig) -> SyncWiring:
        return cls(
            config.sync_interval_seconds,
            config.clock_skew_warning_seconds,
            config.allow_insecure_http,
        )

    def client(self, store: Store) -> SyncClient:
        return SyncClient(store, skew_warning_seconds=self.clock_skew_warning_seconds)

    def scheduler(self, client: SyncClient, gate: Gate) -> SyncScheduler:
        """A scheduler for ``client`` whose pulls reach ``gate`` (keys, events,
        revocations) as soon as they are applied."""
        client.on_manifest_applied.append(
            lambda result: gate.reload_manifest() if result.changes else None
        )
        return SyncScheduler(client, interval=self.sync_interval_seconds)
