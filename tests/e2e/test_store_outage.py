"""The store goes away behind a running server: 503 with Retry-After, then recovery."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from application.commands.reference import RegisterPersonnel, RegisterSite, RegisterUnit
from application.writes import SYSTEM, Context
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.conftest import drop_pg_database, new_pg_database, pg_url

CHECK_IN = {
    "personnel_id": "jbr-01",
    "method": "qr",
    "occurred_at": "2024-01-03T07:00:00+07:00",
}


class Proxy:
    """A TCP relay to PostgreSQL that can be cut and restored on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        assert self.listener is not None
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


@pytest.fixture
def proxied(pg_ready: bool, tmp_path: Path) -> Iterator[tuple[Proxy, Settings]]:
    if not pg_ready:
        pytest.skip("PostgreSQL is not reachable")
    name = new_pg_database()
    proxy = Proxy(("127.0.0.1", 5432))
    proxy.start()
    url = pg_url(name).replace(":5432/", f":{proxy.port}/")
    try:
        yield proxy, Settings(database_url=url, signing_key_file=tmp_path / "key")
    finally:
        proxy.cut()
        drop_pg_database(name)


def test_unreachable_store_answers_503_and_the_server_recovers(
    proxied: tuple[Proxy, Settings],
) -> None:
    proxy, settings = proxied
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        state = client.app.state  # type: ignore[attr-defined]
        _, secret = state.keys.create("ops", "outage test")
        ops = {"Authorization": f"Bearer {secret}"}
        ctx = Context(SYSTEM)
        state.jaga.run(
            ctx,
            RegisterUnit(unit_id="polres-jember", name="Polres Jember", kind="polri"),
        )
        state.jaga.run(
            ctx,
            RegisterPersonnel(
                personnel_id="jbr-01", id_number="1", name="A", unit_id="polres-jember"
            ),
        )
        state.jaga.run(
            ctx,
            RegisterSite(
                site_id="kpu-kab-jember",
                kind="kpu_office",
                name="KPU",
                province="jawa-timur",
                regency="kab-jember",
            ),
        )
        site = "/api/v1/sites/kpu-kab-jember/check-ins"
        assert client.post(site, json=CHECK_IN, headers=ops).status_code == 201

        proxy.cut()
        down = client.post(site, json=CHECK_IN, headers=ops)
        assert down.status_code == 503
        assert down.headers["Retry-After"] == "2"
        assert down.json()["error"]["code"] == "unavailable"
        assert client.get("/readyz").status_code == 503

        proxy.start()
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline:
            status = client.post(site, json=CHECK_IN, headers=ops).status_code
            if status == 201:
                break
            time.sleep(0.5)
        assert status == 201
        assert client.get("/readyz").status_code == 200
