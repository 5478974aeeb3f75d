"""The replay: the board's as-of as a player. A day and a window in a zone, a speed;
the page steps the board, the map and the alert bar through the recorded history,
and its URL holds the moment shown, so a finding can be shared."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from application import access
from domain.errors import DomainError
from domain.regions import ZONES
from infrastructure.alerts.reads import position_at
from infrastructure.views.wiring import view_store
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError
from interfaces.http.reading import page, redact_site_row
from interfaces.web import auth, board, maps
from interfaces.web.params import invalid
from interfaces.web.render import HEADERS

router = APIRouter(include_in_schema=False)
# Minutes of history per second of playing.
SPEEDS = ("1", "5", "15", "30", "60")
# Whose clock places an event in the window: the server's, when it was recorded
# (what the board showed then), or the field's, when it happened (a log entered
# after the fact, such as paper records typed in later).
CLOCKS = ("recorded", "field")
DEFAULT_WINDOW = ("06:00", "14:00")


def _voting_day(request: Request) -> date:
    """The latest voting day of the calendar that has begun (else the first)."""
    calendar = request.app.state.jaga.calendar
    days = sorted(s.start for s in calendar.stages if s.stage == "voting")
    today = datetime.now(calendar.zone).date()
    past = [d for d in days if d <= today]
    return past[-1] if past else (days[0] if days else today)


def _clock(params: Any, name: str, default: str) -> time:
    text = params.get(name) or default
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise invalid(name, "must be a date and time") from None


def window(request: Request) -> dict[str, Any]:
    """The replay's day, window, zone, speed and moment, checked (422 naming the
    field)."""
    params = request.query_params
    zone = params.get("zone") or "WIB"
    if zone not in ZONES:
        raise invalid("zone", "must be WIB, WITA or WIT")
    try:
        day = date.fromisoformat(params.get("day") or _voting_day(request).isoformat())
    except ValueError:
        raise invalid("day", "must be a date") from None
    start = datetime.combine(day, _clock(params, "from", DEFAULT_WINDOW[0]))
    end = datetime.combine(day, _clock(params, "to", DEFAULT_WINDOW[1]))
    if end <= start:
        raise invalid("to", "must be after from")
    speed = params.get("speed") or "15"
    if speed not in SPEEDS:
        raise invalid("speed", f"must be one of {', '.join(SPEEDS)}")
    clock = params.get("clock") or "recorded"
    if clock not in CLOCKS:
        raise invalid("clock", f"must be one of {', '.join(CLOCKS)}")
    at = start
    if params.get("at"):
        try:
            at = datetime.fromisoformat(params["at"]).replace(tzinfo=None)
        except ValueError:
            raise invalid("at", "must be a date and time") from None
        at = min(max(at, start), end)
    return {
        "day": day.isoformat(),
        "from": start.strftime("%H:%M"),
        "to": end.strftime("%H:%M"),
        "zone": zone,
        "speed": speed,
        "clock": clock,
        "start": start.isoformat(timespec="minutes"),
        "end": end.isoformat(timespec="minutes"),
        "at": at.isoformat(timespec="minutes"),
        "minutes": int((end - start) / timedelta(minutes=1)),
        "offset": int((at - start) / timedelta(minutes=1)),
    }


def moment(caller: Caller, chosen: dict[str, Any]) -> dict[str, Any]:
    """The board's rows, its summary and the map's pins at the chosen moment: the
    log up to the moment's position, judged at the moment."""
    when = datetime.fromisoformat(chosen["at"]).replace(tzinfo=ZONES[chosen["zone"]])
    store = view_store(caller.request.app.state.jaga)
    position = position_at(store, when, chosen["clock"])
    result = board.read_model(caller).sites(
        scope=caller.scope,
        as_of=when,
        as_of_position=position,
        limit=board.BOARD_LIMIT,
    )
    rows = board.worst_first(page(caller, result, redact_site_row)["items"])
    return {
        "rows": board._board_rows(caller, rows, ""),
        "summary": board._summary(rows),
        "pins": maps.pins(rows),
        "position": result["as_of_position"],
        "at": chosen["at"],
    }


@router.get("/replay")
def replay_page(request: Request) -> Response:
    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        chosen = window(request)
        shown = moment(caller, chosen)
        return "replay.html", {
            "w": chosen,
            "shown": shown,
            "speeds": SPEEDS,
            "clocks": CLOCKS,
            "rows_html": shown["rows"],
            "summary": shown["summary"],
            **maps.tiles(request),
            "pins_url": "",
            "unplaced": [],
        }

    response = board.signed_page(request, "board.read", build)
    response.headers.update(maps.headers_for(request))
    return response


@router.get("/past/moment")
def past_moment(request: Request) -> Response:
    """One step of the replay: the board and the map at `at` in `zone`."""
    caller = auth.signed_in(request)
    if caller is None:
        return JSONResponse({"error": {"code": "unauthorized"}}, 401, HEADERS)
    if not access.may(caller.role, "board.read"):
        return JSONResponse({"error": {"code": "forbidden"}}, 403, HEADERS)
    try:
        chosen = window(request)
        return JSONResponse(moment(caller, chosen), headers=HEADERS)
    except (ApiError, DomainError) as error:
        return JSONResponse(
            {"error": {"message": str(error), "field": getattr(error, "details", {})}},
            422,
            HEADERS,
        )
