"""Kiosks: enrolment codes and enrolment, their health, revocation, manifest pages."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from scanner.limits import MAX_GATE_NAME
from sync.server import changes
from sync.server.errors import Gone, Invalid, Refused, Throttled, Unauthorized
from sync.server.lookups import require_device, require_event
from sync.server.models import Device, DeviceEvent, EnrolAttempt, EnrolmentCode
from sync.server.principals import forget_device, hash_secret, new_token
from sync.server.schemas import DeviceOut, EnrolCodeOut
from sync.server.state import ServerState
from sync.trust import enrolment_code, split_code
from sync.wire import EnrolRequest, EnrolResponse, HeartbeatRequest, HeartbeatResponse

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REVOKED_IDENTITY = (
    "this kiosk id was revoked by the organiser and stays revoked; the kiosk enrols again "
    "under a new id"
)


def new_enrolment_code() -> str:
    """12 characters (60 bits) in groups of four, without look-alike characters."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalise_code(code: str) -> str:
    """The secret part of a code as typed (the server's pin after it is not secret)."""
    secret, _ = split_code(code)
    return secret


def create_enrolment_code(state: ServerState, event_id: int, gate: str) -> EnrolCodeOut:
    """A one-time code a kiosk exchanges for its device token (shown once)."""
    gate = gate.strip()
    if not gate or len(gate) > MAX_GATE_NAME:
        # The kiosk signs every scan with this name: one too long for the sync wire
        # would leave every scan it makes unsendable.
        raise Invalid(f"a gate name is 1 to {MAX_GATE_NAME} characters")
    code = new_enrolment_code()
    expires = datetime.now(UTC) + timedelta(hours=state.config.enrol_code_hours)
    with state.db.write() as session:
        require_event(session, event_id)
        session.add(
            EnrolmentCode(
                code_hash=hash_secret(code), event_id=event_id, gate=gate, expires_at=expires
            )
        )
    return EnrolCodeOut(
        code=enrolment_code(code, state.pin), event_id=event_id, gate=gate, expires_at=expires
    )


def enrol(
    state: ServerState, body: EnrolRequest, *, client: str, presented_token: str
) -> EnrolResponse:
    """Exchange a one-time code for a device token.

    A code enrols one kiosk, once: a used code never mints a token again.  A kiosk id
    already enrolled is re-enrolled (another event, a new token) only by the kiosk
    itself, presenting its current token (``presented_token``); a revoked id never
    comes back (the kiosk enrols again under a new id).  Failed tries are limited per
    ``client`` address and across all addresses."""
    now = datetime.now(UTC)
    window = now - timedelta(minutes=1)
    config = state.config
    failure: Exception | None = None
    with state.db.write() as session:
        session.execute(delete(EnrolAttempt).where(EnrolAttempt.at < now - timedelta(hours=1)))
        recent = select(func.count()).select_from(EnrolAttempt).where(EnrolAttempt.at >= window)
        from_here = session.scalar(recent.where(EnrolAttempt.client == client)) or 0
        everywhere = session.scalar(recent) or 0
        if (
            from_here >= config.enrol_attempts_per_minute
            or everywhere >= config.enrol_attempts_global_per_minute
        ):
            raise Throttled("too many enrolment attempts; wait a minute and retry", retry_after=60)
        # Locked: two kiosks presenting one code at once must not both see it unused.
        record = session.get(
            EnrolmentCode, hash_secret(normalise_code(body.code)), with_for_update=True
        )
        device = None
        if record is None or record.used_by is not None or record.expires_at < now:
            failure = Unauthorized(
                "unknown, used or expired enrolment code; ask the organiser for a new one"
            )
        else:
            device = session.get(Device, body.device_id, with_for_update=True)
            if device is not None and device.revoked_at is not None:
                failure = Gone(REVOKED_IDENTITY)
            elif device is not None and hash_secret(presented_token) != device.token_hash:
                failure = Refused("a kiosk with this id is enrolled; only it can enrol again")
        if failure is not None:
            # Committed with the transaction, so the refusal counts against the limits.
            session.add(EnrolAttempt(client=client, at=now))
        else:
            assert record is not None
            response = _enrol_device(state, session, body, record, device, now)
    if failure is not None:
        raise failure
    return response


