"""Field anomalies on the dashboard: what each says in people's words, and the page
that lists them by region, kind and day."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from application.projections.anomalies import CODES
from interfaces.http.deps import Caller
from interfaces.http.reading import page
from interfaces.i18n import _
from interfaces.web import format as fmt
from interfaces.web import params as checks
from interfaces.web.board import choices, read_model, signed_page
from interfaces.web.names import Names

router = APIRouter(include_in_schema=False)
PAGE_LIMIT = 100


def kind_label(code: str) -> str:
    names = {
        "check_out_without_check_in": _("Check-out without check-in"),
        "visit_off_route": _("Patrol visit off its route"),
        "gps_far_from_site": _("GPS position far from the site"),
        "probable_duplicate_incident": _("Probable duplicate incident"),
        "device_clock_off": _("Device clock off"),
    }
    return names.get(code, code)


def says(fact: dict[str, Any], names: Names) -> str:
    """One anomaly in a sentence, people by rank and name."""
    code = fact.get("code")
    if code == "check_out_without_check_in":
        return _(
            "%(person)s checked out with no check-in before it",
            person=names.person(fact.get("personnel_id") or _("someone")),
        )
    if code == "visit_off_route":
        leader = fact.get("leader_id")
        if leader:
            return _(
                "the patrol led by %(leader)s visited this site off its planned route",
                leader=names.person(leader),
            )
        return _("a patrol visited this site off its planned route")
    if code == "gps_far_from_site":
        metres = int(fact.get("metres") or 0)
        distance = (
            _("%(km)s km", km=f"{metres / 1000:.1f}")
            if metres >= 1000
            else _("%(m)s m", m=metres)
        )
        return _(
            "%(person)s checked in by GPS %(distance)s from the site",
            person=names.person(fact.get("personnel_id") or _("someone")),
            distance=distance,
        )
    if code == "probable_duplicate_incident":
        return _(
            "probably the same incident as one reported %(minutes)s minutes apart",
            minutes=fact.get("minutes"),
        )
    if code == "device_clock_off":
        minutes = int(fact.get("minutes") or 0)
        text = (
            _("the device's clock was %(minutes)s minutes behind the server's")
            if minutes < 0
            else _("the device's clock was %(minutes)s minutes ahead of the server's")
        )
        return text % {"minutes": abs(minutes)}
    return str(code)


def flags(anomalies: list[dict[str, Any]], names: Names) -> dict[str, list[str]]:
    """Each flagged entry's sentences, by its event id, for the timeline."""
    found: dict[str, list[str]] = {}
    for fact in anomalies:
        found.setdefault(fact["event_id"], []).append(says(fact, names))
    return found


@router.get("/anomali")
def anomalies_page(request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        code = checks.choice(params, "code", CODES)
        filters = {
            "province": checks.slug(params, "province"),
            "regency": checks.slug(params, "regency"),
            "site_id": checks.slug(params, "site_id"),
            "code": code,
        }
        result = page(
            caller,
            read_model(caller).anomalies(
                **filters,
                scope=caller.scope,
                limit=PAGE_LIMIT,
                cursor=checks.cursor(params),
            ),
        )
        names = Names(caller, result["items"])
        items = [
            {
                **a,
                "says": says(a, names),
                "kind": kind_label(a["code"]),
                "when": fmt.local_time(a["at"], fmt.zone_for(a)),
            }
            for a in result["items"]
        ]
        more = result.get("next")
        return "anomalies.html", {
            "items": items,
            "filters": filters,
            "kinds": [(c, kind_label(c)) for c in CODES],
            "next_query": checks.query({**filters, "cursor": more}) if more else "",
            "as_of_position": result.get("as_of_position"),
            "choices": choices(caller),
        }

    return signed_page(request, "board.read", build)
