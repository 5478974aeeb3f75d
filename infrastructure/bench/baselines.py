"""The baselines each bench figure is divided by, measured on the same machine and
in the same run: the library's raw recorder, PostgreSQL COPY, a raw select and
decode of notifications, and a hello-world GET on the same server stack."""

from __future__ import annotations

import sys
import time
import uuid
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from infrastructure.store import library_env

# A check-in as the store holds it: about the size of the real events.
STATE = (
    b'{"site_id":"tps-kab-jember-00017","personnel_id":"lm-kab-jember-00017-1",'
    b'"method":"qr","lat":null,"lon":null,"device_time":null,"device_synced_at":null,'
    b'"occurred_at":{"_type_":"datetime_iso","_data_":"2024-02-14T07:12:00+07:00"},'
    b'"timestamp":{"_type_":"datetime_iso","_data_":"2024-02-14T00:12:01+00:00"},'
    b'"originator_topic":"domain.checkin:CheckIn","meta":{"event_id":"'
    + b"0"
    * 36
    + b'","actor":{"id":"k1","name":"Pos TPS 17","role":"field"},"client_id":null,'
    b'"idempotency_key":"bench-1-123","correlation_id":"c1","election":"pemilu-2024",'
    b'"stage":"voting","late":false}}'
)
TOPIC = "domain.checkin:CheckIn.CheckedIn"


def _events(n: int) -> list[StoredEvent]:
    return [
        StoredEvent(
            originator_id=uuid.uuid4(), originator_version=1, topic=TOPIC, state=STATE
        )
        for _ in range(n)
    ]


def raw_recorder(pg_url: str, per_transaction: int, seconds: float) -> dict[str, Any]:
    """Events/s the library's own PostgreSQL recorder commits, `per_transaction`
    events in each transaction, for about `seconds`."""
    env = {
        k: v
        for k, v in library_env(pg_url).items()
        if k != "APPLICATION_RECORDER_TOPIC"
    }
    app = Application[uuid.UUID](env={**env, "CREATE_TABLE": "y"})
    try:
        recorder = app.recorder
        total = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            recorder.insert_events(_events(per_transaction))
            total += per_transaction
        elapsed = time.perf_counter() - start
    finally:
        app.close()
    return {
        "events": total,
        "seconds": round(elapsed, 3),
        "rate_per_s": round(total / elapsed, 1),
    }


def copy_rows(pg_url: str, rows: int) -> dict[str, Any]:
    """Rows/s of COPY into a scratch table shaped like the events table."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_copy (notification_id BIGSERIAL,"
            " originator_id UUID NOT NULL, originator_version BIGINT NOT NULL,"
            " topic TEXT NOT NULL, state BYTEA,"
            " PRIMARY KEY (originator_id, originator_version))"
        )
        data = [(uuid.uuid4(), 1, TOPIC, STATE) for _ in range(rows)]
        start = time.perf_counter()
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy(
                "COPY bench_copy (originator_id, originator_version, topic, state)"
                " FROM STDIN"
            ) as copy,
        ):
            for row in data:
                copy.write_row(row)
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE bench_copy")
    return {
        "rows": rows,
        "seconds": round(elapsed, 3),
        "rate_per_s": round(rows / elapsed, 1),
    }


def select_decode(app: Any, limit: int) -> dict[str, Any]:
    """Events/s of reading the application's notifications in pages of 1,000
    and decoding each into its domain event: the floor under any projection."""
    recorder, mapper = app.recorder, app.mapper
    total, start_id = 0, None
    start = time.perf_counter()
    while total < limit:
        page = recorder.select_notifications(
            start=start_id, limit=1000, inclusive_of_start=False
        )
        if not page:
            break
        for n in page:
            mapper.to_domain_event(n)
        total += len(page)
        start_id = page[-1].id
    elapsed = time.perf_counter() - start
    return {
        "events": total,
        "seconds": round(elapsed, 3),
        "rate_per_s": round(total / elapsed, 1) if elapsed else 0.0,
    }


def hello_app() -> Any:
    """The smallest FastAPI app: one GET answering a JSON object."""
    from fastapi import FastAPI

    api = FastAPI()

    @api.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    return api


def hello_command(port: int) -> list[str]:
    """Serves `hello_app` with the uvicorn settings `jaga serve` uses."""
    code = (
        "import uvicorn; from infrastructure.bench.baselines import hello_app; "
        f"uvicorn.run(hello_app(), host='127.0.0.1', port={port}, "
        "access_log=False, log_config=None)"
    )
    return [sys.executable, "-c", code]
