"""The bench run: a fresh PostgreSQL database, the real server in a subprocess, the
voting-day workload over HTTP from this process, and every baseline, in one run."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import platform
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from infrastructure.bench import baselines, ceiling, offline
from infrastructure.bench.client import closed_loop, open_loop
from infrastructure.bench.drive import (
    BOARD,
    Refs,
    catch_up_rate,
    day_after_opening,
    get_job,
    ingest_batches,
    pct,
    query_board,
    sample_lag,
    wait_caught_up,
    write_job,
)
from infrastructure.bench.server import (
    Server,
    free_port,
    jaga_serve_command,
)
from infrastructure.bench.summary import summarise, table
from infrastructure.bench.workload import Op, Workload

__all__ = ["BenchError", "Plan", "run", "table"]

ADMIN_URL = os.environ.get(
    "JAGA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
)


class BenchError(RuntimeError):
    """The bench cannot run here (no PostgreSQL, a server that will not start)."""


@dataclass(frozen=True)
class Plan:
    """The size of a run; quick mode fits in under three minutes."""

    quick: bool
    scale: float
    seed: int
    concurrency: int
    single_writes: int
    hello_requests: int
    rate: float
    load_seconds: float
    raw_seconds: float
    copy_rows: int
    as_of_queries: int
    rebuild_events: int  # grow the log to this many before timing the rebuild
    workers: int = 1  # the second server run's workers (1: no second run)

    def worker_counts(self) -> list[int]:
        return [1] if self.workers <= 1 else [1, self.workers]

    @classmethod
    def make(
        cls, quick: bool, scale: float | None, seed: int, workers: int | None = None
    ) -> Plan:
        plan = cls._sized(quick, scale, seed)
        n = (os.cpu_count() or 1) if workers is None else workers
        return dataclasses.replace(plan, workers=n)

    @classmethod
    def _sized(cls, quick: bool, scale: float | None, seed: int) -> Plan:
        if quick:
            return cls(
                True,
                scale or 0.005,
                seed,
                32,
                2_000,
                3_000,
                1000.0,
                15.0,
                2.0,
                50_000,
                30,
                50_000,
            )
        return cls(
            False,
            scale or 0.1,
            seed,
            64,
            10_000,
            10_000,
            1000.0,
            60.0,
            5.0,
            500_000,
            50,
            1_000_000,
        )


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    return {
        "nproc": os.cpu_count(),
        "memory_mib": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "load_avg": os.getloadavg(),
    }


@contextlib.contextmanager
def scratch_databases(*prefixes: str) -> Iterator[list[str]]:
    """Fresh PostgreSQL databases, dropped afterwards whatever happens."""
    tag = uuid.uuid4().hex[:8]
    names = [f"{p}_{tag}" for p in prefixes]
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            for name in names:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        raise BenchError(
            f"the bench needs a PostgreSQL server it may create databases on at "
            f"{ADMIN_URL} (set JAGA_BENCH_PG): {error}"
        ) from None
    try:
        yield [ADMIN_URL.rsplit("/", 1)[0] + "/" + name for name in names]
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_key(url: str) -> str:
    """An ops key on the bench database, made the way `jaga keys create` makes it."""
    from infrastructure.keys import KeyStore
    from infrastructure.settings import Settings
    from infrastructure.wiring import open_app

    jaga = open_app(Settings(database_url=url))
    try:
        _, secret = KeyStore(jaga.recorder).create("ops", "bench driver")
    finally:
        jaga.close()
    return secret


# --- the run ----------------------------------------------------------------------


def run(plan: Plan, out_dir: Path, say: Callable[[str], None]) -> dict[str, Any]:
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    workload = Workload(plan.scale, plan.seed)
    result: dict[str, Any] = {
        "plan": asdict(plan),
        "machine": machine(),
        "workload": workload.summary(),
        "started_at": stamp,
    }
    names = ("jaga_bench", "jaga_bench_raw", "jaga_bench_store", "jaga_bench_lib")
    with scratch_databases(*names) as (url, raw_url, store_url, lib_url):
        say("baselines: raw recorder, COPY")
        result["recorder_1"] = baselines.raw_recorder(raw_url, 1, plan.raw_seconds)
        result["recorder_100"] = baselines.raw_recorder(raw_url, 100, plan.raw_seconds)
        result["copy"] = baselines.copy_rows(raw_url, plan.copy_rows)
        say("store ceiling: Jaga's append against the library's recorder")
        result["store_ceiling"] = ceiling.ceiling(
            store_url, lib_url, plan.raw_seconds, say=say
        )
        say("baseline: hello-world GET")
        port = free_port()
        with Server(baselines.hello_command(port), port, "/hello") as hello:
            jobs = [get_job("/hello")] * plan.hello_requests
            tally = asyncio.run(
                closed_loop("127.0.0.1", port, {}, jobs, plan.concurrency)
            )
            result["hello_get"] = {
                **tally.summary(),
                "peak_rss_mib": hello.peak_rss_mib(),
            }
        secret = make_key(url)
        env = {
            "JAGA_DATABASE_URL": url,
            "JAGA_ENV": "prod",
            "JAGA_LOG_ORIGIN": "bench.jaga/jatim",
            "JAGA_SIGNING_KEY_FILE": str(out_dir / f"{stamp}.signing.key"),
        }
        refs = Refs()
        for workers in plan.worker_counts():
            port = free_port()
            log = out_dir / f"{stamp}.server.log"
            say(f"server: jaga serve, {workers} worker(s), port {port} (log {log})")
            command = jaga_serve_command(port, workers)
            with Server(command, port, "/healthz", env, log) as server:
                drive = _drive if workers == 1 else _drive_again
                stage = "workers_1" if workers == 1 else "workers_n"
                result[stage] = asyncio.run(
                    drive(plan, workload, port, secret, refs, server, say)
                )
                result[stage]["workers"] = workers
        # The run's signing key signed only this scratch log.
        (out_dir / f"{stamp}.signing.key").unlink(missing_ok=True)
        result.update(result.get("workers_1", {}))
        result["select_decode"] = offline.select_decode(url)
        say("projection catch-up over the whole log")
        result["projection_catch_up"]["batch"] = offline.catch_up(url)
        say("rebuild")
        result["rebuild"] = offline.rebuild(plan.rebuild_events, url, env, say)
    result["seconds"] = round(time.monotonic() - started, 1)
    result["summary"] = summarise(result)
    (out_dir / f"{stamp}.json").write_text(json.dumps(result, indent=2, default=str))
    result["file"] = str(out_dir / f"{stamp}.json")
    return result


async def _drive(
    plan: Plan,
    workload: Workload,
    port: int,
    secret: str,
    refs: Refs,
    server: Server,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """The whole day against a server with one worker: the reference data in
    batches, the opening hour's single writes, the fixed rate, as-of queries."""
    host, headers = "127.0.0.1", {"Authorization": f"Bearer {secret}"}
    out: dict[str, Any] = {}
    say(f"batch ingest: reference data for {workload.tps_count} TPS")
    phases = workload.setup()
    t0 = time.monotonic()
    tally = await ingest_batches(host, port, headers, phases, refs)
    out["batch_ingest"] = tally.summary()
    say(f"  {tally.items} events at {tally.rate:.0f}/s; projections catching up")
    samples = await wait_caught_up(host, port)
    out["projection_catch_up"] = {
        "rate_per_s": catch_up_rate(samples),
        "seconds_after_ingest": round(samples[-1]["t"] - t0 - tally.seconds, 2)
        if samples
        else None,
        "caught_up": bool(samples) and samples[-1].get("positions") == 0,
    }
    rss = {"batch_ingest": server.peak_rss_mib()}
    opening = [op for op in workload.hour(7) if refs.ready(op)]
    load = day_after_opening(workload, int(plan.rate * plan.load_seconds))
    acked = await _writes_and_load(
        plan, opening[: plan.single_writes], load, refs, port, headers, out, say, server
    )
    rss["under_load"] = server.peak_rss_mib()
    say("as-of queries")
    top = max((p for _, p in acked), default=1)
    as_of = [get_job(f"{BOARD}&as_of_position={max(1, top // 2)}")]
    tally = await closed_loop(host, port, headers, as_of * plan.as_of_queries, 1)
    out["as_of"] = tally.summary()
    out["server_rss"] = {
        "peak_mib": server.peak_rss_mib(),
        "peak_mib_after": rss,
        "samples": len(server.samples),
    }
    return out


