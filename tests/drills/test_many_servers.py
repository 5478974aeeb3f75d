"""Several `jaga serve` processes on one PostgreSQL database: one log (dense
positions, single winners, an idempotency key writing once whichever server gets
it), one leader running the views and the checkpoint timer, a standby taking over
within 2 s of the leader's SIGKILL, and /metrics counting every worker."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from infrastructure.bench.server import Server, free_port, jaga_serve_command
from tests.drills.harness import (
    JagaServer,
    Sent,
    account,
    bearer,
    client,
    counts,
    log_by_key,
    make_key,
    post,
    recently,
    views_equal_a_fresh_rebuild,
    wait_caught_up,
)
from tests.drills.scenario import guarded_site

pytestmark = [pytest.mark.drill, pytest.mark.postgres]
TAKEOVER_SECONDS = 2.0


class Workers(JagaServer):
    """`jaga serve --workers N`."""

    def __init__(self, url: str, folder: Path, workers: int) -> None:
        super().__init__(url, folder)
        self.workers = workers

    def start(self) -> Workers:
        command = [*jaga_serve_command(self.port), "--workers", str(self.workers)]
        self.server = Server(
            command, self.port, "/healthz", self.env, self.log, every=5.0
        ).__enter__()
        self.starts += 1
        return self

    @property
    def pid(self) -> int:
        assert self.server is not None and self.server.proc is not None
        return self.server.proc.pid

    def ready(self) -> dict[str, Any]:
        # A new connection each time: with several workers, any of them answers.
        answer = httpx.get(f"{self.base_url}/readyz", timeout=5)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@dataclass
class Fleet:
    url: str
    servers: list[Workers]
    keys: dict[str, str]


@pytest.fixture(scope="module")
def fleet(
    pg_database: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    url = pg_database()
    keys = {role: make_key(url, role)[1] for role in ("ops", "field")}
    folder = tmp_path_factory.mktemp("fleet")
    servers = [Workers(url, folder, workers=1) for _ in range(2)]
    try:
        for s in servers:
            s.start()
        yield Fleet(url, servers, keys)
    finally:
        for s in servers:
            s.stop()


def _leaders(fleet: Fleet) -> list[dict[str, Any]]:
    return [s.ready() for s in fleet.servers if s.server is not None]


def _await_one_leader(fleet: Fleet, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        answers = _leaders(fleet)
        if any(a["process"]["role"] == "leader" for a in answers):
            return answers[0]["leader"]
        assert time.monotonic() < deadline, answers
        time.sleep(0.1)


def test_two_servers_have_one_leader_that_both_name(fleet: Fleet) -> None:
    _await_one_leader(fleet)
    answers = _leaders(fleet)
    roles = sorted(a["process"]["role"] for a in answers)
    assert roles == ["leader", "standby"], answers
    leader = answers[0]["leader"]
    assert all(a["leader"] == leader for a in answers)
    assert leader["pid"] in {s.pid for s in fleet.servers}
    assert leader == next(
        {k: a["process"][k] for k in ("host", "pid")}
        for a in answers
        if a["process"]["role"] == "leader"
    )


async def _spread(fleet: Fleet, writes: list[Sent], name: str) -> None:
    """Every write sent at once, alternately to each server."""
    tally = counts(name)
    clients = [client(s.base_url, fleet.keys["field"]) for s in fleet.servers]
    try:
        await asyncio.gather(
            *(post(clients[i % len(clients)], w, tally) for i, w in enumerate(writes))
        )
    finally:
        for c in clients:
            await c.aclose()


def test_writes_through_both_servers_make_one_dense_log_and_views_equal_a_rebuild(
    fleet: Fleet,
) -> None:
    a, b = fleet.servers
    site = guarded_site(a.base_url, fleet.keys["ops"], people=42)
    crew = site["personnel"]
    name = "many servers: check-ins, retries, a handover race"
    check_ins = [
        Sent(
            f"/api/v1/sites/{site['site_id']}/check-ins",
            {"personnel_id": p, "method": "qr", "occurred_at": recently(3)},
        )
        for p in crew[:20]
    ]
    asyncio.run(_spread(fleet, check_ins, name))
    assert [c.status for c in check_ins] == [201] * 20
    # The same keys again, each to the server that did not take it first.
    again = [Sent(c.path, c.body, key=c.key) for c in check_ins]
    asyncio.run(_spread(fleet, [again[-1], *again[:-1]], name))
    assert [r.answer["event_id"] for r in again] == [
        c.answer["event_id"] for c in check_ins
    ]
    shift = Sent(
        f"/api/v1/sites/{site['site_id']}/shifts",
        {
            "unit_id": site["unit_id"],
            "commander_id": crew[20],
            "roster": crew[20:22],
            "occurred_at": recently(10),
        },
    )
    asyncio.run(_spread(fleet, [shift], name))
    assert shift.status == 201, shift.answer
    handovers = [
        Sent(
            f"/api/v1/sites/{site['site_id']}/shifts/{shift.answer['id']}/handover",
            {
                "incoming_commander_id": p,
                "incoming_roster": [p],
                "observations": "segel gudang utuh",
                "seals_intact": True,
                "occurred_at": recently(1),
            },
        )
        for p in crew[22:42]
    ]
    asyncio.run(_spread(fleet, handovers, name))
    assert sorted(h.status or 0 for h in handovers) == [201] + [409] * 19
    tally = counts(name)
    account(fleet.url, [*check_ins, shift, *handovers], tally)  # dense positions
    assert (tally.lost, tally.duplicated, tally.server_errors) == (0, 0, 0)
    requests, _, _, _ = log_by_key(fleet.url)
    assert all(len(requests[c.key]) == 1 for c in check_ins)  # written once
    assert wait_caught_up(fleet.url) > 0
    assert views_equal_a_fresh_rebuild(fleet.url)


def test_leader_killed_the_standby_leads_within_two_seconds(fleet: Fleet) -> None:
    leader = _await_one_leader(fleet)
    victim = next(s for s in fleet.servers if s.pid == leader["pid"])
    survivor = next(s for s in fleet.servers if s is not victim)
    victim.kill()
    killed = time.monotonic()
    while survivor.ready()["process"]["role"] != "leader":
        assert time.monotonic() - killed < TAKEOVER_SECONDS, survivor.ready()
        time.sleep(0.05)
    took = time.monotonic() - killed
    assert survivor.ready()["leader"]["pid"] == survivor.pid
    # The new leader runs the views: a write through it reaches them.
    site = guarded_site(survivor.base_url, fleet.keys["ops"], people=1)
    assert site["site_id"]
    wait_caught_up(fleet.url, timeout=10)
    counts("many servers: leader SIGKILL").note = f"takeover {took:.2f} s"
    victim.start()  # back as a standby
    assert victim.ready()["process"]["role"] == "standby"


def _readyz_count(text: str) -> float:
    found = re.search(
        r'^jaga_http_requests_total\{method="GET",route="/readyz",status="200"\} (\S+)',
        text,
        re.M,
    )
    return float(found.group(1)) if found else 0.0


def test_metrics_of_any_worker_count_every_worker(fleet: Fleet, tmp_path: Path) -> None:
    many = Workers(fleet.url, tmp_path, workers=2).start()
    scrape = bearer(make_key(fleet.url, "ops")[1])  # /metrics needs an ops key
    try:
        before = _readyz_count(
            httpx.get(f"{many.base_url}/metrics", headers=scrape).text
        )
        pids = {many.ready()["process"]["pid"] for _ in range(40)}
        assert len(pids) == 2, pids  # both workers answered
        for _ in range(4):  # whichever worker answers the scrape
            after = _readyz_count(
                httpx.get(f"{many.base_url}/metrics", headers=scrape).text
            )
            assert after - before == 40
        # A third process on the database: still one leader for all.
        leaders = {many.ready()["leader"]["pid"] for _ in range(10)}
        assert len(leaders) == 1
    finally:
        many.stop()


def test_sqlite_refuses_more_than_one_worker(tmp_path: Path) -> None:
    server = JagaServer(f"sqlite:///{tmp_path / 'j.sqlite3'}", tmp_path)
    server.env["JAGA_LANG"] = "en"
    done = server.jaga("serve", "--workers", "2", "--port", str(free_port()))
    assert done.returncode == 2
    assert "--workers 2 needs PostgreSQL" in done.stderr


def test_a_key_made_for_a_server_answers_on_every_server(fleet: Fleet) -> None:
    for s in fleet.servers:
        answer = httpx.get(
            f"{s.base_url}/api/v1/sites", headers=bearer(fleet.keys["ops"]), timeout=5
        )
        assert answer.status_code == 200, answer.text


def test_workers_die_with_their_supervisor(fleet: Fleet, tmp_path: Path) -> None:
    many = Workers(fleet.url, tmp_path, workers=2).start()
    assert many.ready()["status"] == "ready"
    many.kill()  # SIGKILL to the supervisor alone
    deadline = time.monotonic() + 5
    while True:  # no orphaned worker keeps the port
        try:
            httpx.get(f"{many.base_url}/healthz", timeout=0.5)
        except httpx.TransportError:
            break
        assert time.monotonic() < deadline, "a worker outlived its supervisor"
        time.sleep(0.1)


def test_workers_starting_together_on_a_fresh_database_all_serve(
    pg_database: Any, tmp_path: Path
) -> None:
    # Each worker creates the tables it needs; none may fail because another
    # created them a moment before.
    many = Workers(pg_database(), tmp_path, workers=3).start()
    try:
        # A worker still starting may answer 503 or late: asked again until each
        # has answered, within a deadline that holds on a busy CI machine.
        deadline = time.monotonic() + 60
        pids: set[int] = set()
        while len(pids) < 3:
            assert time.monotonic() < deadline, pids
            try:
                answer = httpx.get(f"{many.base_url}/readyz", timeout=5)
            except httpx.HTTPError:
                continue
            if answer.status_code == 200:
                pids.add(answer.json()["process"]["pid"])
        assert many.server is not None and many.server.proc is not None
        assert many.server.proc.poll() is None
    finally:
        many.stop()


def test_a_dashboard_session_opened_on_one_server_is_valid_on_the_other(
    fleet: Fleet,
) -> None:
    a, b = fleet.servers
    signed = httpx.post(
        f"{a.base_url}/sign-in",
        data={"key": fleet.keys["ops"], "next": "/"},
        follow_redirects=False,
        timeout=10,
    )
    assert signed.status_code == 303, signed.text
    cookies = dict(signed.cookies)
    assert cookies
    for server in (a, b):
        board = httpx.get(
            f"{server.base_url}/", cookies=cookies, follow_redirects=False, timeout=10
        )
        assert board.status_code == 200, (server.base_url, board.headers)
