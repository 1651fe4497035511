"""Kiosks: enrolment codes, enrolment, manifest pull, scan push, heartbeat; issuing keys."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from scanner.limits import MAX_GATE_NAME
from sync.server import changes, issuing
from sync.server.auth import (
    Admin,
    AnyPrincipal,
    DevicePrincipal,
    forget_device,
    hash_secret,
    new_token,
)
from sync.server.ingest import ingest
from sync.server.lookups import get_event_or_404
from sync.server.models import (
    AuditEntry,
    Device,
    DeviceEvent,
    EnrolAttempt,
    EnrolmentCode,
    SigningKey,
)
from sync.server.schemas import (
    DeviceIdPath,
    DeviceOut,
    EnrolCodeIn,
    EnrolCodeOut,
    IdPath,
    KeyOut,
    TicketIdPath,
)
from sync.server.state import ServerState, State
from sync.trust import SIGNATURE_HEADER, enrolment_code, split_code
from sync.wire import (
    MAX_PAGE,
    AuditEntryOut,
    EnrolRequest,
    EnrolResponse,
    HeartbeatRequest,
    HeartbeatResponse,
    ManifestKeyOut,
    ManifestPage,
    PushAuditRequest,
    PushAuditResponse,
    PushRequest,
    PushResponse,
)

router = APIRouter()
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_enrolment_code() -> str:
    """12 characters (60 bits) in groups of four, without look-alike characters."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalise_code(code: str) -> str:
    """The secret part of a code as typed (the server's pin after it is not secret)."""
    secret, _ = split_code(code)
    return secret


def create_enrolment_code(state: ServerState, event_id: int, gate: str) -> EnrolCodeOut:
    gate = gate.strip()
    if not gate or len(gate) > MAX_GATE_NAME:
        # The kiosk signs every scan with this name: one too long for the sync wire
        # would leave every scan it makes unsendable.
        raise HTTPException(422, f"a gate name is 1 to {MAX_GATE_NAME} characters")
    code = new_enrolment_code()
    expires = datetime.now(UTC) + timedelta(hours=state.config.enrol_code_hours)
    with state.db.write() as session:
        get_event_or_404(session, event_id)
        session.add(
            EnrolmentCode(
                code_hash=hash_secret(code), event_id=event_id, gate=gate, expires_at=expires
            )
        )
    return EnrolCodeOut(
        code=enrolment_code(code, state.pin), event_id=event_id, gate=gate, expires_at=expires
    )


@router.post(
    "/events/{event_id}/enrol-codes",
    response_model=EnrolCodeOut,
    status_code=201,
    tags=["devices"],
)
def enrol_code(event_id: IdPath, body: EnrolCodeIn, state: State, _: Admin) -> EnrolCodeOut:
    """A one-time code a kiosk exchanges for its device token (shown once)."""
    return create_enrolment_code(state, event_id, body.gate)


@router.post("/devices/enrol", response_model=EnrolResponse, tags=["devices"])
def enrol(body: EnrolRequest, request: Request, state: State) -> EnrolResponse:
    """Exchange a one-time code for a device token.

    A code enrols one kiosk, once: a used code never mints a token again.  A kiosk id
    already enrolled is re-enrolled (another event, a new token) only by the kiosk
    itself, presenting its current token; a revoked id never comes back (the kiosk
    enrols again under a new id).  Failed tries are limited per address (the real
    peer: a forwarded-for header counts only from configured trusted proxies) and
    across all addresses."""
    client = request.client.host if request.client else "unknown"
    now = datetime.now(UTC)
    window = now - timedelta(minutes=1)
    config = state.config
    with state.db.write() as session:
        session.execute(delete(EnrolAttempt).where(EnrolAttempt.at < now - timedelta(hours=1)))
        recent = select(func.count()).select_from(EnrolAttempt).where(EnrolAttempt.at >= window)
        from_here = session.scalar(recent.where(EnrolAttempt.client == client)) or 0
        everywhere = session.scalar(recent) or 0
        if (
            from_here >= config.enrol_attempts_per_minute
            or everywhere >= config.enrol_attempts_global_per_minute
        ):
            raise HTTPException(
                429,
                "too many enrolment attempts; wait a minute and retry",
                headers={"Retry-After": "60"},
            )
        # Locked: two kiosks presenting one code at once must not both see it unused.
        record = session.get(
            EnrolmentCode, hash_secret(normalise_code(body.code)), with_for_update=True
        )
        status, failure = 401, ""
        if record is None or record.used_by is not None or record.expires_at < now:
            failure = "unknown, used or expired enrolment code; ask the organiser for a new one"
        else:
            device = session.get(Device, body.device_id, with_for_update=True)
            if device is not None and device.revoked_at is not None:
                status, failure = 410, REVOKED_IDENTITY
            elif device is not None and not _holds_token(request, device):
                status = 409
                failure = "a kiosk with this id is enrolled; only it can enrol again"
        if failure:
            session.add(EnrolAttempt(client=client, at=now))
        else:
            assert record is not None
            token = new_token()
            if device is None:
                device = Device(
                    device_id=body.device_id, gate=record.gate, token_hash=hash_secret(token)
                )
                session.add(device)
            forget_device(state, body.device_id)  # its old token ends here and now
            device.name = body.device_name
            device.gate = record.gate
            device.token_hash = hash_secret(token)
            device.enrolled_at = now
            session.flush()
            if session.get(DeviceEvent, (body.device_id, record.event_id)) is None:
                session.add(DeviceEvent(device_id=body.device_id, event_id=record.event_id))
            record.used_by = body.device_id
            session.flush()
            event_ids = sorted(
                session.scalars(
                    select(DeviceEvent.event_id).where(DeviceEvent.device_id == body.device_id)
                )
            )
            response = EnrolResponse(
                device_id=body.device_id,
                token=token,
                gate=record.gate,
                event_ids=event_ids,
                server_time=now,
            )
    if failure:
        raise HTTPException(status, failure)
    return response


