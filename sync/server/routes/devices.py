"""Kiosks: enrolment codes, enrolment, manifest pull, scan push, heartbeat; issuing keys.

Thin: each route checks who is calling and hands over to the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sync.server.deps import (
    Admin,
    AnyPrincipal,
    DeviceIdPath,
    DevicePrincipal,
    IdPath,
    State,
    TicketIdPath,
    bearer_token,
)
from sync.server.schemas import DeviceOut, EnrolCodeIn, EnrolCodeOut, KeyOut
from sync.server.services import admissions, devices, keys, reports
from sync.trust import SIGNATURE_HEADER
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


@router.post(
    "/events/{event_id}/enrol-codes",
    response_model=EnrolCodeOut,
    status_code=201,
    tags=["devices"],
)
def enrol_code(event_id: IdPath, body: EnrolCodeIn, state: State, _: Admin) -> EnrolCodeOut:
    """A one-time code a kiosk exchanges for its device token (shown once)."""
    return devices.create_enrolment_code(state, event_id, body.gate)


@router.post("/devices/enrol", response_model=EnrolResponse, tags=["devices"])
def enrol(body: EnrolRequest, request: Request, state: State) -> EnrolResponse:
    """Exchange a one-time code for a device token.

    A code enrols one kiosk, once: a used code never mints a token again.  A kiosk id
    already enrolled is re-enrolled (another event, a new token) only by the kiosk
    itself, presenting its current token; a revoked id never comes back (the kiosk
    enrols again under a new id).  Failed tries are limited per address (the real
    peer: a forwarded-for header counts only from configured trusted proxies) and
    across all addresses."""
    return devices.enrol(
        state,
        body,
        client=request.client.host if request.client else "unknown",
        presented_token=bearer_token(request),
    )


@router.get("/devices", response_model=list[DeviceOut], tags=["devices"])
def list_devices(state: State, _: Admin) -> list[DeviceOut]:
    """Every enrolled kiosk: its gate and events, when it was last heard from (its
    heartbeat) and its clock skew, so an organiser can see which gates are offline."""
    return devices.all_devices(state)


@router.post("/devices/{device_id}/revoke", response_model=DeviceOut, tags=["devices"])
def revoke_device(device_id: DeviceIdPath, state: State, _: Admin) -> DeviceOut:
    """Stop a kiosk's token (a lost or stolen kiosk).  Scans it already pushed stay;
    to bring it back, give it a new enrolment code."""
    return devices.revoke(state, device_id)


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
    assert device.device_id is not None
    body, signature = devices.manifest_page(
        state, device_id=device.device_id, event_ids=device.event_ids, cursor=cursor, limit=limit
    )
    return Response(  # type: ignore[return-value]
        body, media_type="application/json", headers={SIGNATURE_HEADER: signature.hex()}
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
    return admissions.push_scans(state, device, body)


@router.post("/sync/audit", response_model=PushAuditResponse, tags=["sync"])
def push_audit(body: PushAuditRequest, state: State, device: DevicePrincipal) -> PushAuditResponse:
    """Store this kiosk's supervisor actions (idempotent by audit id)."""
    assert device.device_id is not None
    return admissions.push_audit(state, device.device_id, body)


@router.get("/audit", response_model=list[AuditEntryOut], tags=["sync"])
def list_audit(
    state: State,
    _: Admin,
    device_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AuditEntryOut]:
    """Supervisor actions from every kiosk (or one), newest last."""
    return reports.audit_log(state, device_id=device_id, limit=limit)


@router.post("/sync/heartbeat", response_model=HeartbeatResponse, tags=["sync"])
def heartbeat(body: HeartbeatRequest, state: State, device: DevicePrincipal) -> HeartbeatResponse:
    assert device.device_id is not None
    return devices.heartbeat(state, device.device_id, body)


@router.get("/keys", response_model=list[KeyOut], tags=["keys"])
def list_keys(state: State, _: AnyPrincipal) -> list[KeyOut]:
    return keys.list_keys(state)


@router.post("/keys/rotate", response_model=KeyOut, status_code=201, tags=["keys"])
def rotate_key(state: State, _: Admin) -> KeyOut:
    """A new issuing key; tickets signed by older keys keep verifying until retired."""
    return keys.rotate_key(state)


@router.post("/keys/{kid}/retire", response_model=KeyOut, tags=["keys"])
def retire_key(kid: TicketIdPath, state: State, _: Admin) -> KeyOut:
    return keys.retire_key(state, kid)