def _enrol_device(
    state: ServerState,
    session: Session,
    body: EnrolRequest,
    record: EnrolmentCode,
    device: Device | None,
    now: datetime,
) -> EnrolResponse:
    token = new_token()
    if device is None:
        device = Device(device_id=body.device_id, gate=record.gate, token_hash=hash_secret(token))
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
        session.scalars(select(DeviceEvent.event_id).where(DeviceEvent.device_id == body.device_id))
    )
    return EnrolResponse(
        device_id=body.device_id,
        token=token,
        gate=record.gate,
        event_ids=event_ids,
        server_time=now,
    )


def _device_out(session: Session, device: Device) -> DeviceOut:
    events = session.scalars(
        select(DeviceEvent.event_id)
        .where(DeviceEvent.device_id == device.device_id)
        .order_by(DeviceEvent.event_id)
    )
    return device_out(device, list(events))


def device_out(device: Device, event_ids: list[int]) -> DeviceOut:
    """A kiosk as an organiser sees it (the API, the CLI and the console's dashboard)."""
    return DeviceOut(
        device_id=device.device_id,
        name=device.name,
        gate=device.gate,
        event_ids=event_ids,
        enrolled_at=device.enrolled_at,
        last_seen=device.last_seen,
        clock_skew_seconds=device.clock_skew_seconds,
        quarantined=device.quarantined,
        pending=device.pending,
        mode=device.mode,
        manifest_pulled_at=device.manifest_pulled_at,
        revoked_at=device.revoked_at,
    )


def all_devices(state: ServerState) -> list[DeviceOut]:
    """Every enrolled kiosk: its gate and events, when it was last heard from (its
    heartbeat) and its clock skew, so an organiser can see which gates are offline."""
    with state.db.read() as session:
        devices = session.scalars(select(Device).order_by(Device.gate, Device.device_id))
        return [_device_out(session, d) for d in devices]


def revoke(state: ServerState, device_id: str) -> DeviceOut:
    """Stop a kiosk's token (a lost or stolen kiosk).  Scans it already pushed stay;
    to bring it back, give it a new enrolment code."""
    with state.db.write() as session:
        device = require_device(session, device_id)
        if device.revoked_at is None:
            device.revoked_at = datetime.now(UTC)
        session.flush()
        answer = _device_out(session, device)
    forget_device(state, device_id)
    return answer


def heartbeat(state: ServerState, device_id: str, body: HeartbeatRequest) -> HeartbeatResponse:
    """A kiosk's sign of life: when it was heard from, its clock, its set-aside scans."""
    now = datetime.now(UTC)
    skew = (body.client_time - now).total_seconds()
    with state.db.write() as session:
        row = session.get(Device, device_id)
        if row is not None:
            row.last_seen = now
            row.clock_skew_seconds = skew
            row.quarantined = body.quarantined
            row.pending = body.pending
            row.mode = body.mode
            if body.gate:
                row.gate = body.gate
            if body.manifest_pulled_at is not None:  # on the server's clock
                row.manifest_pulled_at = body.manifest_pulled_at - timedelta(seconds=skew)
    return HeartbeatResponse(server_time=now, skew_seconds=skew)


def manifest_page(
    state: ServerState,
    *,
    device_id: str,
    event_ids: Collection[int],
    cursor: int,
    limit: int,
) -> tuple[bytes, bytes]:
    """Changes after ``cursor`` for a kiosk's events, as the page's exact bytes and
    their signature by the manifest-signing key (``sync.trust``)."""
    assert state.manifest_key is not None
    with state.db.read() as session:
        body = changes.page_json(
            session,
            event_ids=event_ids,
            device_id=device_id,
            cursor=cursor,
            limit=limit,
            lifetime=timedelta(seconds=state.config.manifest_page_seconds),
        )
    return body, state.manifest_key.sign(body)
