"""Grows a bench log to a given size quickly: check-ins saved a thousand at a time
through the write path's own store append, Merkle leaves and positions included."""

from __future__ import annotations

import time
from typing import Any

from application.commit import append_all
from application.writes import Actor, Context
from domain.checkin import CheckIn
from infrastructure.bench.workload import VOTING_DAY, Workload

ACTOR = Actor(id="bench-grow", name="jaga bench", role="field")


def grow_log(url: str, target: int, chunk: int = 1000) -> dict[str, Any]:
    """Adds check-ins at the workload's TPS until the log holds `target` events."""
    from infrastructure.settings import Settings
    from infrastructure.wiring import open_app

    jaga = open_app(Settings(database_url=url))
    tps = [t for r in Workload(0.01).regencies for t in r.tps]
    ctx = Context(actor=ACTOR, correlation_id="bench-grow")
    added, start = 0, time.perf_counter()
    try:
        size = jaga.log.max_position()
        while size + added < target:
            writes = []
            for i in range(min(chunk, target - size - added)):
                n = added + i
                record = CheckIn.record(
                    tps[n % len(tps)], f"lm-{n % 997}", "qr", VOTING_DAY
                )
                writes.append(jaga.prepare(ctx, str(record.id), [record], None))
            failed = [a for a in append_all(jaga.store, writes) if a.status != "stored"]
            if failed:
                raise RuntimeError(f"bench log not grown: {failed[0]}")
            added += len(writes)
    finally:
        jaga.close()
    seconds = time.perf_counter() - start
    return {
        "added": added,
        "seconds": round(seconds, 1),
        "rate_per_s": round(added / seconds, 1) if seconds else None,
    }
