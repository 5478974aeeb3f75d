"""Driving the server under test over HTTP: writes, batches, board queries and the
projections' lag, each tallied."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from infrastructure.bench.client import Connection, Tally, closed_loop
from infrastructure.bench.workload import Op, Workload

BOARD = "/api/v1/sites?regency=kab-jember&limit=100"


class Refs(dict[str, str]):
    """Ids the server made, by the workload's names for them."""

    def ready(self, op: Op) -> bool:
        return all(n in self for n in op.needs)

    def keep(self, op: Op, answer: Any) -> None:
        if op.save_as and isinstance(answer, dict) and "id" in answer:
            self[op.save_as] = str(answer["id"])


def write_job(
    op: Op, refs: Refs, acked: list[tuple[float, int]]
) -> Callable[[Connection], Any]:
    async def job(conn: Connection) -> int:
        item = op.item(refs)
        reply = await conn.request(
            "POST", item["path"], item["body"], {"Idempotency-Key": op.key}
        )
        if reply.status == 201:
            answer = reply.json()
            refs.keep(op, answer)
            acked.append((time.monotonic(), int(answer.get("position") or 0)))
        return reply.status

    return job


async def ingest_batches(
    host: str,
    port: int,
    headers: dict[str, str],
    phases: list[list[Op]],
    refs: Refs,
    size: int = 1000,
    streams: int = 4,
) -> Tally:
    """The reference data through POST /api/v1/batch, phase by phase."""
    total = Tally()
    for phase in phases:
        chunks = [phase[i : i + size] for i in range(0, len(phase), size)]

        def job_for(given: list[Op]) -> Callable[[Connection], Any]:
            async def job(conn: Connection) -> int:
                # An op whose earlier request failed has no id to name: skipped.
                chunk = [op for op in given if refs.ready(op)]
                items = [op.item(refs) for op in chunk]
                reply = await conn.request("POST", "/api/v1/batch", {"commands": items})
                if reply.status == 200:
                    for op, result in zip(chunk, reply.json()["results"], strict=True):
                        if result["status"] == 201:
                            total.items += 1
                            refs.keep(op, result["body"])
                        else:
                            total.statuses[-result["status"]] = (
                                total.statuses.get(-result["status"], 0) + 1
                            )
                return reply.status

            return job

        tally = await closed_loop(
            host, port, headers, [job_for(c) for c in chunks], streams
        )
        total.latencies += tally.latencies
        total.seconds += tally.seconds
        for k, v in tally.statuses.items():
            total.statuses[k] = total.statuses.get(k, 0) + v
    return total


async def sample_lag(
    host: str, port: int, stop: asyncio.Event, every: float = 0.25
) -> list[dict[str, Any]]:
    conn = Connection(host, port, {})
    samples: list[dict[str, Any]] = []
    try:
        while not stop.is_set():
            reply = await conn.request("GET", "/readyz")
            with contextlib.suppress(ValueError, TypeError):
                lag = reply.json()["projection_lag"]
                samples.append({"t": time.monotonic(), **lag})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    finally:
        await conn.close()
    return samples


async def query_board(
    host: str,
    port: int,
    headers: dict[str, str],
    stop: asyncio.Event,
    path: str = BOARD,
    every: float = 0.05,
) -> Tally:
    conn = Connection(host, port, headers)
    tally = Tally()
    start = time.perf_counter()
    try:
        while not stop.is_set():
            t = time.perf_counter()
            reply = await conn.request("GET", path)
            tally.add(reply.status, time.perf_counter() - t)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    finally:
        await conn.close()
    tally.seconds = time.perf_counter() - start
    return tally


async def wait_caught_up(
    host: str, port: int, timeout: float = 120
) -> list[dict[str, Any]]:
    """Samples the projections' position until they reach the log's end."""
    conn = Connection(host, port, {})
    samples: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            reply = await conn.request("GET", "/readyz")
            lag = (reply.json() or {}).get("projection_lag") or {}
            samples.append({"t": time.monotonic(), **lag})
            if lag.get("positions", 1) == 0:
                break
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    return samples


def catch_up_rate(samples: list[dict[str, Any]]) -> float | None:
    """Events/s the projections applied while they were behind."""
    behind = [s for s in samples if s.get("positions", 0) > 0]
    if len(behind) < 2:
        return None
    first, last = behind[0], samples[-1]
    done = last["position"] - first["position"]
    seconds = last["t"] - first["t"]
    return round(done / seconds, 1) if seconds > 0 and done > 0 else None


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def get_job(path: str) -> Callable[[Connection], Any]:
    async def job(conn: Connection) -> int:
        return (await conn.request("GET", path)).status

    return job


def day_after_opening(workload: Workload, wanted: int) -> list[Op]:
    out: list[Op] = []
    for hour in range(8, 24):
        out += workload.hour(hour)
        if len(out) >= wanted:
            break
    return out[:wanted]
