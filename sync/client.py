"""The kiosk's sync client: enrol, pull the manifest, push the journal.  No Qt.

Exactly-once, resumable, offline-first:

- **pull**: each manifest page is applied in one store transaction together with
  the new cursor.  A pull killed at any moment leaves the store at a page
  boundary and the next pull resumes from there; a page is never half applied.
- **push**: journal entries go up in batches and are marked uploaded only for
  the scans the server acknowledged (stored or duplicate).  A lost
  acknowledgement means the same scans go up again, and the server's scan-id
  idempotency makes that harmless.
- **errors**: transport failures and 5xx/429 answers are retried with
  exponential back-off and jitter, then reported as :class:`OfflineError`;
  4xx answers are never retried (:class:`ServerRejectedError`), since sending
  the same bad request again cannot help.
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import ValidationError

from scanner.keys import KeyFileError, public_from_raw
from scanner.local_secret import SecretError
from scanner.manifest import EventRecord, Revocation, TicketRecord, TicketTypeRecord
from scanner.store import META_GATE, META_MODE, Store
from sync.pinning import certificate_sha256, fetch_certificate, pinned_context
from sync.trust import SIGNATURE_HEADER, TrustError, check_pin, verify_page
from sync.wire import (
    AuditEntryWire,
    EnrolResponse,
    EventData,
    HeartbeatResponse,
    KeyData,
    ManifestKeyOut,
    ManifestPage,
    PushResponse,
    RevocationData,
    ScanAck,
    ScanEventWire,
    TicketData,
    TicketTypeData,
)

log = logging.getLogger(__name__)

META_SERVER = "server_url"
META_TOKEN = "device_token"
META_EVENTS = "event_ids"
META_CURSOR = "sync_cursor"
META_PULLED_AT = "manifest_pulled_at"
META_SYNCED_AT = "last_sync_at"
META_SKEW = "clock_skew_seconds"
META_MANIFEST_KEY = "manifest_key"
"""The server's manifest-signing public key (hex), pinned at enrolment."""
META_TLS_CERT = "tls_certificate"
"""The server's HTTPS certificate (PEM), pinned at enrolment: the only one trusted."""
META_INSECURE = "insecure_http"
""""1" when the kiosk was enrolled over plain http (a closed LAN, by explicit choice)."""
META_TRUST_PROBLEM = "manifest_trust_problem"
"""Why the last manifest page was refused ("" once one is accepted again)."""


class SyncError(Exception):
    """Base of everything the sync client raises."""


class OfflineError(SyncError):
    """The server could not be reached (after retries); the kiosk keeps working offline."""


