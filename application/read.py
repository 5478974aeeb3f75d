"""The read-model contract: what the HTTP layer and the CLI may ask of the views."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, NotRequired, Protocol, TypedDict

# A key's regions as (province slug, regency slug or None); None means everywhere.
Scope = Sequence[tuple[str, str | None]] | None

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
VIEW_NAMES = (
    "directory",
    "timeline",
    "board",
    "incidents",
    "patrols",
    "register",
    "custody",
    "gaps",
    "stats",
    "alerts",
)


class Page(TypedDict):
    items: list[dict[str, Any]]
    next: str | None
    as_of_position: int


class Lag(TypedDict):
    positions: int
    seconds: float
    position: int
    log_position: int
    error: NotRequired[str]  # the runner's last failure, while it retries


class ReadModel(Protocol):
    """The projections' answers; every method only returns what is inside `scope`."""

    def sites(
        self,
        *,
        province: str | None = None,
        regency: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        scope: Scope = None,
        as_of: datetime | None = None,
        as_of_position: int | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page: ...

    def site(
        self,
        site_id: str,
        *,
        scope: Scope = None,
        as_of: datetime | None = None,
        as_of_position: int | None = None,
    ) -> dict[str, Any] | None: ...

    def gaps(
        self,
        site_id: str,
        *,
        start: datetime,
        end: datetime,
        scope: Scope = None,
    ) -> dict[str, Any]: ...

    def incidents(
        self,
        *,
        status: str | None = None,
        min_severity: int | None = None,
        site_id: str | None = None,
        scope: Scope = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page: ...

    def incident(
        self,
        incident_id: str,
        *,
        scope: Scope = None,
    ) -> dict[str, Any] | None: ...

    def patrols(
        self,
        *,
        status: str | None = None,
        scope: Scope = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page: ...

    def patrol(
        self,
        patrol_id: str,
        *,
        scope: Scope = None,
    ) -> dict[str, Any] | None: ...

    def timeline(
        self,
        *,
        site_id: str | None = None,
        unit_id: str | None = None,
        personnel_id: str | None = None,
        patrol_id: str | None = None,
        incident_id: str | None = None,
        types: Sequence[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        scope: Scope = None,
        as_of: datetime | None = None,
        as_of_position: int | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        newest_first: bool = False,
        without_sites: Collection[str] = (),
    ) -> Page:
        """Entries in log order (or newest first); `without_sites` leaves out
        every entry about those sites."""
        ...

    def register(
        self,
        *,
        unit_id: str | None = None,
        personnel_id: str | None = None,
        scope: Scope = None,
    ) -> dict[str, Any]: ...

    def people(
        self,
        *,
        unit_id: str | None = None,
        personnel_ids: Sequence[str] | None = None,
        unit_ids: Sequence[str] | None = None,
        scope: Scope = None,
        units_only: bool = False,
    ) -> dict[str, Any]: ...

    def stats(
        self,
        *,
        province: str | None = None,
        regency: str | None = None,
        date: date | None = None,
        scope: Scope = None,
    ) -> Page: ...

    def custody(
        self,
        site_id: str,
        *,
        scope: Scope = None,
    ) -> dict[str, Any] | None: ...

    def anomalies(
        self,
        *,
        province: str | None = None,
        regency: str | None = None,
        site_id: str | None = None,
        code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        scope: Scope = None,
        as_of: datetime | None = None,
        as_of_position: int | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page:
        """Field anomalies (application/projections/anomalies.py), newest first."""
        ...

    def covert_site_ids(self) -> set[str]: ...

    def covert_positions(self, first: int, last: int) -> tuple[set[int], int]:
        """Positions first..last of events about a covert site, and the position
        the views reached (past it nothing is known yet)."""
        ...

    def wait_for_position(self, position: int, timeout: float = 5.0) -> bool: ...

    def lag(self) -> Lag: ...
