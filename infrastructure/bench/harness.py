"""The bench run: a fresh PostgreSQL database, the real server in a subprocess, the
voting-day workload over HTTP from this process, and every baseline, in one run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from infrastructure.bench import baselines
from infrastructure.bench.client import Connection, Tally, closed_loop, open_loop
from infrastructure.bench.server import Server, free_port, jaga_serve_command
from infrastructure.bench.workload import Op, Workload

ADMIN_URL = os.environ.get(
    "JAGA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BOARD = "/api/v1/sites?regency=kab-jember&limit=100"


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

    @classmethod
    def make(cls, quick: bool, scale: float | None, seed: int) -> Plan:
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


# --- driving the server ---------------------------------------------------------


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
    with scratch_databases("jaga_bench", "jaga_bench_raw") as (url, raw_url):
        say("baselines: raw recorder, COPY")
        result["recorder_1"] = baselines.raw_recorder(raw_url, 1, plan.raw_seconds)
        result["recorder_100"] = baselines.raw_recorder(raw_url, 100, plan.raw_seconds)
        result["copy"] = baselines.copy_rows(raw_url, plan.copy_rows)
        say("baseline: hello-world GET")
        port = free_port()
        with Server(baselines.hello_command(port), port, "/hello") as hello:
            jobs = [_get("/hello")] * plan.hello_requests
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
        port = free_port()
        log = out_dir / f"{stamp}.server.log"
        say(f"server: jaga serve on port {port} (log {log})")
        with Server(jaga_serve_command(port), port, "/healthz", env, log) as server:
            phases: dict[str, float] = {}
            asyncio.run(
                _drive(
                    plan,
                    workload,
                    port,
                    secret,
                    result,
                    say,
                    lambda name: phases.update({name: server.peak_rss_mib()}),
                )
            )
            result["server_rss"] = {
                "peak_mib": server.peak_rss_mib(),
                "peak_mib_after": phases,
                "samples": len(server.samples),
            }
        # The run's signing key signed only this scratch log.
        (out_dir / f"{stamp}.signing.key").unlink(missing_ok=True)
        result["select_decode"] = _select_decode(url)
        say("projection catch-up over the whole log")
        result["projection_catch_up"]["batch"] = _catch_up(url)
        say("rebuild")
        result["rebuild"] = _rebuild(plan, url, env, say)
    result["seconds"] = round(time.monotonic() - started, 1)
    result["summary"] = summarise(result)
    (out_dir / f"{stamp}.json").write_text(json.dumps(result, indent=2, default=str))
    result["file"] = str(out_dir / f"{stamp}.json")
    return result


def _get(path: str) -> Callable[[Connection], Any]:
    async def job(conn: Connection) -> int:
        return (await conn.request("GET", path)).status

    return job


async def _drive(
    plan: Plan,
    workload: Workload,
    port: int,
    secret: str,
    result: dict[str, Any],
    say: Callable[[str], None],
    mark: Callable[[str], None],
) -> None:
    host, headers = "127.0.0.1", {"Authorization": f"Bearer {secret}"}
    refs = Refs()
    say(f"batch ingest: reference data for {workload.tps_count} TPS")
    phases = workload.setup()
    t0 = time.monotonic()
    tally = await ingest_batches(host, port, headers, phases, refs)
    result["batch_ingest"] = tally.summary()
    mark("batch_ingest")
    say(f"  {tally.items} events at {tally.rate:.0f}/s; projections catching up")
    samples = await wait_caught_up(host, port)
    rate = catch_up_rate(samples)
    result["projection_catch_up"] = {
        "rate_per_s": rate,
        "seconds_after_ingest": round(samples[-1]["t"] - t0 - tally.seconds, 2)
        if samples
        else None,
        "caught_up": bool(samples) and samples[-1].get("positions") == 0,
    }

    say("single-event HTTP writes: the 07:00 opening hour, closed loop")
    acked: list[tuple[float, int]] = []
    opening = [op for op in workload.hour(7) if refs.ready(op)]
    ops = opening[: plan.single_writes]
    tally = await closed_loop(
        host,
        port,
        headers,
        [write_job(op, refs, acked) for op in ops],
        plan.concurrency,
    )
    result["http_writes"] = tally.summary()
    mark("http_writes")
    say(f"  {tally.rate:.0f} writes/s, p99 {tally.pct(0.99) * 1000:.0f} ms")
    await wait_caught_up(host, port, 30)

    say(
        f"under load: {plan.rate:.0f} events/s for {plan.load_seconds:.0f} s "
        "with board queries and lag samples"
    )
    wanted = int(plan.rate * plan.load_seconds)
    stream = _day_after_opening(workload, wanted)
    stop = asyncio.Event()
    board = asyncio.create_task(query_board(host, port, headers, stop))
    lag = asyncio.create_task(sample_lag(host, port, stop))
    jobs = [write_job(op, refs, acked) for op in stream]
    tally = await open_loop(host, port, headers, jobs, plan.rate, plan.load_seconds)
    stop.set()
    board_tally, lag_samples = await board, await lag
    lags = [s.get("seconds", 0.0) for s in lag_samples]
    result["under_load"] = {
        "writes": tally.summary(),
        "board": board_tally.summary(),
        "lag_p50_s": round(pct(lags, 0.5), 3),
        "lag_p99_s": round(pct(lags, 0.99), 3),
        "lag_max_positions": max(
            (s.get("positions", 0) for s in lag_samples), default=0
        ),
    }
    mark("under_load")
    say(
        f"  achieved {tally.rate:.0f}/s; board p99 "
        f"{board_tally.pct(0.99) * 1000:.0f} ms; lag p99 {pct(lags, 0.99):.2f} s"
    )
    await wait_caught_up(host, port, 30)

    say("as-of queries")
    top = max((p for _, p in acked), default=1)
    as_of = [_get(f"{BOARD}&as_of_position={max(1, top // 2)}")] * plan.as_of_queries
    tally = await closed_loop(host, port, headers, as_of, 1)
    result["as_of"] = tally.summary()
    mark("as_of")


def _day_after_opening(workload: Workload, wanted: int) -> list[Op]:
    out: list[Op] = []
    for hour in range(8, 24):
        out += workload.hour(hour)
        if len(out) >= wanted:
            break
    return out[:wanted]


def _select_decode(url: str) -> dict[str, Any]:
    from infrastructure.settings import Settings
    from infrastructure.wiring import open_app

    jaga = open_app(Settings(database_url=url))
    try:
        return baselines.select_decode(jaga, 10_000_000)
    finally:
        jaga.close()


def _catch_up(url: str) -> dict[str, Any]:
    """Every view built from the whole log in batches, as a runner that fell
    behind catches up (the projections' own measure, into scratch tables)."""
    from infrastructure.settings import Settings
    from infrastructure.views.measure import catch_up_rate
    from infrastructure.views.store import ViewStore
    from infrastructure.wiring import open_app

    jaga = open_app(Settings(database_url=url))
    try:
        done = catch_up_rate(ViewStore(jaga))
    finally:
        jaga.close()
    return {
        "events": done["events"],
        "seconds": round(done["seconds"], 3),
        "rate_per_s": round(done["rate"], 1),
    }


def _cli_seconds(args: list[str], env: dict[str, str]) -> tuple[float, Any]:
    code = "from interfaces.cli.main import app; app()"
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - t, done


def _rebuild(
    plan: Plan, url: str, env: dict[str, str], say: Callable[[str], None]
) -> dict[str, Any]:
    """Times `jaga rebuild` over the whole log (grown first in full mode)."""
    from infrastructure.bench.grow import grow_log

    if plan.rebuild_events:
        say(f"  growing the log to {plan.rebuild_events} events")
        grown = grow_log(url, plan.rebuild_events)
    else:
        grown = None
    # A rebuild covers the log up to the live views' position, so the live views
    # are brought to the end of the grown log first (untimed).
    caught_up, done = _cli_seconds(["project"], env)
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout)[-500:]}
    # The CLI's start-up (imports, connecting) is not rebuild work: timed apart.
    startup, _ = _cli_seconds(["settings"], env)
    seconds, done = _cli_seconds(["rebuild"], env)
    from infrastructure.settings import Settings
    from infrastructure.wiring import open_app

    jaga = open_app(Settings(database_url=url))
    try:
        events = jaga.log.max_position()
    finally:
        jaga.close()
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout)[-500:], "events": events}
    work = max(seconds - startup, 1e-3)
    per_s = events / work
    return {
        "events": events,
        "seconds": round(seconds, 2),
        "startup_seconds": round(startup, 2),
        "project_seconds": round(caught_up, 2),
        "rate_per_s": round(per_s, 1),
        "grown": grown,
        "seconds_for_1m": round(1_000_000 / per_s, 1) if per_s else None,
        "extrapolated": events < 1_000_000,
    }


