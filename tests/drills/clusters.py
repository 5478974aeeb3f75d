"""Private PostgreSQL clusters for the failover drill: a primary and a synchronous
streaming standby made with initdb and pg_basebackup, on their own ports in a
temporary folder, run as the postgres user when the drill runs as root."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from infrastructure.bench.server import free_port

BIN = Path(os.environ.get("JAGA_PG_BIN", "/usr/lib/postgresql/15/bin"))
STANDBY_NAME = "jaga_standby"


def available() -> bool:
    return (BIN / "initdb").is_file() and (BIN / "pg_basebackup").is_file()


def _as_postgres(*command: str, timeout: float = 120) -> str:
    """Runs a PostgreSQL program, as the postgres user when we are root (the
    server refuses to run as root)."""
    argv = [str(BIN / command[0]), *command[1:]]
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stdout}{done.stderr}")
    return done.stdout


class Cluster:
    """One PostgreSQL data folder and its server on a port of its own."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port

    @property
    def data(self) -> Path:
        return self.folder / f"data-{self.port}"

    def start(self) -> None:
        _as_postgres(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / f"server-{self.port}.log"),
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        )

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def crash(self) -> None:
        """SIGKILL to the postmaster and every process it started: a host lost."""
        pid = self.postmaster_pid()
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
        for p in [pid, *map(int, children)]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def promote(self) -> None:
        _as_postgres("pg_ctl", "-D", str(self.data), "-w", "promote")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                _as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
            except RuntimeError:
                pass

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=dbname,
            autocommit=True,
        )


class Pair:
    """A primary with a synchronous standby: a commit is acknowledged only once the
    standby has the WAL."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="jaga-failover-"))
        postgres = pwd.getpwnam("postgres")
        if os.geteuid() == 0:
            os.chown(self.folder, postgres.pw_uid, postgres.pw_gid)
        self.primary = Cluster(self.folder, free_port())
        self.standby = Cluster(self.folder, free_port())

    def url(self, dbname: str) -> str:
        """The libpq multi-host URL servers use: whichever host takes writes."""
        return (
            f"postgresql://postgres@127.0.0.1:{self.primary.port},"
            f"127.0.0.1:{self.standby.port}/{dbname}"
            "?target_session_attrs=read-write"
        )

    def start(self) -> Pair:
        p = self.primary
        _as_postgres("initdb", "-D", str(p.data), "-U", "postgres", "--auth=trust")
        with (p.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "wal_level = replica\nmax_wal_senders = 4\n"
                f"synchronous_standby_names = '{STANDBY_NAME}'\n"
                "synchronous_commit = on\nmax_connections = 200\n"
                "shared_buffers = 32MB\n"
            )
        p.start()
        s = self.standby
        _as_postgres(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(p.port),
            "-U",
            "postgres",
            "-D",
            str(s.data),
            "-X",
            "stream",
            "-R",
        )
        with (s.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"primary_conninfo = 'host=127.0.0.1 port={p.port} user=postgres "
                f"application_name={STANDBY_NAME}'\n"
            )
        s.start()
        deadline = time.monotonic() + 60
        with p.connect() as conn:
            while True:
                row = conn.execute(
                    "SELECT sync_state FROM pg_stat_replication "
                    "WHERE application_name = %s",
                    [STANDBY_NAME],
                ).fetchone()
                if row and row[0] == "sync":
                    break
                assert time.monotonic() < deadline, "the standby never became sync"
                time.sleep(0.2)
        return self

    def fail_over(self) -> None:
        """What an HA manager does when the primary is gone: promote the standby,
        and, with no standby left behind it, stop waiting for one (else every
        commit on the new primary would wait for a synchronous standby forever)."""
        self.standby.promote()
        with self.standby.connect() as conn:
            conn.execute("ALTER SYSTEM SET synchronous_standby_names = ''")
            conn.execute("SELECT pg_reload_conf()")

    def stop(self) -> None:
        for cluster in (self.standby, self.primary):
            cluster.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
