"""Webhook subscriptions and their deliveries, in the application's database so
that every server process sees the same (who is subscribed, what was sent, what
waits for a retry, who is paused).

Alert events are copied from the timeline view into one delivery per matching
subscription (an outbox, with its own cursor), in one transaction; a sender then
posts the due ones and notes each attempt.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from infrastructure.views.store import ViewStore
from infrastructure.views.tables import POSTGRES, docs_table, loads

SUBSCRIPTIONS = "jaga_alert_subscriptions"
DELIVERIES = "jaga_alert_deliveries"
CURSOR = "jaga_alert_cursor"
ALERT_TYPES = ("AlertRaised", "AlertAcknowledged", "AlertCleared")
PAUSE_AFTER = 8  # failed attempts in a row before a subscriber is paused
BATCH = 500


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Webhooks:
    def __init__(self, store: ViewStore) -> None:
        self.store = store
        self.ph = store.ph
        serial = (
            "BIGSERIAL PRIMARY KEY"
            if store.dialect is POSTGRES
            else "INTEGER PRIMARY KEY AUTOINCREMENT"
        )
        with store.setup_lock(), store.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {SUBSCRIPTIONS} (id TEXT PRIMARY KEY,"
                " url TEXT NOT NULL, secret TEXT NOT NULL, province TEXT,"
                " regency TEXT, rules TEXT NOT NULL, created_at TEXT NOT NULL,"
                " created_by TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0,"
                " paused_at TEXT, paused_reason TEXT)"
            )
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {DELIVERIES} (id {serial},"
                " subscription_id TEXT NOT NULL, event_id TEXT NOT NULL,"
                " position BIGINT NOT NULL, event_type TEXT NOT NULL,"
                " payload TEXT NOT NULL, status TEXT NOT NULL,"
                " attempts INTEGER NOT NULL DEFAULT 0, due DOUBLE PRECISION NOT NULL,"
                " last_status INTEGER, last_error TEXT, last_attempt_at TEXT,"
                " delivered_at TEXT, UNIQUE (subscription_id, event_id))"
            )
            c.execute(
                f"CREATE INDEX IF NOT EXISTS {DELIVERIES}_due"
                f" ON {DELIVERIES} (status, due)"
            )
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {CURSOR} (id INTEGER PRIMARY KEY,"
                " position BIGINT NOT NULL)"
            )
            c.execute(f"SELECT position FROM {CURSOR} WHERE id = 1")
            if c.fetchone() is None:
                c.execute(f"INSERT INTO {CURSOR} (id, position) VALUES (1, 0)")

    # --- subscriptions --------------------------------------------------------------

    def subscribe(
        self,
        url: str,
        province: str | None,
        regency: str | None,
        rules: Sequence[str],
        created_by: str,
    ) -> dict[str, Any]:
        """A new subscription; its secret is in this answer only."""
        ph = self.ph
        row = {
            "id": str(uuid.uuid4()),
            "url": url,
            "secret": secrets.token_urlsafe(32),
            "province": province,
            "regency": regency,
            "rules": ",".join(rules),
            "created_at": _now(),
            "created_by": created_by,
        }
        with self.store.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {SUBSCRIPTIONS} ({', '.join(row)})"
                f" VALUES ({', '.join([ph] * len(row))})",
                list(row.values()),
            )
        return {**self._shown(row), "secret": row["secret"]}

    @staticmethod
    def _shown(row: Any) -> dict[str, Any]:
        return {
            "subscription_id": row["id"],
            "url": row["url"],
            "province": row["province"],
            "regency": row["regency"],
            "rules": [r for r in row["rules"].split(",") if r],
            "created_at": row["created_at"],
            "failures": row.get("failures", 0),
            "paused": row.get("paused_at") is not None,
            "paused_at": row.get("paused_at"),
            "paused_reason": row.get("paused_reason"),
        }

    def subscriptions(self, with_secrets: bool = False) -> list[dict[str, Any]]:
        with self.store.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {SUBSCRIPTIONS} ORDER BY created_at, id")
            rows = [dict(r) for r in c.fetchall()]
        if with_secrets:
            return rows
        return [self._shown(r) for r in rows]

    def resume(self, subscription_id: str) -> dict[str, Any] | None:
        """A paused subscriber is tried again now, from its oldest waiting delivery."""
        ph = self.ph
        with self.store.transaction(commit=True) as c:
            c.execute(
                f"UPDATE {SUBSCRIPTIONS} SET paused_at = NULL, paused_reason = NULL,"
                f" failures = 0 WHERE id = {ph}",
                [subscription_id],
            )
            c.execute(
                f"UPDATE {DELIVERIES} SET due = 0 WHERE subscription_id = {ph}"
                " AND status = 'pending'",
                [subscription_id],
            )
            c.execute(
                f"SELECT * FROM {SUBSCRIPTIONS} WHERE id = {ph}", [subscription_id]
            )
            row = c.fetchone()
        return None if row is None else self._shown(dict(row))

    # --- the outbox -----------------------------------------------------------------

    def fill(self, due: float) -> int:
        """Copies alert events the views have folded since the cursor into deliveries
        for every matching subscription; returns how many deliveries."""
        ph = self.ph
        made = 0
        with self.store.transaction(commit=True) as c:
            c.execute(f"SELECT position FROM {CURSOR} WHERE id = 1")
            cursor = int(c.fetchone()["position"])
            upto = self.store.tracked(c)
            if upto <= cursor:
                return 0
            gens = self.store.generations(c)
            marks = ", ".join([ph] * len(ALERT_TYPES))
            c.execute(
                f"SELECT record FROM {docs_table('timeline', gens['timeline'])}"
                f" WHERE position > {ph} AND position <= {ph} AND type IN ({marks})"
                " ORDER BY position",
                [cursor, upto, *ALERT_TYPES],
            )
            records = [loads(r["record"]) for r in c.fetchall()]
            c.execute(f"SELECT * FROM {SUBSCRIPTIONS}")
            subs = [dict(r) for r in c.fetchall()]
            alerts = docs_table("alerts", gens["alerts"])
            for record in records:
                rule = record["data"].get("rule")
                if rule is None:
                    c.execute(
                        f"SELECT doc FROM {alerts} WHERE doc_key = {ph}",
                        [f"alert:{record['aggregate_id']}"],
                    )
                    found = c.fetchone()
                    rule = loads(found["doc"])["rule"] if found else None
                payload = json.dumps(_payload(record, rule), ensure_ascii=False)
                for sub in subs:
                    if not _matches(sub, rule, record.get("regions") or []):
                        continue
                    c.execute(
                        f"INSERT INTO {DELIVERIES} (subscription_id, event_id,"
                        " position, event_type, payload, status, due) VALUES"
                        f" ({ph}, {ph}, {ph}, {ph}, {ph}, 'pending', {ph})"
                        " ON CONFLICT (subscription_id, event_id) DO NOTHING",
                        [
                            sub["id"],
                            record["event_id"],
                            record["position"],
                            record["type"],
                            payload,
                            due,
                        ],
                    )
                    made += 1
            c.execute(f"UPDATE {CURSOR} SET position = {ph} WHERE id = 1", [upto])
        return made

    # --- sending --------------------------------------------------------------------

    def due(self, now: float, lease: float, limit: int = 20) -> list[dict[str, Any]]:
        """Deliveries due now to subscribers that are not paused, oldest first, each
        leased so that no other sender takes it meanwhile."""
        ph = self.ph
        with self.store.transaction(commit=True) as c:
            c.execute(
                f"SELECT d.id, d.subscription_id, d.event_id, d.position,"
                f" d.event_type, d.payload, d.attempts, d.due, s.url, s.secret"
                f" FROM {DELIVERIES} d JOIN {SUBSCRIPTIONS} s"
                f" ON s.id = d.subscription_id WHERE d.status = 'pending'"
                f" AND d.due <= {ph} AND s.paused_at IS NULL"
                f" ORDER BY d.position, d.id LIMIT {ph}",
                [now, limit],
            )
            rows = [dict(r) for r in c.fetchall()]
            taken = []
            for row in rows:
                c.execute(
                    f"UPDATE {DELIVERIES} SET due = {ph} WHERE id = {ph}"
                    f" AND due = {ph} AND status = 'pending' RETURNING id",
                    [now + lease, row["id"], row["due"]],
                )
                if c.fetchall():
                    taken.append(row)
        return taken

    def delivered(self, delivery: dict[str, Any], status: int) -> None:
        ph = self.ph
        with self.store.transaction(commit=True) as c:
            c.execute(
                f"UPDATE {DELIVERIES} SET status = 'delivered', attempts = attempts"
                f" + 1, last_status = {ph}, last_error = NULL, last_attempt_at = {ph},"
                f" delivered_at = {ph} WHERE id = {ph}",
                [status, _now(), _now(), delivery["id"]],
            )
            c.execute(
                f"UPDATE {SUBSCRIPTIONS} SET failures = 0 WHERE id = {ph}",
                [delivery["subscription_id"]],
            )

    def failed(
        self, delivery: dict[str, Any], status: int | None, error: str, retry_at: float
    ) -> None:
        """Notes a failed attempt; the subscriber is paused after PAUSE_AFTER in a
        row, and shown so."""
        ph = self.ph
        with self.store.transaction(commit=True) as c:
            c.execute(
                f"UPDATE {DELIVERIES} SET attempts = attempts + 1, last_status = {ph},"
                f" last_error = {ph}, last_attempt_at = {ph}, due = {ph}"
                f" WHERE id = {ph}",
                [status, error[:500], _now(), retry_at, delivery["id"]],
            )
            c.execute(
                f"UPDATE {SUBSCRIPTIONS} SET failures = failures + 1 WHERE id = {ph}",
                [delivery["subscription_id"]],
            )
            c.execute(
                f"UPDATE {SUBSCRIPTIONS} SET paused_at = {ph}, paused_reason = {ph}"
                f" WHERE id = {ph} AND failures >= {ph} AND paused_at IS NULL",
                [_now(), error[:500], delivery["subscription_id"], PAUSE_AFTER],
            )

    def log(
        self, subscription_id: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The delivery log, newest first."""
        ph = self.ph
        sql = (
            f"SELECT id, subscription_id, event_id, position, event_type, status,"
            f" attempts, last_status, last_error, last_attempt_at, delivered_at"
            f" FROM {DELIVERIES}"
        )
        params: list[Any] = []
        if subscription_id is not None:
            sql += f" WHERE subscription_id = {ph}"
            params.append(subscription_id)
        sql += f" ORDER BY id DESC LIMIT {ph}"
        with self.store.transaction(commit=False) as c:
            c.execute(sql, [*params, limit])
            return [{**dict(r), "delivery_id": r["id"]} for r in c.fetchall()]


def _payload(record: dict[str, Any], rule: str | None) -> dict[str, Any]:
    return {
        "type": record["type"],
        "event_id": record["event_id"],
        "position": record["position"],
        "alert_id": record["aggregate_id"],
        "rule": rule,
        "occurred_at": record["occurred_at"],
        "recorded_at": record["recorded_at"],
        "regions": record.get("regions") or [],
        "data": record["data"],
    }


def _matches(sub: dict[str, Any], rule: str | None, regions: list[Any]) -> bool:
    rules = [r for r in sub["rules"].split(",") if r]
    if rules and rule not in rules:
        return False
    if sub["province"] is None:
        return True
    return any(
        p == sub["province"] and (sub["regency"] is None or r == sub["regency"])
        for p, r in regions
    )
