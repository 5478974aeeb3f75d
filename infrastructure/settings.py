"""Settings read from the environment (and a `.env` file), shared by server and CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/jaga.sqlite3"
    signing_key_file: Path = Path("var/signing.key")
    log_origin: str = "jaga.local/default"
    env: str = "dev"
    calendar_file: Path | None = None

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
        )

    @property
    def is_production(self) -> bool:
        return self.env == "prod"