REVOKED_IDENTITY = (
    "this kiosk id was revoked by the organiser and stays revoked; the kiosk enrols again "
    "under a new id"
)


def _holds_token(request: Request, device: Device) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hash_secret(token.strip()) == device.token_hash


def _device_out(session: Session, device: Device) -> DeviceOut:
    events = session.scalars(
        select(DeviceEvent.event_id)
        .where(DeviceEvent.device_id == device.device_id)
        .order_by(DeviceEvent.event_id)
    )
    return DeviceOut(
        device_id=device.device_id,
        name=device.name,
        gate=device.gate,
        event_ids=list(events),
        enrolled_at=device.enrolled_at,
        last_seen=device.last_seen,
        clock_skew_seconds=device.clock_skew_seconds,
        quarantined=device.quarantined,
        revoked_at=device.revoked_at,
    )


def all_devices(state: ServerState) -> list[DeviceOut]:
    with state.db.read() as session:
        devices = session.scalars(select(Device).order_by(Device.gate, Device.device_id))
        return [_device_out(session, d) for d in devices]


def revoke(state: ServerState, device_id: str) -> DeviceOut:
    with state.db.write() as session:
        device = session.get(Device, device_id)
        if device is None:
            raise HTTPException(404, f"no kiosk {device_id}; GET /devices lists them")
        if device.revoked_at is None:
            device.revoked_at = datetime.now(UTC)
        session.flush()
        answer = _device_out(session, device)
    forget_device(state, device_id)
    return answer


@router.get("/devices", response_model=list[DeviceOut], tags=["devices"])
def list_devices(state: State, _: Admin) -> list[DeviceOut]:
    """Every enrolled kiosk: its gate and events, when it was last heard from (its
    heartbeat) and its clock skew, so an organiser can see which gates are offline."""
    return all_devices(state)


@router.post("/devices/{device_id}/revoke", response_model=DeviceOut, tags=["devices"])
def revoke_device(device_id: DeviceIdPath, state: State, _: Admin) -> DeviceOut:
    """Stop a kiosk's token (a lost or stolen kiosk).  Scans it already pushed stay;
    to bring it back, give it a new enrolment code."""
    return revoke(state, device_id)


@router.get("/sync/manifest", response_model=ManifestPage, tags=["sync"])
def manifest(
    state: State,
    device: DevicePrincipal,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 5000,
) -> ManifestPage:
    """Changes after ``cursor`` for this kiosk's events, in order; apply each page whole.

    Signed with the manifest-signing key (the ``X-AdmitOne-Signature`` header, over the
    body's exact bytes), and naming the kiosk, the cursor it continues and when it
    expires: a kiosk applies no page that fails any of these (``sync.trust``)."""
    assert state.manifest_key is not None
    with state.db.read() as session:
        body = changes.page_json(
            session,
            event_ids=device.event_ids,
            device_id=device.device_id,
            cursor=cursor,
            limit=limit,
            lifetime=timedelta(seconds=state.config.manifest_page_seconds),
        )
    signature = state.manifest_key.sign(body).hex()
    return Response(  # type: ignore[return-value]
        body, media_type="application/json", headers={SIGNATURE_HEADER: signature}
    )


