"""Audit integrity on both stores: checkpoints, proofs checked by independent code,
export bundles, and tampering by someone with direct database access."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.app import Jaga
from application.commands.duty import CheckIn
from domain.errors import NotFound
from infrastructure.audit.bundle_verify import verify_bundle_bytes
from infrastructure.audit.errors import InvalidRange, LogInconsistent
from infrastructure.audit.service import AuditService
from infrastructure.settings import Settings
from tests.integration.scenario import FIELD, T0, ctx, jember

# --- an RFC 6962 verifier written from the RFC's definitions, sharing no code ---------


def _h(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    if size == 1:
        assert not path
        return leaf
    k = _split(size)
    sibling, rest = path[-1], path[:-1]
    if index < k:
        return _h(b"\x01", root_from_path(leaf, index, k, rest), sibling)
    return _h(b"\x01", sibling, root_from_path(leaf, index - k, size - k, rest))


def roots_from_consistency(
    m: int, n: int, first_root: bytes, proof: list[bytes]
) -> tuple[bytes, bytes]:
    todo = list(proof)

    def sub(m: int, n: int, whole: bool) -> tuple[bytes, bytes]:
        if m == n:
            if whole:
                return first_root, first_root
            node = todo.pop()
            return node, node
        k = _split(n)
        sibling = todo.pop()
        if m <= k:
            old, new = sub(m, k, whole)
            return old, _h(b"\x01", new, sibling)
        old, new = sub(m - k, n - k, False)
        return _h(b"\x01", sibling, old), _h(b"\x01", sibling, new)

    result = sub(m, n, True)
    assert not todo
    return result


def naive_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _h(b"\x01", naive_root(leaves[:k]), naive_root(leaves[k:]))


# --- fixtures -------------------------------------------------------------------------


def check_ins(app: Jaga, count: int) -> None:
    for i in range(count):
        app.run(
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id=f"jbr-{i % 6 + 1:02d}",
                method="qr",
                occurred_at=T0,
            ),
        )


URLS: dict[int, str] = {}


@pytest.fixture
def audit(jaga: Jaga, store_url: str, tmp_path: Path) -> Iterator[AuditService]:
    URLS[id(jaga)] = store_url
    settings = Settings(
        database_url="unused",
        signing_key_file=tmp_path / "k.pem",
        log_origin="jaga.example/jatim-2024",
    )
    jember(jaga)  # 8 events
    service = AuditService(jaga, settings)
    yield service
    service.stop_timer()
    URLS.pop(id(jaga))


def b64(text: str) -> bytes:
    return base64.b64decode(text)


# --- checkpoints and proofs -----------------------------------------------------------


def test_checkpoint_signature_verifies_with_plain_ed25519(audit: AuditService) -> None:
    cp = audit.checkpoint()
    assert cp["tree_size"] == 8
    assert cp["note"] == (
        f"jaga.example/jatim-2024\n8\n"
        f"{base64.b64encode(bytes.fromhex(cp['root_hash'])).decode()}\n"
    )
    key = Ed25519PublicKey.from_public_bytes(b64(cp["public_key"]))
    key.verify(b64(cp["signature"]), cp["note"].encode())  # raises if bad


def test_checkpoint_is_issued_only_when_the_log_grew_and_old_ones_are_kept(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    first = audit.checkpoint()
    assert audit.checkpoint() == first
    check_ins(jaga, 3)
    second = audit.checkpoint()
    assert second["tree_size"] == 11
    assert [c["tree_size"] for c in audit.checkpoints()] == [8, 11]


def test_timer_issues_a_checkpoint_when_the_log_grows(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    import time

    audit.checkpoint()
    audit.start_timer(0.05)
    check_ins(jaga, 2)
    deadline = time.monotonic() + 5
    while audit.checkpoints()[-1]["tree_size"] != 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert audit.checkpoints()[-1]["tree_size"] == 10


def test_every_inclusion_and_consistency_proof_checks_with_independent_code(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    check_ins(jaga, 5)
    size = audit.checkpoint()["tree_size"]
    leaves = []
    for position in range(1, size + 1):
        leaf = audit.leaf(position)
        assert _h(b"\x00", b64(leaf["leaf"])).hex() == leaf["leaf_hash"]
        leaves.append(bytes.fromhex(leaf["leaf_hash"]))
    roots = [naive_root(leaves[:n]) for n in range(size + 1)]
    assert audit.checkpoint()["root_hash"] == roots[size].hex()
    for tree_size in range(1, size + 1):
        for position in range(1, tree_size + 1):
            proof = audit.inclusion_proof(position, tree_size)
            path = [bytes.fromhex(h) for h in proof["path"]]
            assert (
                root_from_path(leaves[position - 1], position - 1, tree_size, path)
                == roots[tree_size]
            )
        for first in range(1, tree_size):
            proof = audit.consistency_proof(first, tree_size)
            path = [bytes.fromhex(h) for h in proof["path"]]
            assert roots_from_consistency(first, tree_size, roots[first], path) == (
                roots[first],
                roots[tree_size],
            )


def test_leaf_holds_the_record_without_position_and_commits_to_protected_values(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    import json

    from application.leaves import commitment, value_at

    leaf = audit.leaf(3)
    held = json.loads(b64(leaf["leaf"]))
    record = jaga.records(after=2, limit=1)[0]
    assert record["type"] == "PersonnelRegistered" and record["position"] == 3
    # The leaf's index commits to the position; the leaf itself does not hold it.
    assert "position" not in held and "actor" not in held and "client_id" not in held
    assert held["meta"] == {"leaf": 2}
    # Protected values are not in the leaf, only commitments that their salts open.
    salts = record["meta"]["salts"]
    assert {"id_number", "personnel_id", "unit_id", "actor"} <= set(salts)
    for field, salt in salts.items():
        assert field not in held["data"]
        assert held["commitments"][field] == commitment(salt, value_at(record, field))
    assert record["actor"]["role"] == "ops"
    assert held["data"]["name"] == record["data"]["name"]


def test_bad_positions_and_ranges_are_refused_with_named_errors(
    audit: AuditService,
) -> None:
    with pytest.raises(NotFound):
        audit.leaf(9)
    for call in (
        lambda: audit.leaf(0),
        lambda: audit.inclusion_proof(5, 4),
        lambda: audit.inclusion_proof(1, 9),
        lambda: audit.consistency_proof(5, 3),
        lambda: audit.export_bundle(4, 2),
        lambda: audit.export_bundle(1, 9),
    ):
        with pytest.raises(InvalidRange):
            call()


def test_exported_range_verifies_offline_and_fails_once_edited(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    check_ins(jaga, 4)
    data = audit.export_bundle(3, 10)
    assert verify_bundle_bytes(data).ok
    edited = data.replace(b"jbr-02", b"jbr-07", 1)
    result = verify_bundle_bytes(edited)
    assert not result.ok and result.first_bad_position is not None


def test_live_store_verifies_when_untouched(audit: AuditService, jaga: Jaga) -> None:
    audit.checkpoint()
    check_ins(jaga, 3)
    assert audit.verify() == {
        "ok": True,
        "tree_size": 11,
        "first_bad_position": None,
        "reason": None,
    }


# --- tampering with direct database access --------------------------------------------


@contextmanager
def attacker(app: Jaga) -> Iterator[Callable[..., list[Any]]]:
    """A superuser connection with the append-only triggers out of the way."""
    events = _events(app)
    if URLS[id(app)].startswith("sqlite"):
        conn = sqlite3.connect(URLS[id(app)].removeprefix("sqlite:///"))
        for table in (events, "jaga_log", "jaga_merkle"):
            for op in ("update", "delete"):
                conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")

        def run(sql: str, *params: Any) -> list[Any]:
            sql = sql.replace("%s", "?")
            if events in sql:  # SQLite's notification id is the rowid
                sql = sql.replace("notification_id", "rowid")
            return conn.execute(sql, params).fetchall()

        try:
            yield run
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(URLS[id(app)], autocommit=True) as pg:
        for table in (events, "jaga_log", "jaga_merkle"):
            pg.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")

        def run_pg(sql: str, *params: Any) -> list[Any]:
            cur = pg.execute(sql, params)
            return cur.fetchall() if cur.description else []

        yield run_pg


def _events(app: Jaga) -> str:
    return str(app.recorder.events_table_name)  # type: ignore[attr-defined]


def notification_of(run: Callable[..., list[Any]], position: int) -> int:
    return int(
        run("SELECT notification_id FROM jaga_log WHERE position = %s", position)[0][0]
    )


def event_sql(app: Jaga, sql: str) -> str:
    return sql.replace("{events}", _events(app))


def test_one_byte_changed_in_an_event_is_named_at_its_position(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    audit.checkpoint()
    with attacker(jaga) as run:
        n = notification_of(run, 5)
        state = bytes(
            run(
                event_sql(
                    jaga, "SELECT state FROM {events} WHERE notification_id = %s"
                ),
                n,
            )[0][0]
        )
        assert b"Anggota 4" in state
        run(
            event_sql(
                jaga, "UPDATE {events} SET state = %s WHERE notification_id = %s"
            ),
            state.replace(b"Anggota 4", b"Anggota 9"),
            n,
        )
    result = audit.verify()
    assert result["ok"] is False
    assert result["first_bad_position"] == 5
    assert "altered" in result["reason"]
    assert result["tree_size"] == 8  # the log's size, not how far the pass got


def test_deleted_event_row_is_named_at_its_position(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    audit.checkpoint()
    with attacker(jaga) as run:
        n = notification_of(run, 4)
        run(event_sql(jaga, "DELETE FROM {events} WHERE notification_id = %s"), n)
    assert audit.verify()["first_bad_position"] == 4


def test_deleted_log_entry_is_named_at_its_position(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    with attacker(jaga) as run:
        run("DELETE FROM jaga_log WHERE position = %s", 6)
    assert audit.verify()["first_bad_position"] == 6


def test_removed_tail_is_caught_by_the_last_checkpoint(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    audit.checkpoint()
    with attacker(jaga) as run:
        n = notification_of(run, 8)
        run(event_sql(jaga, "DELETE FROM {events} WHERE notification_id = %s"), n)
        run("DELETE FROM jaga_log WHERE position = %s", 8)
        run("DELETE FROM jaga_merkle WHERE level = 0 AND idx = 7")
        run(
            "DELETE FROM jaga_merkle WHERE level > 0 AND idx >= 0 AND "
            "(idx + 1) * (1 << level) > 7"
        )
    result = audit.verify()
    assert result["first_bad_position"] == 8
    assert "removed" in result["reason"]


def test_swapped_event_rows_are_named_at_the_first_of_them(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    audit.checkpoint()
    with attacker(jaga) as run:
        a, b = notification_of(run, 3), notification_of(run, 6)
        sql = event_sql(
            jaga, "UPDATE {events} SET notification_id = %s WHERE notification_id = %s"
        )
        run(sql, -1, a)
        run(sql, a, b)
        run(sql, b, -1)
    result = audit.verify()
    assert result["first_bad_position"] == 3


def test_rehashed_forgery_is_caught_by_the_signed_checkpoint(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    from infrastructure.audit.merkle import MemoryNodeStore

    audit.checkpoint()  # vouches for 1..8
    check_ins(jaga, 4)
    audit.checkpoint()  # vouches for 1..12
    with attacker(jaga) as run:
        n = notification_of(run, 10)
        state = bytes(
            run(
                event_sql(
                    jaga, "SELECT state FROM {events} WHERE notification_id = %s"
                ),
                n,
            )[0][0]
        )
        run(
            event_sql(
                jaga, "UPDATE {events} SET state = %s WHERE notification_id = %s"
            ),
            state.replace(b'"qr"', b'"nfc"', 1),
            n,
        )
    # The attacker recomputes every leaf and node so the stored tree agrees with
    # the altered events; only the signed checkpoints can still tell.
    records = jaga.records(limit=100)
    from application.leaves import leaf_bytes
    from infrastructure.audit.merkle import leaf_hash

    leaves = [leaf_hash(leaf_bytes(r)) for r in records]
    store = MemoryNodeStore()
    store.append(leaves)
    with attacker(jaga) as run:
        for position, leaf in enumerate(leaves, 1):
            run(
                "UPDATE jaga_log SET leaf_hash = %s WHERE position = %s", leaf, position
            )
        for (level, idx), digest in store.nodes.items():
            run(
                "UPDATE jaga_merkle SET hash = %s WHERE level = %s AND idx = %s",
                digest,
                level,
                idx,
            )
    result = audit.verify()
    assert result["ok"] is False
    assert result["first_bad_position"] == 9
    assert "checkpoint of size 12" in result["reason"]
    check_ins(jaga, 1)
    with pytest.raises(LogInconsistent):
        audit.checkpoint()


def test_event_inserted_outside_the_log_is_named(
    audit: AuditService,
    jaga: Jaga,
) -> None:
    with attacker(jaga) as run:
        row = run(
            event_sql(
                jaga,
                "SELECT originator_id, topic, state FROM {events} "
                "WHERE notification_id = %s",
            ),
            notification_of(run, 2),
        )[0]
        run(
            event_sql(
                jaga,
                "INSERT INTO {events} (originator_id, originator_version, "
                "topic, state) VALUES (%s, %s, %s, %s)",
            ),
            row[0],
            99,
            row[1],
            row[2],
        )
    result = audit.verify()
    assert result["ok"] is False
    assert "outside the log" in result["reason"]
    assert result["first_bad_position"] == 9


# --- the store itself refuses changes -------------------------------------------------

APPEND_ONLY = ("{events}", "jaga_log", "jaga_merkle", "jaga_checkpoints")


@contextmanager
def owner(store_url: str) -> Iterator[Callable[[str], None]]:
    """The store's owner, connected directly, triggers in place."""
    if store_url.startswith("sqlite"):
        conn = sqlite3.connect(store_url.removeprefix("sqlite:///"))
        try:
            yield lambda sql: conn.execute(sql).fetchall() and None
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(store_url, autocommit=True) as pg:
        yield lambda sql: pg.execute(sql) and None


COLUMNS = {
    "jaga_checkpoints": "tree_size",
    "jaga_log": "position",
    "jaga_merkle": "level",
}


def test_store_refuses_update_delete_and_truncate_of_append_only_tables(
    audit: AuditService,
    jaga: Jaga,
    store_url: str,
) -> None:
    audit.checkpoint()
    postgres = not store_url.startswith("sqlite")
    with owner(store_url) as run:
        for name in APPEND_ONLY:
            table = event_sql(jaga, name)
            column = COLUMNS.get(table, "originator_version")
            refused = [
                f"UPDATE {table} SET {column} = {column}",
                f"DELETE FROM {table}",
            ]
            if postgres:  # SQLite has no TRUNCATE
                refused.append(f"TRUNCATE {table} CASCADE")
            for sql in refused:
                with pytest.raises(Exception, match="append-only"):
                    run(sql)
    assert audit.verify() == {
        "ok": True,
        "tree_size": 8,
        "first_bad_position": None,
        "reason": None,
    }