class ServerRejectedError(SyncError):
    """The server answered 4xx: retrying the same request cannot help."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"server refused ({status}): {detail}")
        self.status = status
        self.detail = detail


class NotEnrolledError(SyncError):
    """No device token in the store: enrol the kiosk first."""


class UntrustedServerError(SyncError):
    """The server's keys do not match the enrolment code's fingerprint: nothing was
    sent to it."""


class ManifestRefusedError(SyncError):
    """A manifest page failed the kiosk's checks and was not applied: the kiosk goes on
    scanning with the list it had (see ``sync.trust``)."""


@dataclass(frozen=True, slots=True)
class PullResult:
    pages: int
    changes: int
    cursor: int


@dataclass(frozen=True, slots=True)
class PushResult:
    stored: int
    duplicates: int
    rejected: int
    new_conflicts: int

    @property
    def acknowledged(self) -> int:
        return self.stored + self.duplicates


@dataclass(frozen=True, slots=True)
class SyncStatus:
    enrolled: bool
    online: bool
    last_sync: datetime | None
    pending_uploads: int
    manifest_pulled_at: datetime | None
    clock_skew_seconds: float | None
    skew_warning: bool
    last_error: str = ""
    refused: str = ""
    """The server's words when it last refused this kiosk's token (revoked, unknown);
    empty once it accepts the kiosk again."""
    quarantined: int = 0
    """Records set aside because the server can never take them (see ``push``)."""
    trust_problem: str = ""
    """Why the last manifest page was refused; "" when the list is trusted."""
    insecure: bool = False
    """Syncing over plain http (enrolled with ``--insecure-http``)."""

    def manifest_age_seconds(self, now: datetime) -> float | None:
        if self.manifest_pulled_at is None:
            return None
        return (now - self.manifest_pulled_at).total_seconds()


@dataclass
class RetryPolicy:
    attempts: int = 4
    initial: float = 0.2
    maximum: float = 5.0
    jitter: float = 0.5
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        base: float = min(self.maximum, self.initial * 2**attempt)
        return base * (1 + self.jitter * self.rng.random())


DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=20.0, write=20.0, pool=5.0)


class SyncClient:
    def __init__(
        self,
        store: Store,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        page_size: int = 5000,
        push_batch: int = 500,
        skew_warning_seconds: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.page_size = page_size
        self.push_batch = push_batch
        self.skew_warning_seconds = skew_warning_seconds
        self._transport = transport
        self._online = False
        self._last_error = ""
        self._refused = ""
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.on_manifest_applied: list[Callable[[PullResult], None]] = []
        self.on_status: list[Callable[[SyncStatus], None]] = []

    # --- state ---------------------------------------------------------------

    @property
    def server_url(self) -> str | None:
        return self.store.get_meta(META_SERVER)

    @property
    def enrolled(self) -> bool:
        return bool(self.store.get_meta(META_TOKEN))

    @property
    def online(self) -> bool:
        return self._online

    def status(self) -> SyncStatus:
        skew_text = self.store.get_meta(META_SKEW)
        skew = float(skew_text) if skew_text is not None else None
        return SyncStatus(
            enrolled=self.enrolled,
            online=self._online,
            last_sync=_parse(self.store.get_meta(META_SYNCED_AT)),
            pending_uploads=self.store.pending_count(),
            manifest_pulled_at=_parse(self.store.get_meta(META_PULLED_AT)),
            clock_skew_seconds=skew,
            skew_warning=skew is not None and abs(skew) > self.skew_warning_seconds,
            last_error=self._last_error,
            refused=self._refused,
            quarantined=self.store.quarantine_count(),
            trust_problem=self.store.get_meta(META_TRUST_PROBLEM) or "",
            insecure=self.store.get_meta(META_INSECURE) == "1",
        )

    def close(self) -> None:
        """Interrupt any retry back-off at once (used on shutdown)."""
        self._stop.set()

    # --- HTTP ------------------------------------------------------------------

    def _token(self) -> str | None:
        """The device token, unsealed with the secret file beside the database."""
        stored = self.store.get_meta(META_TOKEN)
        if not stored:
            return None
        try:
            return self.store.secret.unseal(stored, "device token")
        except SecretError as exc:
            raise NotEnrolledError(str(exc)) from exc

    def _client(
        self,
        server_url: str | None = None,
        token: str | None = None,
        certificate: str | None = None,
    ) -> httpx.Client:
        """A client for the server; over https it trusts only the pinned certificate
        (or ``certificate``, the one being checked at enrolment)."""
        url = server_url or self.server_url
        if not url:
            raise NotEnrolledError("this kiosk is not enrolled: run 'admitone kiosk enrol'")
        token = token if token is not None else self._token()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        verify: ssl.SSLContext | bool = True
        if url.startswith("https://"):
            pem = certificate or self.store.get_meta(META_TLS_CERT)
            if not pem:
                raise UntrustedServerError(
                    "this kiosk has no pinned server certificate: enrol it again"
                )
            verify = pinned_context(pem)
        return httpx.Client(
            base_url=url.rstrip("/") + "/api/v1",
            headers=headers,
            timeout=self.timeout,
            transport=self._transport,
            verify=verify,
        )

    def _request(self, client: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
        return self._response(client, method, path, **kwargs).json()

    def _response(
        self, client: httpx.Client, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        """The server's 2xx answer, after retries; its body is JSON (checked)."""
        last = ""
        for attempt in range(self.retry.attempts + 1):
            if self._stop.is_set():
                break
            try:
                response = client.request(method, path, **kwargs)
                if response.status_code >= 500 or response.status_code == 429:
                    last = f"{method} {path}: server answered {response.status_code}"
                else:
                    if response.status_code >= 400:
                        detail = _detail(response)
                        if response.status_code == 401 and "Authorization" in client.headers:
                            self._refused = detail
                        raise ServerRejectedError(response.status_code, detail)
                    response.json()  # a truncated or garbled body is retried
                    self._refused = ""
                    self._set_online(True)
                    return response
            except httpx.TransportError as exc:
                last = f"{method} {path}: {type(exc).__name__}: {exc}"
            except ValueError as exc:  # a truncated or garbled body: treat as transient
                last = f"{method} {path}: unreadable answer ({exc})"
            if attempt < self.retry.attempts:
                log.debug("retrying after %s", last)
                self._stop.wait(self.retry.delay(attempt))
        self._set_online(False, last)
        raise OfflineError(last or "sync stopped")

    def _set_online(self, online: bool, error: str = "") -> None:
        changed = online != self._online
        self._online = online
        self._last_error = error
        if changed:
            log.info(
                "sync server is %s%s",
                "online" if online else "offline",
                f" ({error})" if error else "",
            )

    # --- enrolment ---------------------------------------------------------------

    def enrol(
        self,
        server_url: str,
        code: str,
        *,
        device_name: str = "",
        insecure_http: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> EnrolResponse:
        """Exchange a one-time code for a device token, then pull the whole manifest.

        Before the code leaves the kiosk, the server's HTTPS certificate and manifest-
        signing key are checked against the fingerprint the code carries; both are then
        pinned: every later connection trusts that certificate only, and every manifest
        page must carry that key's signature.  Plain http is refused unless
        ``insecure_http`` (a closed LAN): then code and token cross the wire in clear."""
        scheme = server_url.split("://", 1)[0].lower() if "://" in server_url else ""
        certificate: str | None = None
        if scheme == "https":
            certificate = self._fetch_certificate(server_url)
        elif scheme == "http":
            if not insecure_http:
                raise UntrustedServerError(
                    "plain http would carry the enrolment code and the kiosk's token in "
                    "clear: use the server's https:// address, or --insecure-http on a "
                    "closed LAN"
                )
            log.warning("enrolling over plain http: code and token cross the network in clear")
        else:
            raise UntrustedServerError(f"{server_url!r} is not an http(s):// address")
        with self._client(server_url, token="", certificate=certificate) as client:
            offered = ManifestKeyOut.model_validate(
                self._request(client, "GET", "/sync/manifest-key")
            )
            manifest_key = bytes.fromhex(offered.public_key_hex)
            if certificate is not None:
                certificate_pin: bytes | None = certificate_sha256(certificate)
            else:  # plain http: only what the server says of itself (a closed LAN)
                reported = offered.certificate_sha256
                certificate_pin = bytes.fromhex(reported) if reported else None
            try:
                check_pin(code, manifest_key, certificate_pin)
            except TrustError as exc:
                raise UntrustedServerError(str(exc)) from exc
            body = self._enrol_request(client, code, device_name)
        answer = EnrolResponse.model_validate(body)
        with self.store.transaction():
            self.store.set_meta(META_SERVER, server_url)
            self.store.set_meta(META_TOKEN, self.store.secret.seal(answer.token, "device token"))
            self.store.set_meta(META_GATE, answer.gate)
            self.store.set_meta(META_EVENTS, ",".join(str(e) for e in answer.event_ids))
            self.store.set_meta(META_CURSOR, "0")
            self.store.set_meta(META_MANIFEST_KEY, manifest_key.hex())
            self.store.set_meta(META_TLS_CERT, certificate or "")
            self.store.set_meta(META_INSECURE, "" if certificate else "1")
            self.store.set_meta(META_TRUST_PROBLEM, "")
        log.info(
            "enrolled as %s at %s for events %s", answer.device_id, answer.gate, answer.event_ids
        )
        self.pull(progress=progress)
        return answer

    def _enrol_request(self, client: httpx.Client, code: str, device_name: str) -> Any:
        """POST the code; a kiosk already enrolled proves it is itself with its token.
        An identity the organiser revoked never comes back: the kiosk takes a new one."""
        current = self._token()
        headers = {"Authorization": f"Bearer {current}"} if current else {}

        def send() -> Any:
            return self._request(
                client,
                "POST",
                "/devices/enrol",
                json={"code": code, "device_id": self.store.device_id, "device_name": device_name},
                headers=headers,
            )

        try:
            return send()
        except ServerRejectedError as exc:
            if exc.status != 410:
                raise
            old = self.store.device_id
            log.warning("kiosk id %s was revoked; enrolling as %s", old, self.store.new_device_id())
            headers.clear()
            return send()

    def _fetch_certificate(self, server_url: str) -> str:
        """The server's certificate, unverified yet; retried like any request."""
        last = "enrolment stopped"
        for attempt in range(self.retry.attempts + 1):
            try:
                return fetch_certificate(server_url, timeout=self.timeout.connect or 10)
            except (OSError, ValueError) as exc:
                last = f"cannot reach {server_url}: {exc}"
            if attempt < self.retry.attempts and self._stop.wait(self.retry.delay(attempt)):
                break  # shutting down: no more tries
        raise OfflineError(last)

    # --- pull ----------------------------------------------------------------------

    def pull(self, *, progress: Callable[[int, int], None] | None = None) -> PullResult:
        """Apply manifest pages until the server has no more; resumable at any point."""
        with self._lock, self._client() as client:
            pages = changes = 0
            cursor = int(self.store.get_meta(META_CURSOR) or 0)
            while True:
                response = self._response(
                    client,
                    "GET",
                    "/sync/manifest",
                    params={"cursor": cursor, "limit": self.page_size},
                )
                try:
                    page = self._trusted_page(response, cursor)
                except TrustError as exc:
                    self.store.set_meta(META_TRUST_PROBLEM, str(exc))
                    log.error("manifest page refused, the kiosk keeps its list: %s", exc)
                    raise ManifestRefusedError(str(exc)) from exc
                self._apply(page)
                self.store.set_meta(META_TRUST_PROBLEM, "")
                pages += 1
                changes += len(page.changes)
                cursor = page.cursor
                if progress is not None:
                    progress(changes, pages)
                if not page.has_more:
                    break
        result = PullResult(pages, changes, cursor)
        for callback in list(self.on_manifest_applied):
            callback(result)
        return result

    def _trusted_page(self, response: httpx.Response, cursor: int) -> ManifestPage:
        """The page in ``response`` if it passes every check of ``sync.trust``: signed by
        the pinned key, for this kiosk, continuing from ``cursor``, not expired."""
        pinned = self.store.get_meta(META_MANIFEST_KEY)
        if not pinned:
            raise TrustError("this kiosk has no pinned server key: enrol it again")
        verify_page(response.content, response.headers.get(SIGNATURE_HEADER), bytes.fromhex(pinned))
        try:
            page = ManifestPage.model_validate_json(response.content)
        except ValidationError as exc:
            raise TrustError(f"a signed manifest page we cannot read: {_first(exc)}") from exc
        if page.device_id != self.store.device_id:
            raise TrustError("a manifest page made for another kiosk")
        if page.from_cursor != cursor or page.cursor < cursor:
            raise TrustError("an old manifest page, replayed (rollback)")
        if any(not cursor < change.seq <= page.cursor for change in page.changes):
            raise TrustError("a manifest page whose changes do not follow on")
        skew = float(self.store.get_meta(META_SKEW) or 0.0)
        server_now = datetime.now(UTC) - timedelta(seconds=skew)
        if page.expires_at < server_now:
            raise TrustError(
                f"an expired manifest page (signed {page.server_time:%Y-%m-%d %H:%M} UTC): "
                "replayed or held back (freeze)"
            )
        return page

    def _apply(self, page: ManifestPage) -> None:
        events: list[EventRecord] = []
        types: list[TicketTypeRecord] = []
        tickets: dict[str, TicketRecord] = {}
        revocations: list[Revocation] = []
        scans = []
        keys: list[KeyData] = []
        for change in page.changes:
            data = change.data
            if change.kind == "event":
                events.append(EventData.model_validate(data).to_record())
            elif change.kind == "ticket_type":
                types.append(TicketTypeData.model_validate(data).to_record())
            elif change.kind == "ticket":
                ticket = TicketData.model_validate(data).to_record()
                tickets[ticket.ticket_id] = ticket
            elif change.kind == "revocation":
                revocations.append(RevocationData.model_validate(data).to_revocation())
            elif change.kind == "key":
                keys.append(KeyData.model_validate(data))
            elif change.kind == "scan":
                scans.append(ScanEventWire.model_validate(data).to_event())
        with self.store.transaction():
            if events:
                self.store.upsert_events(events)
            if types:
                self.store.upsert_ticket_types(types)
            if tickets:
                self.store.upsert_tickets(tickets.values())
            if revocations:
                self.store.revoke(revocations)
            for key in keys:
                try:
                    public = public_from_raw(bytes.fromhex(key.public_key_hex))
                except KeyFileError as exc:  # a weak key can only be an attack
                    log.error("the manifest offered a key this kiosk refuses: %s", exc)
                    continue
                self.store.add_public_key(public, retired=key.retired)
            if scans:
                self.store.merge_scans(scans)
            self.store.set_meta(META_CURSOR, str(page.cursor))
            self.store.set_meta(META_PULLED_AT, datetime.now(UTC).isoformat())

    # --- push -------------------------------------------------------------------------

    def push(self) -> PushResult:
        """Upload pending journal entries; mark each uploaded only on its acknowledgement.

        One bad record never stalls the queue: a scan the wire cannot carry (a field
        longer than the protocol allows) or the server refuses is quarantined in the
        store with the reason, visible on the kiosk, and every other scan goes on up."""
        stored = duplicates = rejected = conflicts = 0
        with self._lock, self._client() as client:
            while True:
                pending = self.store.pending_uploads(self.push_batch)
                if not pending:
                    break
                wire = []
                for scan in pending:
                    try:
                        wire.append(ScanEventWire.from_event(scan).model_dump(mode="json"))
                    except (ValidationError, ValueError, TypeError) as exc:
                        rejected += 1
                        self._quarantine("scan", scan.scan_id, f"cannot be sent: {_first(exc)}")
                if not wire:
                    continue
                moving = {scan.scan_id for scan in pending if scan.moves}
                acks, new_conflicts, set_aside = self._send_scans(client, wire)
                done = []
                for ack in acks:
                    if ack.status == "stored":
                        stored += 1
                    elif ack.status == "duplicate":
                        duplicates += 1
                    else:
                        rejected += 1
                        if ack.scan_id in moving:
                            self._quarantine(
                                "scan", ack.scan_id, f"refused by the server: {ack.detail}"
                            )
                            continue
                        # A refusal the kiosk itself journalled (another event's ticket,
                        # say) stays in its journal; nobody else needs it.
                        log.info("server keeps no copy of scan %s: %s", ack.scan_id, ack.detail)
                    done.append(ack.scan_id)
                self.store.mark_uploaded(done)
                conflicts += new_conflicts
                answered = {ack.scan_id for ack in acks} | set(set_aside)
                rejected += len(set_aside)
                if any(w["scan_id"] not in answered for w in wire):
                    raise OfflineError("the server acknowledged only part of a batch; will retry")
            self._push_audit(client)
        return PushResult(stored, duplicates, rejected, conflicts)

    def _send_scans(
        self, client: httpx.Client, wire: list[dict[str, Any]]
    ) -> tuple[list[ScanAck], int, list[str]]:
        """POST a batch: (acknowledgements, new conflicts, scan ids set aside).  Should
        the server refuse the whole body (422, 413), halve it until the record it refuses
        is alone, and quarantine that one: the rest go up."""
        try:
            answer = PushResponse.model_validate(
                self._request(client, "POST", "/sync/scans", json={"scans": wire})
            )
            return list(answer.acks), answer.new_conflicts, []
        except ServerRejectedError as exc:
            if exc.status not in (413, 422):
                raise
            if len(wire) == 1:
                self._quarantine("scan", wire[0]["scan_id"], f"refused by the server: {exc.detail}")
                return [], 0, [wire[0]["scan_id"]]
        half = len(wire) // 2
        first = self._send_scans(client, wire[:half])
        second = self._send_scans(client, wire[half:])
        return first[0] + second[0], first[1] + second[1], first[2] + second[2]

    def _quarantine(self, kind: str, record_id: str, reason: str) -> None:
        log.warning("%s %s set aside: %s", kind, record_id, reason)
        self.store.quarantine(kind, record_id, reason, datetime.now(UTC))

    def _push_audit(self, client: httpx.Client) -> None:
        """Supervisor actions (mode switches, overrides, PIN tries) go up like scans; an
        entry the protocol cannot carry is quarantined rather than blocking the rest."""
        while True:
            entries = self.store.pending_audit(self.push_batch)
            if not entries:
                return
            good = []
            for entry in entries:
                try:
                    AuditEntryWire.model_validate(entry)
                except ValidationError as exc:
                    self._quarantine("audit", entry["audit_id"], f"cannot be sent: {_first(exc)}")
                    continue
                good.append(entry)
            if good:
                self._request(client, "POST", "/sync/audit", json={"entries": good})
                self.store.mark_audit_uploaded(e["audit_id"] for e in good)

    # --- heartbeat and the whole cycle --------------------------------------------------------

    def heartbeat(self) -> HeartbeatResponse:
        with self._client() as client:
            body = self._request(
                client,
                "POST",
                "/sync/heartbeat",
                json={
                    "client_time": datetime.now(UTC).isoformat(),
                    "quarantined": self.store.quarantine_count(),
                    "pending": self.store.pending_count(),
                    "gate": self.store.get_meta(META_GATE) or None,
                    "mode": self.store.get_meta(META_MODE) or None,
                    "manifest_pulled_at": self.store.get_meta(META_PULLED_AT) or None,
                },
            )
        answer = HeartbeatResponse.model_validate(body)
        self.store.set_meta(META_SKEW, f"{answer.skew_seconds:.3f}")
        if abs(answer.skew_seconds) > self.skew_warning_seconds:
            log.warning(
                "this kiosk's clock is %.0f s off the server's; validity windows use it",
                answer.skew_seconds,
            )
        return answer

    def sync_once(self) -> tuple[PushResult, PullResult]:
        """Push, heartbeat, pull: one full cycle, as ``admitone kiosk sync`` runs it.  The
        heartbeat follows the push so the health it reports (records set aside) is
        this cycle's."""
        pushed = self.push()
        self.heartbeat()
        pulled = self.pull()
        self.store.set_meta(META_SYNCED_AT, datetime.now(UTC).isoformat())
        self._publish_status()
        return pushed, pulled

    def _publish_status(self) -> None:
        status = self.status()
        for callback in list(self.on_status):
            callback(status)


def _first(exc: Exception) -> str:
    """The first problem pydantic names, in a line a person can read."""
    if isinstance(exc, ValidationError) and exc.errors():
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error.get("loc", ()))
        return f"{where}: {error.get('msg', '')}".strip(": ")
    return str(exc)


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    return detail if isinstance(detail, str) else str(detail)