async def _drive_again(
    plan: Plan,
    workload: Workload,
    port: int,
    secret: str,
    refs: Refs,
    server: Server,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Single writes and the fixed rate again, on the same log, with N workers."""
    headers = {"Authorization": f"Bearer {secret}"}
    await wait_caught_up("127.0.0.1", port, 60)
    # Past what the one-worker run wrote, so every request is a new write.
    wanted = int(plan.rate * plan.load_seconds)
    later = day_after_opening(workload, 2 * wanted + plan.single_writes)[wanted:]
    writes, load = later[: plan.single_writes], later[plan.single_writes :]
    out: dict[str, Any] = {}
    await _writes_and_load(plan, writes, load, refs, port, headers, out, say, server)
    return out


async def _writes_and_load(
    plan: Plan,
    writes: list[Op],
    load: list[Op],
    refs: Refs,
    port: int,
    headers: dict[str, str],
    out: dict[str, Any],
    say: Callable[[str], None],
    server: Server,
) -> list[tuple[float, int]]:
    """Single-event writes in a closed loop (with the server's CPU per write),
    then a fixed rate with board queries and lag samples."""
    host = "127.0.0.1"
    acked: list[tuple[float, int]] = []
    say("single-event HTTP writes: closed loop")
    jobs = [write_job(op, refs, acked) for op in writes if refs.ready(op)]
    before = server.cpu_by_process()
    tally = await closed_loop(host, port, headers, jobs, plan.concurrency)
    after = server.cpu_by_process()
    spent = {pid: cpu - before.get(pid, 0.0) for pid, cpu in after.items()}
    per_write = 1000 / max(1, len(acked))
    out["http_writes"] = {
        **tally.summary(),
        "server_cpu_ms_per_write": round(per_write * sum(spent.values()), 3),
        # Each process's share: the HTTP workers, the leader's views process.
        "cpu_ms_per_write_by_process": sorted(
            (round(per_write * cpu, 3) for cpu in spent.values() if cpu > 0),
            reverse=True,
        ),
    }
    say(
        f"  {tally.rate:.0f} writes/s, p99 {tally.pct(0.99) * 1000:.0f} ms, "
        f"{out['http_writes']['server_cpu_ms_per_write']} ms CPU per write"
    )
    await wait_caught_up(host, port, 30)
    say(f"under load: {plan.rate:.0f} events/s for {plan.load_seconds:.0f} s")
    stop = asyncio.Event()
    board = asyncio.create_task(query_board(host, port, headers, stop))
    lag = asyncio.create_task(sample_lag(host, port, stop))
    jobs = [write_job(op, refs, acked) for op in load]
    tally = await open_loop(host, port, headers, jobs, plan.rate, plan.load_seconds)
    stop.set()
    board_tally, lag_samples = await board, await lag
    lags = [s.get("seconds", 0.0) for s in lag_samples]
    out["under_load"] = {
        "writes": tally.summary(),
        "board": board_tally.summary(),
        "lag_p50_s": round(pct(lags, 0.5), 3),
        "lag_p99_s": round(pct(lags, 0.99), 3),
        "lag_max_positions": max(
            (s.get("positions", 0) for s in lag_samples), default=0
        ),
    }
    say(
        f"  achieved {tally.rate:.0f}/s; board p99 "
        f"{board_tally.pct(0.99) * 1000:.0f} ms; lag p99 {pct(lags, 0.99):.2f} s"
    )
    await wait_caught_up(host, port, 30)
    return acked
