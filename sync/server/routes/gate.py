"""Online validation through the gate's own check path, conflicts, and attendance.

Thin: each route hands over to ``services.admissions`` or ``services.reports``."""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.deps import Admin, AnyPrincipal, IdPath, State
from sync.server.schemas import Attendance, ConflictOut, ValidateIn, ValidateOut
from sync.server.services import admissions, reports

router = APIRouter()


@router.post("/validate/scan", response_model=ValidateOut, tags=["gate"])
def validate_scan(body: ValidateIn, state: State, principal: AnyPrincipal) -> ValidateOut:
    """Judge a code online with the kiosk's own decision engine.

    A kiosk's call is recorded as its scan (and syncs to the others); an admin's
    is a dry run that records nothing.
    """
    return admissions.validate(state, principal, body)


@router.get("/events/{event_id}/conflicts", response_model=list[ConflictOut], tags=["gate"])
def list_conflicts(event_id: IdPath, state: State, _: Admin) -> list[ConflictOut]:
    """Tickets admitted twice with no exit between (gates that were offline)."""
    return reports.event_conflicts(state, event_id)


@router.get("/events/{event_id}/attendance", response_model=Attendance, tags=["gate"])
def attendance(event_id: IdPath, state: State, _: Admin) -> Attendance:
    """Admitted tickets, inside now, admits by gate and by quarter hour."""
    return reports.event_attendance(state, event_id)
