"""The bench judges each target from ratios measured in the same run."""

from __future__ import annotations

from typing import Any

from infrastructure.bench.summary import summarise


def run_result(**extra: Any) -> dict[str, Any]:
    return {
        "plan": {"rate": 1000.0},
        "recorder_1": {"rate_per_s": 400.0},
        "http_writes": {"rate_per_s": 700.0, "server_cpu_ms_per_write": 1.2},
        **extra,
    }


def rows_by_figure(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["figure"].strip(): row for row in summarise(result)}


def test_single_writes_are_judged_against_the_recorder_in_the_same_run() -> None:
    rows = rows_by_figure(run_result())
    vs = rows["vs raw recorder, 1 event/txn"]
    assert vs["ratio"] == 1.75 and vs["met"] is True
    cpu = rows["server CPU per write"]
    assert cpu["value"] == 1.2 and cpu["met"] is False


def test_the_store_ceiling_target_applies_to_two_processes() -> None:
    ceiling = [
        {
            "events_per_txn": n,
            "processes": p,
            "jaga": {"rate_per_s": jaga},
            "library": {"rate_per_s": 100.0},
        }
        for n, p, jaga in ((1, 1, 50.0), (1, 2, 85.0), (10, 2, 70.0))
    ]
    rows = rows_by_figure(run_result(store_ceiling=ceiling))
    assert rows["store ceiling 1/txn, 1 proc"]["met"] is None
    assert rows["store ceiling 1/txn, 2 proc"]["met"] is True
    assert rows["store ceiling 10/txn, 2 proc"]["met"] is False


def test_a_run_with_n_workers_is_judged_on_the_offered_rate() -> None:
    workers = {
        "workers": 2,
        "http_writes": {"rate_per_s": 1400.0},
        "under_load": {"writes": {"rate_per_s": 990.0, "p99_ms": 400.0}},
    }
    rows = rows_by_figure(run_result(workers_n=workers))
    assert rows["HTTP single writes, 2 workers"]["ratio"] == 2.0
    assert rows["fixed-rate ingest, 2 workers"]["met"] is True
    assert rows["write p99, 2 workers"]["met"] is True
