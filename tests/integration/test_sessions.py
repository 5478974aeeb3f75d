"""Dashboard sessions live in the database: valid on every server process, ended on
all of them at once, capped per key so that no key can end another's."""

from __future__ import annotations

from infrastructure.sessions import SessionStore
from infrastructure.settings import Settings
from infrastructure.wiring import open_app


def test_a_session_opened_on_one_process_is_valid_and_ended_on_another(
    store_url: str,
) -> None:
    one, two = (open_app(Settings(database_url=store_url)) for _ in range(2))
    try:
        first, second = SessionStore(one.recorder), SessionStore(two.recorder)
        session = first.open("key-a")
        assert second.key_id(session) == "key-a"
        second.close(session)
        assert first.key_id(session) is None
        assert first.key_id("x" * 500) is None and first.key_id(None) is None
    finally:
        one.close()
        two.close()


def test_sessions_are_capped_per_key_oldest_first(store_url: str) -> None:
    app = open_app(Settings(database_url=store_url))
    try:
        store = SessionStore(app.recorder, per_key=3)
        others = [store.open("key-b") for _ in range(2)]
        mine = [store.open("key-a") for _ in range(5)]
        assert [store.key_id(s) for s in mine] == [
            None,
            None,
            "key-a",
            "key-a",
            "key-a",
        ]
        # However many sessions one key opens, another key's stay open.
        assert [store.key_id(s) for s in others] == ["key-b", "key-b"]
    finally:
        app.close()


def test_an_idle_session_ends(store_url: str) -> None:
    app = open_app(Settings(database_url=store_url))
    now = [1_000_000.0]
    try:
        store = SessionStore(app.recorder, idle_seconds=60, clock=lambda: now[0])
        session = store.open("key-a")
        now[0] += 59
        assert store.key_id(session) == "key-a"
        now[0] += 61
        assert store.key_id(session) is None
    finally:
        app.close()
