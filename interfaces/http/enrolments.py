"""Field devices: enrolments made by ops, redeemed once by a phone for a field key,
and the reference data a field app keeps for working offline."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from application import access
from infrastructure.enrolments import Enrolments, TooManyFailures
from interfaces.http.deps import Caller, reader, writer
from interfaces.http.errors import ApiError, forbidden
from interfaces.http.schemas import ERRORS, Body, Name, Short, Slug

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["field devices"])

Enroller = Annotated[Caller, Depends(writer("devices.enrol"))]
EnrolReader = Annotated[Caller, Depends(reader("devices.enrol"))]
FieldReader = Annotated[Caller, Depends(reader("board.read"))]
MAX_SITES = 1000


class CreateEnrolment(Body):
    unit_id: Slug
    label: Name | None = None


class Redeem(Body):
    code: Short
    device: Name | None = None


def store(request: Request) -> Enrolments:
    found: Enrolments = request.app.state.enrolments
    return found


def unit_scope(caller: Caller, unit_id: str) -> list[str]:
    """The region a unit's devices may reach: its regency, else its province."""
    home = caller.app.unit_home(unit_id)
    if home is None:
        raise ApiError(
            404, "not_found", f"unknown unit: {unit_id}", field="unit_id", id=unit_id
        )
    caller.require_within(home, what=f"unit {unit_id}")
    province, regency = home
    if province is None:
        raise ApiError(
            422,
            "invalid_value",
            "unit_id: the unit has no region, so its devices cannot be scoped",
            field="unit_id",
        )
    return [f"{province}/{regency}" if regency else province]


def enrol_link(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/lapangan#daftar={token}"


def qr_svg(text: str) -> str:
    """An inline SVG QR code (segno), dark on white, big enough to scan off a
    screen."""
    return str(segno.make(text, error="m").svg_inline(scale=6, border=3, omitsize=True))


def create_enrolment(caller: Caller, unit_id: str, label: str | None) -> dict[str, Any]:
    scope = unit_scope(caller, unit_id)
    made, code, token = store(caller.request).create(
        unit_id, label or unit_id, scope, created_by=caller.key.key_id
    )
    link = enrol_link(caller.request, token)
    return {**made.as_dict(), "code": code, "link": link, "qr_svg": qr_svg(link)}


@router.post("/enrolments", status_code=201)
def new_enrolment(body: CreateEnrolment, w: Enroller) -> dict[str, Any]:
    """An enrolment for a device of one unit: the code and QR are shown only now."""
    return create_enrolment(w, body.unit_id, body.label)


def visible(caller: Caller) -> list[dict[str, Any]]:
    keys = caller.request.app.state.keys
    rows = []
    for found in store(caller.request).list():
        if caller.scope is not None and not all(
            access.within(caller.scope, *_region(s)) for s in found.scope
        ):
            continue
        revoked = False
        if found.device_key:
            revoked = keys.get(found.device_key).revoked_at is not None
        rows.append(
            {**found.as_dict(), "status": found.status(_now(), revoked=revoked)}
        )
    return rows


def _region(text: str) -> tuple[str, str | None]:
    province, _sep, regency = text.partition("/")
    return province, regency or None


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


@router.get("/enrolments")
def list_enrolments(r: EnrolReader) -> dict[str, Any]:
    return {"items": visible(r), "next": None}


def revoke_enrolment(caller: Caller, enrolment_id: str) -> dict[str, Any]:
    enrolments = store(caller.request)
    found = enrolments.get(enrolment_id)
    if caller.scope is not None and not all(
        access.within(caller.scope, *_region(s)) for s in found.scope
    ):
        raise forbidden("this enrolment is outside this key's regions")
    return enrolments.revoke(enrolment_id).as_dict()


@router.post("/enrolments/{enrolment_id}/revoke")
def revoke(enrolment_id: Annotated[str, Short], w: Enroller) -> dict[str, Any]:
    """Revokes the device's key: it is signed out at its next contact."""
    return revoke_enrolment(w, enrolment_id)


@router.post("/enrolments/redeem", status_code=201)
async def redeem(body: Redeem, request: Request) -> dict[str, Any]:
    """Needs no key: the code is the credential, good once, for a day."""
    enrolments = store(request)
    address = request.client.host if request.client else "unknown"
    try:
        made, key, secret = await run_in_threadpool(
            enrolments.redeem,
            body.code,
            body.device or "Perangkat lapangan",
            None,
            address,
        )
    except TooManyFailures as error:
        raise ApiError(
            429,
            "too_many_attempts",
            "too many unknown enrolment codes from this address; "
            "try again in {retry_after_seconds} s",
            retry_after_seconds=error.retry_after_seconds,
        ) from None
    unit = request.app.state.read_model.people(unit_ids=[made.unit_id])["units"]
    return {
        "key": secret,
        "key_id": key.key_id,
        "unit_id": made.unit_id,
        "unit_name": unit[0]["name"] if unit else made.unit_id,
        "label": made.label,
        "scope": made.scope,
    }


@router.get("/field/reference")
def reference(r: FieldReader, unit_id: Annotated[Slug, Query()]) -> dict[str, Any]:
    """What a field app keeps for offline work: its unit's people, the sites it may
    reach with who is on duty, the patrols it may take part in, the units nearby."""
    rm = r.request.app.state.read_model
    people = rm.people(unit_id=unit_id, scope=r.scope)
    if not people["units"]:
        raise ApiError(404, "not_found", f"unknown unit: {unit_id}", id=unit_id)
    sites = rm.sites(scope=r.scope, limit=MAX_SITES)["items"]
    patrols = []
    if access.may(r.role, "patrols.read"):
        for status in ("planned", "active"):
            found = rm.patrols(status=status, scope=r.scope, limit=MAX_SITES)
            patrols += found["items"]
    nearby = rm.people(scope=r.scope, units_only=True)["units"]
    return {
        "unit": people["units"][0],
        "personnel": people["personnel"],
        "units": nearby,
        "sites": [
            {
                k: s.get(k)
                for k in (
                    "site_id",
                    "name",
                    "kind",
                    "regency_name",
                    "province_name",
                    "timezone",
                    "lat",
                    "lon",
                    "on_duty",
                    "status",
                )
            }
            for s in sites
            if not s.get("decommissioned")
        ],
        "patrols": patrols,
        "as_of_position": people["as_of_position"],
    }
