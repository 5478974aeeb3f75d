"""The uploads' metadata (`jaga_attachments`) in the log's own database, so every
server process sharing one PostgreSQL sees the same uploads: the first upload of
some bytes writes the row, every later one finds it."""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresDatastore

from application.attachments import Upload
from infrastructure.store.log import single_read

TABLE = "jaga_attachments"
SETUP_LOCK = 0x4A414154  # "JAAT": creating the table once when servers start together
COLUMNS = (
    "sha256",
    "size",
    "type",
    "uploaded_at",
    "uploaded_by",
    "taken_at",
    "lat",
    "lon",
)


class UploadIndex:
    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.ph: str = recorder.dialect.ph
        self.postgres = isinstance(self.datastore, PostgresDatastore)
        real = "DOUBLE PRECISION" if self.postgres else "REAL"
        with self.datastore.transaction(commit=True) as c:
            if self.postgres:
                c.execute("SELECT pg_advisory_xact_lock(%s)", [SETUP_LOCK])
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} ("
                " sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, type TEXT NOT NULL,"
                " uploaded_at TEXT NOT NULL, uploaded_by TEXT NOT NULL,"
                f" taken_at TEXT, lat {real}, lon {real})"
            )

    def add(self, upload: Upload) -> tuple[Upload, bool]:
        """Records the upload unless these bytes were uploaded before: (the row
        that stands, the first upload's; whether this call wrote it)."""
        marks = ",".join([self.ph] * len(COLUMNS))
        values = [getattr(upload, name) for name in COLUMNS]
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {TABLE} ({','.join(COLUMNS)}) VALUES ({marks})"
                " ON CONFLICT (sha256) DO NOTHING RETURNING sha256",
                values,
            )
            written = bool(c.fetchall())
        found = self.get(upload.sha256)
        assert found is not None
        return found, written

    def get(self, sha256: str) -> Upload | None:
        return self.get_many([sha256]).get(sha256)

    def get_many(self, sha256s: list[str]) -> dict[str, Upload]:
        if not sha256s:
            return {}
        marks = ",".join([self.ph] * len(sha256s))
        with single_read(self.datastore) as c:
            c.execute(
                f"SELECT {','.join(COLUMNS)} FROM {TABLE} WHERE sha256 IN ({marks})",
                list(sha256s),
            )
            rows = c.fetchall()
        return {r["sha256"]: _upload(r) for r in rows}


def _upload(row: Any) -> Upload:
    return Upload(
        sha256=row["sha256"],
        size=int(row["size"]),
        type=row["type"],
        uploaded_at=row["uploaded_at"],
        uploaded_by=row["uploaded_by"],
        taken_at=row["taken_at"],
        lat=None if row["lat"] is None else float(row["lat"]),
        lon=None if row["lon"] is None else float(row["lon"]),
    )
