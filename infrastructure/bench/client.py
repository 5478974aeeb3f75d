"""A lean HTTP/1.1 keep-alive client on asyncio streams, for driving load.

The bench measures the server, so the client must cost it little: no pools, no
redirects, one request at a time per connection, JSON bodies with Content-Length.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


class HttpError(Exception):
    """The server closed the connection or sent something that is not HTTP."""


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Connection:
    """One keep-alive connection; reconnects once if the server closed it."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.fixed = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = b"" if body is None else json.dumps(body).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.fixed}{extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        for attempt in (1, 2):
            if self.writer is None:
                await self._open()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(head + data)
                return await self._read()
            except (ConnectionError, asyncio.IncompleteReadError, HttpError):
                await self.close()
                if attempt == 2:
                    raise
        raise HttpError("unreachable")

    async def _read(self) -> Reply:
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise HttpError("connection closed")
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        closing = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection" and value.strip().lower() == b"close":
                closing = True
        body = await self.reader.readexactly(length) if length else b""
        if closing:
            await self.close()
        return Reply(status, body)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except ConnectionError:
                pass
        self.reader = self.writer = None


@dataclass
class Tally:
    """Latencies (seconds) and status counts of one run."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    items: int = 0  # events or rows carried, when a request carries many
    dropped: int = 0  # offered but not answered in time

    def add(self, status: int, latency: float) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def rate(self) -> float:
        count = self.items or len(self.latencies)
        return count / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies),
            "items": self.items or len(self.latencies),
            "seconds": round(self.seconds, 3),
            "rate_per_s": round(self.rate, 1),
            "p50_ms": round(self.pct(0.50) * 1000, 2),
            "p99_ms": round(self.pct(0.99) * 1000, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "dropped": self.dropped,
        }


Job = Callable[[Connection], Awaitable[int]]


async def closed_loop(
    host: str,
    port: int,
    headers: dict[str, str],
    jobs: Sequence[Job],
    concurrency: int,
) -> Tally:
    """Runs the jobs over `concurrency` connections, each as fast as it is answered.

    A job sends its request(s) and returns the HTTP status.
    """
    tally = Tally()
    queue = iter(jobs)

    async def worker() -> None:
        conn = Connection(host, port, headers)
        try:
            for job in queue:
                t = time.perf_counter()
                status = await job(conn)
                tally.add(status, time.perf_counter() - t)
        finally:
            await conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    tally.seconds = time.perf_counter() - start
    return tally


async def open_loop(
    host: str,
    port: int,
    headers: dict[str, str],
    jobs: Sequence[Job],
    rate: float,
    seconds: float,
    connections: int = 64,
    grace: float = 5.0,
) -> Tally:
    """Starts jobs at a fixed rate for `seconds`, whatever the answers' pace (as a
    field does); latency counts from the scheduled start, so queueing shows. Jobs
    still waiting `grace` seconds after the end are dropped, and the rate is what
    was answered within the window."""
    tally = Tally()
    free: asyncio.Queue[Connection] = asyncio.Queue()
    opened = [Connection(host, port, headers) for _ in range(connections)]
    for conn in opened:
        free.put_nowait(conn)
    start = time.perf_counter()
    pending: set[asyncio.Task[None]] = set()

    async def fire(job: Job, due: float) -> None:
        conn = await free.get()
        try:
            status = await job(conn)
        finally:
            free.put_nowait(conn)
        tally.add(status, time.perf_counter() - due)

    for i, job in enumerate(jobs):
        due = start + i / rate
        if due - start >= seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(fire(job, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(set(pending), timeout=grace)
    tally.seconds = time.perf_counter() - start
    for task in list(pending):
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    offered = min(len(jobs), int(rate * seconds))
    tally.dropped = max(0, offered - len(tally.latencies))
    for conn in opened:
        await conn.close()
    return tally
