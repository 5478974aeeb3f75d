"""The bench's figures as ratios against their baselines, and the printed table."""

from __future__ import annotations

from typing import Any


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

    def value_row(
        name: str, value: float | None, unit: str, target: str | None, met: bool | None
    ) -> None:
        rows.append(
            {
                "figure": name,
                "value": value,
                "unit": unit,
                "baseline": None,
                "baseline_value": None,
                "ratio": None,
                "target": target,
                "met": None if value is None else met,
            }
        )

    def limit_row(name: str, value: float | None, unit: str, limit: float) -> None:
        value_row(
            name, value, unit, f"< {limit} {unit}", value is not None and value < limit
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
        1.5,
    )
    limit_row(
        "  server CPU per write",
        _rate(r, "http_writes", "server_cpu_ms_per_write"),
        "ms",
        0.9,
    )
    by_process = (r.get("http_writes") or {}).get("cpu_ms_per_write_by_process")
    value_row(
        "    of which the busiest process",
        max(by_process) if by_process else None,
        "ms",
        None,
        None,
    )
    for row in r.get("store_ceiling") or []:
        n, procs = row["events_per_txn"], row["processes"]
        ratio_row(
            f"store ceiling {n}/txn, {procs} proc",
            row["jaga"]["rate_per_s"],
            "events/s",
            "library recorder",
            row["library"]["rate_per_s"],
            0.8 if procs == 2 else None,
        )
    workers = r.get("workers_n") or {}
    if "http_writes" in workers:
        n = workers.get("workers")
        ratio_row(
            f"HTTP single writes, {n} workers",
            _rate(workers, "http_writes", "rate_per_s"),
            "events/s",
            "1 worker",
            _rate(r, "http_writes", "rate_per_s"),
            None,
        )
        ratio_row(
            f"fixed-rate ingest, {n} workers",
            _rate(workers, "under_load", "writes", "rate_per_s"),
            "events/s",
            "offered",
            r["plan"]["rate"],
            0.95,
        )
        limit_row(
            f"  write p99, {n} workers",
            _rate(workers, "under_load", "writes", "p99_ms"),
            "ms",
            1000,
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
        0.5,
    )
    ratio_row(
        "projection catch-up (batches)",
        _rate(r, "projection_catch_up", "batch", "rate_per_s"),
        "events/s",
        "select+decode",
        _rate(r, "select_decode", "rate_per_s"),
        0.5,
    )
    live = _rate(r, "rebuild", "live_backlog", "rate_per_s")
    ratio_row(
        "  live runner draining a backlog",
        live,
        "events/s",
        "select+decode",
        _rate(r, "select_decode", "rate_per_s"),
        None,
    )
    value_row(
        "  live runner, absolute",
        live,
        "events/s",
        ">= 4000",
        live is not None and live >= 4000,
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
        "write p99 under load",
        _rate(r, "under_load", "writes", "p99_ms"),
        "ms",
        1000,
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