# --- ratios and targets -----------------------------------------------------------


def _rate(result: dict[str, Any], *path: str) -> float | None:
    value: Any = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, (int, float)) else None


def summarise(r: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: value, its baseline, the ratio, the target, met or not."""
    rows: list[dict[str, Any]] = []

    def ratio_row(
        name: str,
        value: float | None,
        unit: str,
        base_name: str,
        base: float | None,
        target: float | None,
    ) -> None:
        ratio = value / base if value is not None and base else None
        rows.append(
            {
                "figure": name,
                "value": value,
                "unit": unit,
                "baseline": base_name,
                "baseline_value": base,
                "ratio": None if ratio is None else round(ratio, 3),
                "target": None if target is None else f">= {target}x",
                "met": None if ratio is None or target is None else ratio >= target,
            }
        )

    def limit_row(name: str, value: float | None, unit: str, limit: float) -> None:
        rows.append(
            {
                "figure": name,
                "value": value,
                "unit": unit,
                "baseline": None,
                "baseline_value": None,
                "ratio": None,
                "target": f"< {limit} {unit}",
                "met": None if value is None else value < limit,
            }
        )

    hello = _rate(r, "hello_get", "rate_per_s")
    ratio_row(
        "HTTP single-event writes",
        _rate(r, "http_writes", "rate_per_s"),
        "events/s",
        "hello-world GET",
        hello,
        0.7,
    )
    ratio_row(
        "  write p50 latency",
        _rate(r, "http_writes", "p50_ms"),
        "ms",
        "hello GET p50",
        _rate(r, "hello_get", "p50_ms"),
        None,
    )
    ratio_row(
        "  write p99 latency",
        _rate(r, "http_writes", "p99_ms"),
        "ms",
        "hello GET p99",
        _rate(r, "hello_get", "p99_ms"),
        None,
    )
    ratio_row(
        "  vs raw recorder, 1 event/txn",
        _rate(r, "http_writes", "rate_per_s"),
        "events/s",
        "recorder 1/txn",
        _rate(r, "recorder_1", "rate_per_s"),
        None,
    )
    ratio_row(
        "batch ingest (POST /batch)",
        _rate(r, "batch_ingest", "rate_per_s"),
        "events/s",
        "PostgreSQL COPY",
        _rate(r, "copy", "rate_per_s"),
        0.3,
    )
    ratio_row(
        "  vs raw recorder, 100 events/txn",
        _rate(r, "batch_ingest", "rate_per_s"),
        "events/s",
        "recorder 100/txn",
        _rate(r, "recorder_100", "rate_per_s"),
        None,
    )
    ratio_row(
        "projection catch-up (batches)",
        _rate(r, "projection_catch_up", "batch", "rate_per_s"),
        "events/s",
        "select+decode",
        _rate(r, "select_decode", "rate_per_s"),
        0.5,
    )
    ratio_row(
        "  live runner draining a backlog",
        _rate(r, "projection_catch_up", "rate_per_s"),
        "events/s",
        "select+decode",
        _rate(r, "select_decode", "rate_per_s"),
        None,
    )
    ratio_row(
        "rebuild rate",
        _rate(r, "rebuild", "rate_per_s"),
        "events/s",
        "select+decode",
        _rate(r, "select_decode", "rate_per_s"),
        None,
    )
    ratio_row(
        "fixed-rate ingest achieved",
        _rate(r, "under_load", "writes", "rate_per_s"),
        "events/s",
        "offered",
        r["plan"]["rate"],
        0.95,
    )
    limit_row(
        "board p99 under load", _rate(r, "under_load", "board", "p99_ms"), "ms", 100
    )
    limit_row(
        "projection lag p99 under load", _rate(r, "under_load", "lag_p99_s"), "s", 1
    )
    limit_row("rebuild of 1M events", _rate(r, "rebuild", "seconds_for_1m"), "s", 120)
    limit_row("as-of board query p99", _rate(r, "as_of", "p99_ms"), "ms", 100)
    limit_row("server peak RSS", _rate(r, "server_rss", "peak_mib"), "MiB", 400)
    return rows


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{'figure':<36} {'value':>12} {'unit':<9} {'baseline':<18} "
        f"{'base':>10} {'ratio':>7}  target       met"
    ]
    for row in result["summary"]:
        value = "-" if row["value"] is None else f"{row['value']:,.1f}"
        base = "-" if row["baseline_value"] is None else f"{row['baseline_value']:,.1f}"
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        lines.append(
            f"{row['figure']:<36} {value:>12} {row['unit']:<9} "
            f"{row['baseline'] or '':<18} {base:>10} {ratio:>7}  "
            f"{row['target'] or '':<12} {met}"
        )
    return "\n".join(lines)