@router.get("/sync/manifest-key", response_model=ManifestKeyOut, tags=["sync"])
def manifest_key(state: State) -> ManifestKeyOut:
    """The manifest-signing public key (and the HTTPS certificate's SHA-256, if any).
    Public: a kiosk checks them against its enrolment code's fingerprint before it
    sends the code."""
    return ManifestKeyOut(
        public_key_hex=state.manifest_public.hex(),
        certificate_sha256=state.certificate_sha256.hex() if state.certificate_sha256 else None,
        fingerprint=state.pin,
    )


@router.post("/sync/scans", response_model=PushResponse, tags=["sync"])
def push_scans(body: PushRequest, state: State, device: DevicePrincipal) -> PushResponse:
    """Store this kiosk's scans; each gets an ack (stored, duplicate or rejected)."""
    with state.db.write() as session:
        return ingest(session, device, body.scans)


@router.post("/sync/audit", response_model=PushAuditResponse, tags=["sync"])
def push_audit(body: PushAuditRequest, state: State, device: DevicePrincipal) -> PushAuditResponse:
    """Store this kiosk's supervisor actions (idempotent by audit id)."""
    assert device.device_id is not None
    ids = [e.audit_id for e in body.entries]
    with state.db.write() as session:
        known = set(
            session.scalars(select(AuditEntry.audit_id).where(AuditEntry.audit_id.in_(ids)))
        )
        fresh = {e.audit_id: e for e in body.entries if e.audit_id not in known}
        session.add_all(
            AuditEntry(
                audit_id=e.audit_id,
                device_id=device.device_id,
                at=e.at,
                actor=e.actor,
                action=e.action,
                detail=e.detail,
                received_at=datetime.now(UTC),
            )
            for e in fresh.values()
        )
    return PushAuditResponse(stored=len(fresh), duplicates=len(body.entries) - len(fresh))


@router.get("/audit", response_model=list[AuditEntryOut], tags=["sync"])
def list_audit(
    state: State,
    _: Admin,
    device_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AuditEntryOut]:
    """Supervisor actions from every kiosk (or one), newest last."""
    with state.db.read() as session:
        query = select(AuditEntry).order_by(AuditEntry.at).limit(limit)
        if device_id is not None:
            query = query.where(AuditEntry.device_id == device_id)
        return [
            AuditEntryOut(
                audit_id=a.audit_id,
                at=a.at,
                actor=a.actor,
                action=a.action,
                detail=a.detail,
                device_id=a.device_id,
            )
            for a in session.scalars(query)
        ]


@router.post("/sync/heartbeat", response_model=HeartbeatResponse, tags=["sync"])
def heartbeat(body: HeartbeatRequest, state: State, device: DevicePrincipal) -> HeartbeatResponse:
    now = datetime.now(UTC)
    skew = (body.client_time - now).total_seconds()
    with state.db.write() as session:
        row = session.get(Device, device.device_id)
        if row is not None:
            row.last_seen = now
            row.clock_skew_seconds = skew
            row.quarantined = body.quarantined
    return HeartbeatResponse(server_time=now, skew_seconds=skew)


@router.get("/keys", response_model=list[KeyOut], tags=["keys"])
def list_keys(state: State, _: AnyPrincipal) -> list[KeyOut]:
    with state.db.read() as session:
        return [
            KeyOut(
                kid=k.kid,
                public_key_hex=k.public_key.hex(),
                active=k.active,
                retired=k.retired_at is not None,
            )
            for k in session.scalars(select(SigningKey).order_by(SigningKey.created_at))
        ]


@router.post("/keys/rotate", response_model=KeyOut, status_code=201, tags=["keys"])
def rotate_key(state: State, _: Admin) -> KeyOut:
    """A new issuing key; tickets signed by older keys keep verifying until retired."""
    with state.db.write() as session:
        key = issuing.create_key(session, state.keys_dir)
        return KeyOut(kid=key.kid, public_key_hex=key.public_key.hex(), active=True, retired=False)


@router.post("/keys/{kid}/retire", response_model=KeyOut, tags=["keys"])
def retire_key(kid: TicketIdPath, state: State, _: Admin) -> KeyOut:
    with state.db.write() as session:
        key = issuing.retire_key(session, kid)
        if key is None:
            raise HTTPException(404, f"no key {kid}")
        return KeyOut(
            kid=key.kid, public_key_hex=key.public_key.hex(), active=key.active, retired=True
        )
