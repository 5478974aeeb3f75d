"""Error messages in the request's language, from stable codes and their parameters.

The API's English message is written where the error is raised; here the same error
is said again from what does not change: the error's code (`team_already_on_duty`),
pydantic's error `type` and `ctx`, the field, and the domain's own English reason,
matched against the reasons the catalog knows. English requests keep the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from interfaces.i18n import _, label, language, named, pgettext
from interfaces.i18n.codes import FIELD_CONTEXTS


def N_(message: str) -> str:  # noqa: N802 - the gettext marker's usual name
    """Marks a message for extraction; translated where it is used."""
    return message


# The domain's reasons for refusing a value (`InvalidValue(field, why)`), in its
# English; `{name}` parts are parameters. Each is a msgid of the catalog.
REASONS = (
    N_("must not be empty"),
    N_("must be text"),
    N_("must be a list"),
    N_("must be a list of text"),
    N_("must not repeat an id"),
    N_("must be a number"),
    N_("must be a whole number"),
    N_("must be true or false"),
    N_("must be an object"),
    N_("must be a date and time"),
    N_("must be a date and time with a timezone offset"),
    N_("must include a timezone offset, e.g. +07:00"),
    N_("must be an ISO 8601 date and time"),
    N_("must be an ISO 8601 time"),
    N_("must be an ISO 8601 date or time, e.g. 2024-02-14T07:00+07:00"),
    N_("is in the future"),
    N_("is out of range (years 0001 to 9999)"),
    N_("is not a valid id"),
    N_("is too long"),
    N_("must be after from"),
    N_("must be after starts_at"),
    # Before the pattern below, which would match it too.
    N_("must not be before the shift it takes over began"),
    N_("must not be before the last shift at this site ended"),
    N_("must not be before {first_field}"),
    N_("must be at most {limit} characters"),
    N_("must be between {low} and {high}"),
    N_("must be between -{limit} and {limit}"),
    N_("must be one of {options}"),
    N_("must name at least one seal"),
    N_("must name at least one field"),
    N_("must name at least one field and its value"),
    N_("give a site_id or a location"),
    N_("give either {field_a} or {field_b}, not both or none"),
    N_("cannot be changed by an update"),
    N_("unknown province: give timezone (WIB, WITA or WIT)"),
    N_(
        "must be a slug: lower-case letters, digits, '.', '_' or '-', starting with"
        " a letter or digit, at most 64 characters"
    ),
    N_("identifies the entry; record a new entry instead"),
    N_("places the entry in its region, which is fixed at registration"),
    N_("must be a {kind} like the original"),
    N_("{event_type} has no field {name}"),
    N_("must be an object with method, path and body"),
    N_("must be text of 1 to 200 characters"),
    N_("is not a field of an attachment"),
    N_("must be 64 lower-case hexadecimal digits (SHA-256)"),
    N_("must be a list of attachments"),
    N_("must be a whole number of bytes, 1 to {limit}"),
    N_("must be an object with sha256, size and type"),
    N_("must name at most {limit} attachments"),
    N_("names an attachment twice"),
    N_("no file with this SHA-256 was uploaded"),
    N_("the uploaded file has {size} bytes"),
    N_("the uploaded file is {type}"),
    N_("must be a whole number from 0"),
    N_("must be WIB, WITA or WIT"),
    N_("must be open, resolved, closed or all"),
    N_("must be 1 to 4"),
    N_("the period may be at most a year"),
    N_("cannot be recorded: {error}"),
    N_("follows from other entries; correct the entry it comes from"),
    N_("must be a finite number"),
    N_("must be an http or https URL"),
    N_("is not in incoming_roster"),
    N_("is not a parameter of this address"),
    N_("must not hold a NUL character"),
)
# Pydantic's error types and the message each says, with its ctx as parameters.
PYDANTIC = {
    "missing": N_("is required"),
    "extra_forbidden": N_("is not a field of this command"),
    "string_type": N_("must be text"),
    "string_too_short": N_("must be at least {min_length} characters"),
    "string_too_long": N_("must be at most {max_length} characters"),
    "string_pattern_mismatch": N_("is not in the expected form"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be an object"),
    "model_type": N_("must be an object"),
    "model_attributes_type": N_("must be an object"),
    "too_short": N_("must have at least {min_length} items"),
    "too_long": N_("must have at most {max_length} items"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than_equal": N_("must be at most {le}"),
    "greater_than": N_("must be more than {gt}"),
    "less_than": N_("must be less than {lt}"),
    "literal_error": N_("must be one of {options}"),
    "enum": N_("must be one of {options}"),
    "timezone_aware": N_("must include a timezone offset, e.g. +07:00"),
    "datetime_type": N_("must be a date and time"),
    "datetime_parsing": N_("must be a date and time"),
    "datetime_from_date_parsing": N_("must be a date and time"),
    "date_parsing": N_("must be a date"),
    "date_type": N_("must be a date"),
    "finite_number": N_("must be a finite number"),
    "blank_text": N_("must not be empty"),
    "repeated_id": N_("must not repeat an id"),
    "time_text": N_("must be an ISO 8601 date or time, e.g. 2024-02-14T07:00+07:00"),
    "time_out_of_range": N_("is out of range (years 0001 to 9999)"),
    "json_invalid": N_("is not valid JSON"),
    "json_type": N_("is not valid JSON"),
}
# Errors named by their code alone; `{name}` parts come from the error's details.
CODES = {
    "team_already_on_duty": N_("a team is already on duty at this site"),
    "shift_not_on_duty": N_("that shift is no longer on duty at this site"),
    "shift_already_handed_over": N_("that shift was already handed over"),
    "site_decommissioned": N_("the site has been decommissioned"),
    "incident_not_open": N_("the incident is not open"),
    "incident_already_acknowledged": N_("the incident was already acknowledged"),
    "alert_already_acknowledged": N_("the alert was already acknowledged"),
    "alert_already_cleared": N_("the alert was already cleared"),
    "incident_already_resolved": N_("the incident is already resolved"),
    "incident_not_resolved": N_("resolve the incident before closing it"),
    "incident_already_closed": N_("the incident was already closed"),
    "incident_still_open": N_("the incident is still open"),
    "backup_not_requested": N_("no backup was requested for this incident"),
    "escalation_must_raise_severity": N_("an escalation must raise the severity"),
    "assignment_already_revoked": N_("this assignment was already revoked"),
    "patrol_not_started": N_("the patrol has not started"),
    "patrol_already_started": N_("the patrol was already started"),
    "patrol_already_ended": N_("the patrol has ended"),
    "concern_already_reviewed": N_("this concern was already reviewed"),
    "already_registered": N_("this id is already registered"),
    "idempotency_key_reused": N_(
        "this idempotency key was already used for another command"
    ),
    "command_conflict": N_("the record changed meanwhile; try again"),
    "conflict": N_("the current state does not allow this"),
    "unauthorized": N_("unknown or revoked key: sign in or enrol again"),
    "too_large": N_("the request is too large"),
    "request_timeout": N_("the request did not arrive in time; send it again"),
    "method_not_allowed": N_("this address does not take that method"),
    "unsupported_media_type": N_("send JSON"),
    "unavailable": N_("the store is unreachable; try again shortly"),
    "internal_error": N_("something went wrong on the server"),
    "enrolment_invalid": N_("this enrolment code is unknown, used or expired"),
    "too_many_attempts": N_(
        "too many unknown enrolment codes from this address; "
        "try again in {retry_after_seconds} s"
    ),
    "csrf_failed": N_("the page is out of date: reload it and try again"),
    "not_witnessed": N_("no checkpoint is cosigned by {quorum} witnesses yet"),
    "export_too_large": N_(
        "an export holds at most {limit} positions; ask for the rest in further ranges"
    ),
}


@cache
def _pattern(reason: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    names = tuple(re.findall(r"\{(\w+)\}", reason))
    parts = re.split(r"\{\w+\}", reason)
    body = "(.+?)".join(re.escape(p) for p in parts)
    return re.compile(f"^{body}$", re.S), names


def _say(reason: str, params: dict[str, Any]) -> str:
    """A catalog reason with `{name}` parameters filled in."""
    text = _(reason)
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _options(text: str, field: str = "") -> str:
    """`'qr', 'nfc' or 'manual'` or `qr, nfc, manual` as a list people read."""
    found = re.findall(r"'([^']*)'", text) or [
        o.strip() for o in text.split(",") if o.strip()
    ]
    context = FIELD_CONTEXTS.get(field.split("[")[0].split(".")[-1], "code")
    words = [label(context, o) for o in found]
    if len(words) < 2:
        return ", ".join(words)
    return _("%(first)s or %(last)s", first=", ".join(words[:-1]), last=words[-1])


def reason(why: str, field: str = "") -> str | None:
    """The domain's English reason in the request's language, if the catalog
    knows it."""
    for known in REASONS:
        pattern, names = _pattern(known)
        found = pattern.match(why)
        if found:
            params = dict(zip(names, found.groups(), strict=True))
            if "options" in params:
                params["options"] = _options(params["options"], field)
            return _say(known, params)
    return None


def field_name(field: str) -> str:
    """`roster[0]` -> the roster's label and the item's number."""
    base, _sep, rest = field.partition("[")
    base = base.split(".")[-1] if base else field
    said = label("field", base)
    return f"{said}[{rest}" if rest else said


def _problem(problem: dict[str, Any]) -> str | None:
    kind = problem.get("type") or ""
    ctx = problem.get("ctx") or {}
    field = str(problem.get("field") or "body")
    if kind == "value_error":
        why = reason(str(ctx.get("error", "")).removeprefix("Value error, "))
    elif kind in PYDANTIC:
        params = {k: str(v) for k, v in ctx.items()}
        if kind in ("literal_error", "enum"):
            params["options"] = _options(str(ctx.get("expected", "")), field)
        why = _say(PYDANTIC[kind], params)
    else:
        return None
    return None if why is None else f"{field_name(field)}: {why}"


def _invalid(message: str, details: dict[str, Any]) -> str:
    problems = details.get("errors")
    if isinstance(problems, list) and problems:
        said = _problem(problems[0])
        if said is not None:
            return said
    field = details.get("field")
    if isinstance(field, str) and message.startswith(f"{field}: "):
        why = reason(message[len(field) + 2 :], field)
        if why is not None:
            return f"{field_name(field)}: {why}"
    if isinstance(field, str):
        return _("%(field)s: the value is not accepted", field=field_name(field))
    return _("the input is not accepted")


def _not_found(details: dict[str, Any]) -> str:
    ident = details.get("id") or details.get("path") or details.get("file")
    field = details.get("field")
    if ident and isinstance(field, str):
        return _("unknown %(what)s: %(id)s", what=field_name(field), id=ident)
    if ident:
        return _("not found: %(id)s", id=ident)
    return _("not found")


# The API's own reasons for a 403 that carry no details to say them from.
FORBIDDEN = (
    N_("this {kind} is outside this key's regions"),
    N_("a key limited to regions must name the incident's site_id"),
    N_("a key may not reach beyond the regions of the key issuing it"),
    N_("this key reaches beyond this key's regions"),
)


def _forbidden(details: dict[str, Any], message: str = "") -> str:
    for known in FORBIDDEN:
        pattern, names = _pattern(known)
        found = pattern.match(message)
        if found:
            params = dict(zip(names, found.groups(), strict=True))
            if "kind" in params:
                params["kind"] = label("field", f"{params['kind']}_id")
            return _say(known, params)
    if "right" in details or "role" in details:
        role = label("role", details.get("role", ""))
        return _("the %(role)s role may not do this", role=role)
    if "scope" in details:
        return _("this lies outside this key's regions")
    return _("not allowed")


SPECIAL: dict[str, Callable[[dict[str, Any], str], str]] = {
    "not_found": lambda details, _message: _not_found(details),
    "forbidden": _forbidden,
}


def translate(code: str, message: str, details: Any) -> str:
    """The error's message in the request's language; a client that named no
    language keeps the message as the API wrote it."""
    if language() == "en" and not named():
        return message
    facts = details if isinstance(details, dict) else {}
    if code == "invalid_value":
        return _invalid(message, facts)
    if code in SPECIAL:
        return SPECIAL[code](facts, message)
    if code in CODES:
        return _say(CODES[code], facts)
    return pgettext("error", "the server refused this (%(code)s)", code=code)


def said(error: Any) -> str:
    """A raised ApiError's or DomainError's message in the request's language."""
    return translate(str(error.code), str(error.message), error.details)
