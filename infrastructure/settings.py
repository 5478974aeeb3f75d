"""Settings read from the environment (and a `.env` file), shared by server and CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from application.projections.anomalies import (
    DUPLICATE_CEILING_MINUTES as DUPLICATE_CEILING,
)
from application.projections.anomalies import GPS_FLOOR_METRES as GPS_FLOOR
from application.projections.anomalies import Limits


def _dotenv(path: Path = Path(".env")) -> dict[str, str]:
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


def _whole(values: dict[str, str], name: str, default: int) -> int:
    text = values.get(name)
    if text is None:
        return default
    if not text.strip().isdigit():
        raise ValueError(f"{name} must be a whole number, not {text!r}")
    return int(text)


def _alerts_on() -> bool:
    # Read here too, so settings made in code follow JAGA_ALERTS as loaded ones do.
    return os.environ.get("JAGA_ALERTS", "on") != "off"


def _at_least(values: dict[str, str], name: str, default: int, low: int) -> int:
    number = _whole(values, name, default)
    if number < low:
        raise ValueError(f"{name} must be at least {low}, not {number}")
    return number


def _at_most(values: dict[str, str], name: str, default: int, high: int) -> int:
    number = _whole(values, name, default)
    if number > high:
        raise ValueError(f"{name} must be at most {high}, not {number}")
    return number


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/jaga.sqlite3"
    signing_key_file: Path = Path("var/signing.key")
    log_origin: str = "jaga.local/default"
    env: str = "dev"
    calendar_file: Path | None = None
    map_tiles: str | None = None  # an XYZ tile URL, {z}/{x}/{y}; none: a plain map
    map_attribution: str | None = None
    # A folder, or s3://BUCKET[/PREFIX] for S3-compatible object storage.
    attachments: str = "var/attachments"
    attachment_max_bytes: int = 20 * 1024 * 1024
    # The witnesses each checkpoint goes to: `VKEY URL` entries split by `;`.
    witnesses: str = ""
    # Whether this server judges the alert rules (one leader per database does).
    alerts: bool = field(default_factory=_alerts_on)
    # incident_minutes=15,backup_minutes=30;PROVINCE[/REGENCY]:NAME=MINUTES...
    alert_thresholds: str = ""
    # Where a field fact becomes an anomaly (application/projections/anomalies.py).
    anomaly_gps_metres: int = 500
    anomaly_duplicate_minutes: int = 30
    anomaly_clock_minutes: int = 10

    @classmethod
    def load(cls, environ: dict[str, str] | None = None) -> Settings:
        values = {**_dotenv(), **(environ if environ is not None else os.environ)}
        calendar = values.get("JAGA_CALENDAR_FILE")
        return cls(
            database_url=values.get("JAGA_DATABASE_URL", cls.database_url),
            signing_key_file=Path(
                values.get("JAGA_SIGNING_KEY_FILE", str(cls.signing_key_file))
            ),
            log_origin=values.get("JAGA_LOG_ORIGIN", cls.log_origin),
            env=values.get("JAGA_ENV", cls.env),
            calendar_file=Path(calendar) if calendar else None,
            map_tiles=values.get("JAGA_MAP_TILES") or None,
            map_attribution=values.get("JAGA_MAP_ATTRIBUTION") or None,
            attachments=values.get("JAGA_ATTACHMENTS", cls.attachments),
            attachment_max_bytes=_whole(
                values, "JAGA_ATTACHMENT_MAX_BYTES", cls.attachment_max_bytes
            ),
            witnesses=values.get("JAGA_WITNESSES", cls.witnesses),
            alerts=values.get("JAGA_ALERTS", "on") != "off",
            alert_thresholds=values.get("JAGA_ALERT_THRESHOLDS", ""),
            anomaly_gps_metres=_at_least(
                values, "JAGA_ANOMALY_GPS_METRES", cls.anomaly_gps_metres, GPS_FLOOR
            ),
            anomaly_duplicate_minutes=_at_most(
                values,
                "JAGA_ANOMALY_DUPLICATE_MINUTES",
                cls.anomaly_duplicate_minutes,
                DUPLICATE_CEILING,
            ),
            anomaly_clock_minutes=_at_least(
                values, "JAGA_ANOMALY_CLOCK_MINUTES", cls.anomaly_clock_minutes, 1
            ),
        )

    @property
    def anomaly_limits(self) -> Limits:
        return Limits(
            gps_metres=self.anomaly_gps_metres,
            duplicate_minutes=self.anomaly_duplicate_minutes,
            clock_minutes=self.anomaly_clock_minutes,
        )

    @property
    def is_production(self) -> bool:
        return self.env == "prod"
