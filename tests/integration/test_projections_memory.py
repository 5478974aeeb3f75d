"""The runner keeps documents in memory between batches; it must drop them whenever
someone else moved the views on, on SQLite and PostgreSQL."""

from __future__ import annotations

from application.app import Jaga
from application.demo import load_demo
from infrastructure.views.rebuild import contents, discard, rebuild
from infrastructure.views.runner import JagaViews
from infrastructure.views.store import ViewStore


def test_two_runners_taking_turns_give_the_views_of_a_rebuild(jaga: Jaga) -> None:
    load_demo(jaga)
    store = ViewStore(jaga)
    first, second = JagaViews(store), JagaViews(store)
    turns = 0
    while first.step(limit=7) + second.step(limit=11):
        turns += 1
    assert turns > 3
    built = rebuild(store, swap=False, until=store.position())
    try:
        assert contents(store) == contents(store, built.generations)
    finally:
        discard(store, built)


def test_a_failed_commit_is_not_remembered(jaga: Jaga) -> None:
    load_demo(jaga)
    store = ViewStore(jaga)
    views = JagaViews(store)
    views.step(limit=100)

    def crash(position: int) -> None:
        raise RuntimeError("the transaction dies before it commits")

    views.before_commit = crash
    try:
        views.step(limit=100)
    except RuntimeError:
        pass
    views.before_commit = None
    while views.step(limit=100):
        pass
    built = rebuild(store, swap=False, until=store.position())
    try:
        assert contents(store) == contents(store, built.generations)
    finally:
        discard(store, built)
