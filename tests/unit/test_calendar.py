"""Election and stage tagging on the dates of the seed reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from application.calendar import CalendarError, ElectionCalendar

WIB = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("moment", "election", "stage"),
    [
        (
            datetime(2023, 11, 16, 9, tzinfo=WIB),
            "pemilu-2024",
            "preparation",
        ),  # Probolinggo
        (datetime(2023, 11, 29, 9, tzinfo=WIB), "pemilu-2024", "campaign"),  # Tuban
        (datetime(2024, 1, 3, 7, tzinfo=WIB), "pemilu-2024", "campaign"),  # Jember
        (datetime(2024, 2, 12, 7, tzinfo=WIB), "pemilu-2024", "quiet_period"),
        (datetime(2024, 2, 14, 7, tzinfo=WIB), "pemilu-2024", "voting"),
        (datetime(2024, 3, 1, 7, tzinfo=WIB), "pemilu-2024", "counting_recapitulation"),
        (datetime(2024, 10, 23, 20, tzinfo=WIB), "pilkada-2024", "campaign"),  # Jember
        (datetime(2024, 11, 23, 7, tzinfo=WIB), "pilkada-2024", "campaign"),  # OKU
        (datetime(2024, 11, 27, 7, tzinfo=WIB), "pilkada-2024", "voting"),
        (
            datetime(2025, 2, 20, 7, tzinfo=WIB),
            "pilkada-2024",
            "disputes_and_inauguration",
        ),
        (datetime(2026, 1, 1, 7, tzinfo=WIB), None, None),
    ],
)
def test_seed_dates_are_tagged(
    moment: datetime, election: str | None, stage: str | None
) -> None:
    assert ElectionCalendar.load().tag(moment) == (election, stage)


def test_day_boundary_is_read_in_wib() -> None:
    # 2024-02-13 17:30 UTC is 00:30 WIB on voting day.
    moment = datetime(2024, 2, 13, 17, 30, tzinfo=UTC)
    assert ElectionCalendar.load().tag(moment) == ("pemilu-2024", "voting")


def test_calendar_is_configurable() -> None:
    calendar = ElectionCalendar.from_dict(
        {
            "elections": [
                {
                    "election": "psu-2025",
                    "stages": [
                        {"stage": "voting", "start": "2025-04-19", "end": "2025-04-19"}
                    ],
                }
            ]
        }
    )
    assert calendar.tag(datetime(2025, 4, 19, 10, tzinfo=WIB)) == ("psu-2025", "voting")


def test_malformed_calendar_is_refused() -> None:
    with pytest.raises(CalendarError):
        ElectionCalendar.from_dict(
            {
                "elections": [
                    {
                        "election": "x",
                        "stages": [
                            {"stage": "v", "start": "2025-04-19", "end": "2025-04-01"}
                        ],
                    }
                ]
            }
        )
