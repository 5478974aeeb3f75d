"""Prometheus metrics: requests and latencies, events appended, projection lag."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from interfaces.http.errors import UNAVAILABLE


class LogCollector(Collector):
    """Read at scrape time: the log's length and how far the views lag behind."""

    def __init__(self, state: Callable[[], Any]) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        state = self.state()
        jaga = getattr(state, "jaga", None)
        projections = getattr(state, "projections", None)
        up = GaugeMetricFamily("jaga_store_up", "1 when the store answered the scrape")
        try:
            appended = jaga.log.max_position() if jaga is not None else 0
            lag = projections.lag() if projections is not None else None
        except UNAVAILABLE:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield CounterMetricFamily(
            "jaga_events_appended",
            "Events appended to the log (its last position)",
            value=appended,
        )
        if lag is not None:
            yield GaugeMetricFamily(
                "jaga_projection_lag_positions",
                "Events the views have not applied yet",
                value=lag["positions"],
            )
            yield GaugeMetricFamily(
                "jaga_projection_lag_seconds",
                "Age of the oldest event not yet applied",
                value=lag["seconds"],
            )


class Metrics:
    def __init__(self, state: Callable[[], Any]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "jaga_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "jaga_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=self.registry,
        )
        self.log = LogCollector(state)
        self.registry.register(self.log)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        """This process's metrics, or with several workers (`jaga serve --workers`,
        PROMETHEUS_MULTIPROC_DIR set) every worker's requests summed."""
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        every = CollectorRegistry()
        multiprocess.MultiProcessCollector(every)  # type: ignore[no-untyped-call]
        every.register(self.log)
        return generate_latest(every)
