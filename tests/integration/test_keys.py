"""A server remembers the keys it let in only while it hears every revocation."""

from __future__ import annotations

import time

from infrastructure.keys import KeyStore
from infrastructure.settings import Settings
from infrastructure.wiring import open_app


def test_a_revocation_by_another_process_reaches_a_remembering_server(
    store_url: str,
) -> None:
    server_app = open_app(Settings(database_url=store_url))
    cli_app = open_app(Settings(database_url=store_url))
    server, cli = KeyStore(server_app.recorder), KeyStore(cli_app.recorder)
    try:
        key, secret = cli.create("field", "pos jaga")
        server.follow_revocations()
        # Only PostgreSQL can announce a revocation to other processes.
        remembers = store_url.startswith("postgres")
        deadline = time.monotonic() + (5 if remembers else 0)
        assert server.authenticate(secret) == key
        while not server.remembered(secret) and time.monotonic() < deadline:
            assert server.authenticate(secret) == key  # until it listens
            time.sleep(0.01)
        assert (server.remembered(secret) == key) == remembers
        cli.revoke(key.key_id)
        deadline = time.monotonic() + 1
        while server.remembered(secret) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert server.remembered(secret) is None
        assert server.authenticate(secret) is None
    finally:
        server.close()
        server_app.close()
        cli_app.close()


def test_a_server_that_stops_listening_forgets_every_key(store_url: str) -> None:
    app = open_app(Settings(database_url=store_url))
    keys = KeyStore(app.recorder)
    try:
        key, secret = keys.create("ops", "piket")
        keys.follow_revocations()
        deadline = time.monotonic() + (5 if store_url.startswith("postgres") else 0)
        while not keys.remembered(secret) and time.monotonic() < deadline:
            keys.authenticate(secret)
            time.sleep(0.01)
        keys.close()
        assert keys.remembered(secret) is None
        assert keys.authenticate(secret) == key
        assert keys.remembered(secret) is None
    finally:
        keys.close()
        app.close()
