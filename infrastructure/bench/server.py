"""A server under test in a subprocess: started, awaited, sampled for RSS, stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any


class ServerError(RuntimeError):
    """The server under test did not start."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants, from /proc."""
    total = 0
    for p in tree_pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


CLI = "from interfaces.cli.main import app; app()"


def jaga_serve_command(port: int, workers: int | None = None) -> list[str]:
    """`jaga serve` as this interpreter runs it."""
    command = [sys.executable, "-c", CLI, "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    # None: the server's default (on PostgreSQL one worker per core).
    return command + ([] if workers is None else ["--workers", str(workers)])


def tree_pids(pid: int) -> list[int]:
    """A process and its descendants, from /proc."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def cpu_by_process(pid: int) -> dict[int, float]:
    """User and system CPU so far of a process and each of its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for p in tree_pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        found[p] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return found


class Server:
    """Runs `command`, waits until `probe` answers, samples RSS every `every` s."""

    def __init__(
        self,
        command: list[str],
        port: int,
        probe: str,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        every: float = 0.25,
    ) -> None:
        self.command, self.port, self.probe = command, port, probe
        self.env = {**os.environ, **(env or {})}
        self.log = log
        self.every = every
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._out: IO[Any] | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self._out = open(self.log, "ab") if self.log else None  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=self._out or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            cwd=os.getcwd(),
        )
        deadline = time.monotonic() + 60
        url = f"http://127.0.0.1:{self.port}{self.probe}"
        while True:
            if self.proc.poll() is not None:
                raise ServerError(
                    f"server exited with {self.proc.returncode}; see {self.log}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status < 500:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise ServerError(f"server did not answer {url} within 60 s")
            time.sleep(0.2)
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _sample(self) -> None:
        assert self.proc is not None
        while not self._stop.wait(self.every):
            self.samples.append((time.monotonic(), rss_kib(self.proc.pid)))

    def cpu_by_process(self) -> dict[int, float]:
        assert self.proc is not None
        return cpu_by_process(self.proc.pid)

    def peak_rss_mib(self) -> float:
        return round(max((s for _, s in self.samples), default=0) / 1024, 1)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._out is not None:
            self._out.close()
