"""The election calendar: which election and stage a moment in the field belongs to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

DEFAULT_CALENDAR = Path(__file__).with_name("calendar.json")


@dataclass(frozen=True)
class Stage:
    election: str
    election_name: str
    stage: str
    start: date
    end: date  # inclusive


class CalendarError(ValueError):
    """The calendar file is not well formed."""


class ElectionCalendar:
    """Stages as dated ranges, read in one national zone (KPU schedules use WIB).

    Where two elections' stages overlap, the first listed wins.
    """

    def __init__(self, stages: list[Stage], zone: timezone) -> None:
        self.stages = stages
        self.zone = zone

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ElectionCalendar:
        try:
            zone = timezone(timedelta(hours=int(raw.get("timezone_offset_hours", 7))))
            stages = [
                Stage(
                    election=e["election"],
                    election_name=e.get("name", e["election"]),
                    stage=s["stage"],
                    start=date.fromisoformat(s["start"]),
                    end=date.fromisoformat(s["end"]),
                )
                for e in raw["elections"]
                for s in e["stages"]
            ]
        except (KeyError, TypeError, ValueError) as e:
            raise CalendarError(f"election calendar is not well formed: {e}") from e
        for s in stages:
            if s.end < s.start:
                raise CalendarError(f"{s.election} {s.stage}: end is before start")
        return cls(stages, zone)

    @classmethod
    def load(cls, path: Path | None = None) -> ElectionCalendar:
        with open(path or DEFAULT_CALENDAR, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def stage_at(self, moment: datetime) -> Stage | None:
        day = moment.astimezone(self.zone).date()
        for s in self.stages:
            if s.start <= day <= s.end:
                return s
        return None

    def tag(self, moment: datetime) -> tuple[str | None, str | None]:
        """The (election, stage) of a field time; (None, None) outside every stage."""
        s = self.stage_at(moment)
        return (s.election, s.stage) if s else (None, None)
