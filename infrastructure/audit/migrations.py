"""Audit schema on both stores: the append-only checkpoints and cosignatures tables,
their triggers, the witnesses' status, and the PostgreSQL role the application runs
under.

The event, log and Merkle tables get their triggers from the recorders
(infrastructure/store); this module adds its tables beside them and
installs it on first use, so a store never runs without it.
"""

from __future__ import annotations

import re
from typing import Any

CHECKPOINTS = "jaga_checkpoints"
COSIGNATURES = "jaga_cosignatures"
WITNESS_STATUS = "jaga_witness_status"
APPEND_ONLY = ("jaga_log", "jaga_merkle", CHECKPOINTS, COSIGNATURES)
APP_ROLE = "jaga_app"
# Any number; it serialises concurrent first starts on one PostgreSQL database.
_MIGRATION_LOCK = 7_265_311_942

# One witness's cosignature on one checkpoint text; a witness's last answer.
_TABLES = [
    f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} ("
    " tree_size BIGINT NOT NULL, key_id TEXT NOT NULL, issued_at TEXT NOT NULL,"
    " body TEXT NOT NULL, PRIMARY KEY (tree_size, key_id))",
    f"CREATE TABLE IF NOT EXISTS {COSIGNATURES} ("
    " body TEXT NOT NULL, witness TEXT NOT NULL, key_id TEXT NOT NULL,"
    " tree_size BIGINT NOT NULL, line TEXT NOT NULL, cosigned_at BIGINT NOT NULL,"
    " received_at TEXT NOT NULL, PRIMARY KEY (body, witness, key_id))",
    f"CREATE INDEX IF NOT EXISTS {COSIGNATURES}_by_witness"
    f" ON {COSIGNATURES} (witness, key_id, tree_size)",
    f"CREATE INDEX IF NOT EXISTS {COSIGNATURES}_by_size ON {COSIGNATURES} (tree_size)",
    f"CREATE TABLE IF NOT EXISTS {WITNESS_STATUS} ("
    " witness TEXT PRIMARY KEY, url TEXT NOT NULL, witness_size BIGINT,"
    " attempted_at TEXT NOT NULL, cosigned_at TEXT, error TEXT,"
    " failures INTEGER NOT NULL)",
]
_GUARDED = (CHECKPOINTS, COSIGNATURES)

_SQLITE = [
    *_TABLES,
    *(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} "
        f"ON {table} BEGIN "
        f"SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for table in _GUARDED
        for op in ("UPDATE", "DELETE")
    ),
]

_POSTGRES = [
    *_TABLES,
    """CREATE OR REPLACE FUNCTION jaga_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$""",
    *(
        statement
        for table in _GUARDED
        for statement in (
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION jaga_refuse_change()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION jaga_refuse_change()",
        )
    ),
]


def is_postgres(recorder: Any) -> bool:
    return bool(recorder.dialect.ph == "%s")


def install(recorder: Any) -> None:
    """Creates the audit tables and their triggers unless they are there.

    On PostgreSQL the check comes first, so the non-owner application role, which
    may not run DDL, starts fine on a store its owner has set up.
    """
    if not is_postgres(recorder):
        with recorder.datastore.transaction(commit=True) as c:
            for statement in _SQLITE:
                c.execute(statement)
        return
    if _postgres_installed(recorder):
        return
    with recorder.datastore.transaction(commit=True) as c:
        c.execute("SELECT pg_advisory_xact_lock(%s)", [_MIGRATION_LOCK])
        for statement in _POSTGRES:
            c.execute(statement)


def _postgres_installed(recorder: Any) -> bool:
    names = [f"{t}_{kind}" for t in _GUARDED for kind in ("append_only", "no_truncate")]
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(
            "SELECT count(*) AS n FROM pg_trigger WHERE NOT tgisinternal AND"
            " tgname = ANY(%s) AND tgrelid IN (SELECT to_regclass(t) FROM"
            " unnest(%s::text[]) AS t) AND to_regclass(%s) IS NOT NULL",
            [names, list(_GUARDED), WITNESS_STATUS],
        )
        return int(c.fetchone()["n"]) == len(names)


def _ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain lower-case SQL name: {name!r}")
    return name


def app_role_statements(
    database: str,
    events_table: str,
    role: str = APP_ROLE,
) -> list[str]:
    """The SQL that makes `role` able to run Jaga but not to rewrite its history.

    The role owns nothing, so it can neither drop nor alter the tables nor disable
    their triggers. It may INSERT and SELECT everywhere, UPDATE and DELETE only on
    the tables that are meant to change (projections, keys, tracking). UPDATE on
    the event table is kept because the library's `LOCK TABLE … IN EXCLUSIVE MODE`
    needs it; the row triggers refuse every actual UPDATE and DELETE.
    """
    role, events_table = _ident(role), _ident(events_table)
    fixed = ", ".join((events_table, *APPEND_ONLY))
    login = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
    create = (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} {login}; END IF; END $$"
    )
    quoted_db = '"' + database.replace('"', '""') + '"'
    return [
        create,
        f"GRANT CONNECT, TEMPORARY ON DATABASE {quoted_db} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE CREATE ON SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
        f"TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {fixed} FROM {role}",
        f"GRANT UPDATE ON {events_table} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # Tables the owner creates later (new projections) are usable too.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, "
        f"DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON "
        f"SEQUENCES TO {role}",
    ]


def grant_app_role(
    recorder: Any, role: str = APP_ROLE, password: str | None = None
) -> list[str]:
    """Runs `app_role_statements` as the store's owner; returns the SQL it ran."""
    if not is_postgres(recorder):
        raise ValueError("the application role is a PostgreSQL feature")
    install(recorder)
    from psycopg import sql

    with recorder.datastore.transaction(commit=True) as c:
        c.execute("SELECT current_database() AS db")
        database = str(c.fetchone()["db"])
        statements = app_role_statements(database, recorder.events_table_name, role)
        for statement in statements:
            c.execute(statement)
        if password is not None:
            c.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
    return statements
