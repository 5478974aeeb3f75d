"""Each field's rule, written once in the command declarations: what every command
and every correction of a recorded value must pass, refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from application.commands import COMMANDS, Command
from application.commands.corrections import corrected_value
from application.commands.duty import CheckIn
from application.commands.incidents import ReportIncident
from application.commands.reference import ChangeAlertLevel, RegisterSite
from domain.errors import InvalidValue

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 2, 14, 7, 0, tzinfo=WIB)
SITE = {
    "site_id": "kpu-kab-jember",
    "kind": "kpu_office",
    "name": "Kantor KPU Kabupaten Jember",
    "province": "jawa-timur",
    "regency": "kab-jember",
}


def refused_field(command: type[Command], **fields: Any) -> str:
    with pytest.raises(ValidationError) as e:
        command.model_validate(fields)
    return ".".join(str(part) for part in e.value.errors()[0]["loc"])


def test_naive_time_is_refused_with_field_name() -> None:
    naive = datetime(2024, 2, 11, 0, 0)
    assert (
        refused_field(
            ChangeAlertLevel,
            site_id="x",
            level="siaga",
            reason="masa tenang",
            occurred_at=naive,
        )
        == "occurred_at"
    )


def test_times_are_kept_in_utc() -> None:
    command = ChangeAlertLevel(
        site_id="x", level="siaga", reason="masa tenang", occurred_at=T0
    )
    assert command.occurred_at == T0 and command.occurred_at.tzinfo == UTC


def test_bad_slug_is_refused() -> None:
    assert refused_field(RegisterSite, **{**SITE, "site_id": "../etc/passwd"}) == (
        "site_id"
    )


@pytest.mark.parametrize("severity", [0, 5, -1, True, "3", 2.5])
def test_severity_must_be_one_to_four(severity: object) -> None:
    fields = {"category": "riot", "description": "x", "occurred_at": T0}
    assert refused_field(ReportIncident, severity=severity, **fields) == "severity"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e300, 91.0])
def test_coordinates_are_finite_and_on_earth(value: float) -> None:
    fields = {"site_id": "x", "personnel_id": "p", "method": "qr", "occurred_at": T0}
    assert refused_field(CheckIn, lat=value, **fields) == "lat"


def test_blank_text_is_refused() -> None:
    fields = {"category": "riot", "severity": 2, "occurred_at": T0}
    assert refused_field(ReportIncident, description="   ", **fields) == "description"


def test_every_command_declares_where_it_is_taken_and_what_it_needs() -> None:
    assert len(COMMANDS) >= 33
    for name, command in COMMANDS.items():
        assert command.command_name == name
        assert command.path.startswith("/") and command.right and command.records


def test_correction_keeps_a_valid_value_as_it_is_recorded() -> None:
    assert corrected_value("IncidentReported", "severity", 3) == 3
    assert (
        corrected_value("IncidentReported", "occurred_at", "2024-02-14T08:00:00+07:00")
        == "2024-02-14T01:00:00+00:00"
    )


@pytest.mark.parametrize(
    ("event_type", "name", "value"),
    [
        ("IncidentReported", "severity", 9),
        ("IncidentReported", "category", "gossip"),
        ("IncidentReported", "occurred_at", "2024-02-14T08:00:00"),
        ("IncidentReported", "occurred_at", "9999-12-31T23:00:00+00:00"),
        ("IncidentReported", "description", 5),
        ("IncidentReported", "description", "x" * 1_000_000),
        ("SiteRegistered", "lat", float("nan")),
        ("SiteRegistered", "lat", 1e400),
        ("SiteRegistered", "lon", float("-inf")),
        ("SiteRegistered", "lat", 1e300),
        ("SiteRegistered", "required_guards", "lots"),
        ("SiteRegistered", "timezone", "XYZ"),
        ("GuardRequirementSet", "required_guards", -1),
        ("ShiftStarted", "roster", ["jbr-01", "jbr-01"]),
        ("ShiftHandedOver", "outgoing_roster", ["jbr-01"]),
    ],
)
def test_correction_values_pass_the_rule_of_their_field(
    event_type: str, name: str, value: object
) -> None:
    with pytest.raises(InvalidValue) as e:
        corrected_value(event_type, name, value)
    assert e.value.field == f"changes.{name}"
