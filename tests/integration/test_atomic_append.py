"""An event, its position, its leaf and its tree are stored together or not at all,
on both stores: each step of the append fails in turn, and the log stays whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from application.app import Jaga
from application.commands.duty import CheckIn
from application.errors import WriteNotStored
from domain.errors import InvalidValue
from infrastructure.audit.service import AuditService
from infrastructure.settings import Settings
from tests.integration.scenario import FIELD, T0, ctx, jember, site_of


def _is_postgres(jaga: Jaga) -> bool:
    return bool(jaga.recorder.dialect.ph == "%s")  # type: ignore[attr-defined]


@contextmanager
def failing_insert(jaga: Jaga, table: str) -> Iterator[None]:
    """Makes every INSERT into `table` fail, as a broken disk or a bug would."""
    with jaga.recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        if _is_postgres(jaga):
            c.execute(
                "CREATE OR REPLACE FUNCTION jaga_test_fail() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; "
                "END $$"
            )
            c.execute(
                f"CREATE TRIGGER jaga_test_fail BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION jaga_test_fail()"
            )
        else:
            c.execute(
                f"CREATE TRIGGER jaga_test_fail BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
    try:
        yield
    finally:
        with jaga.recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
            on = f" ON {table}" if _is_postgres(jaga) else ""
            c.execute(f"DROP TRIGGER jaga_test_fail{on}")


def counts(jaga: Jaga) -> tuple[int, int, int]:
    """Rows of the event table, of the log, and event rows outside the log."""
    recorder: Any = jaga.recorder
    table = recorder.events_table_name
    column = recorder.dialect.notification_column
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(f"SELECT COUNT(*) AS n FROM {table}")
        events = int(c.fetchone()["n"])
        c.execute("SELECT COUNT(*) AS n FROM jaga_log")
        logged = int(c.fetchone()["n"])
        c.execute(
            f"SELECT COUNT(*) AS n FROM {table} e WHERE NOT EXISTS "
            f"(SELECT 1 FROM jaga_log l WHERE l.notification_id = e.{column})"
        )
        return events, logged, int(c.fetchone()["n"])


@pytest.fixture
def audit(jaga: Jaga, tmp_path: Path, store_url: str) -> AuditService:
    return AuditService(
        jaga, Settings(database_url=store_url, signing_key_file=tmp_path / "k")
    )


def check_in(jaga: Jaga, who: str, key: str | None = None) -> dict[str, Any]:
    return jaga.run(
        ctx(FIELD, key),
        CheckIn(
            site_id="kpu-kab-jember", personnel_id=who, method="qr", occurred_at=T0
        ),
    )


@pytest.mark.parametrize("table", ["jaga_log", "jaga_merkle", "jaga_idempotency"])
def test_a_failing_step_after_the_insert_stores_nothing(
    jaga: Jaga, audit: AuditService, table: str
) -> None:
    jember(jaga, guards=3)
    audit.checkpoint()
    before = counts(jaga)
    with failing_insert(jaga, table), pytest.raises(WriteNotStored) as refused:
        check_in(jaga, "jbr-01", key="hp-01-0001")
    assert "injected failure" in refused.value.reason
    assert counts(jaga) == before
    assert before[2] == 0
    assert audit.verify()["ok"] is True
    # The same write, sent again once the store works, is stored exactly once.
    answer = check_in(jaga, "jbr-01", key="hp-01-0001")
    assert answer == check_in(jaga, "jbr-01", key="hp-01-0001")
    assert counts(jaga) == (before[0] + 1, before[1] + 1, 0)
    assert audit.verify()["ok"] is True


def test_writes_saved_together_fail_together_and_leave_no_trace(
    jaga: Jaga, audit: AuditService
) -> None:
    from application.batch import run_batch

    jember(jaga, guards=3)
    before = counts(jaga)
    commands = [
        (
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-jember", personnel_id=who, method="qr", occurred_at=T0
            ),
        )
        for who in ("jbr-01", "jbr-02", "jbr-03")
    ]
    with failing_insert(jaga, "jaga_merkle"):
        outcome = run_batch(jaga, commands)
    assert all(isinstance(o, WriteNotStored) for o in outcome)
    assert counts(jaga) == before
    assert audit.verify()["ok"] is True


def test_a_value_that_cannot_be_encoded_is_refused_before_the_store(
    jaga: Jaga, audit: AuditService
) -> None:
    jember(jaga, guards=1)
    before = counts(jaga)
    site = site_of(jaga, "kpu-kab-jember")
    # The domain's own checks stand in front of this; the leaf encoding is the
    # last line, and it holds before anything reaches the store.
    site._requirement_set(float("nan"), None, None, T0)
    with pytest.raises(InvalidValue) as refused:
        jaga.prepare(ctx(), "kpu-kab-jember", [site], None)
    assert refused.value.field == "body"
    assert counts(jaga) == before
    assert audit.verify()["ok"] is True


def test_an_append_sent_twice_is_stored_once(jaga: Jaga, audit: AuditService) -> None:
    # A connection lost after the store committed makes the append go again: the
    # store knows the write by its events and answers where it stored them.
    from domain import checkin

    jember(jaga, guards=1)
    record = checkin.CheckIn.record(
        "kpu-kab-jember", personnel_id="jbr-01", method="qr", occurred_at=T0
    )
    write = jaga.prepare(ctx(FIELD), str(record.id), [record], None)
    [first] = jaga.store.append([write])
    [again] = jaga.store.append([write])
    assert first.status == "stored"
    assert again.status == "stored_before"
    assert again.first_position == first.first_position
    assert counts(jaga)[2] == 0
    assert audit.verify()["ok"] is True
