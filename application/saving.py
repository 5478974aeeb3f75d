"""Saving what commands decided: the write prepared before the store's lock, the
store's outcome, and the answer the caller gets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, StoredEvent

from application.aggregates import Aggregates
from application.calendar import ElectionCalendar
from application.commit import Committer
from application.errors import CommandConflict, IdempotencyKeyReused, WriteNotStored
from application.leaves import LEAF_FORMAT, leaf_bytes, leaf_hash, new_salts
from application.records import event_record
from application.writes import (
    Appended,
    Context,
    EarlierAnswer,
    Expectation,
    Idempotency,
    PreparedWrite,
)
from domain.errors import DomainError, InvalidValue


def reused(key: str) -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "this Idempotency-Key was used before with a different request",
        idempotency_key=key,
    )


class Saving:
    """The write path's part of the application (mixed into Jaga)."""

    calendar: ElectionCalendar
    committer: Committer
    late_after: timedelta
    log: Any
    mapper: Mapper[UUID]
    aggregates: Aggregates

    def prepare(
        self,
        ctx: Context,
        answer_id: str,
        aggregates: Sequence[Aggregate],
        idempotency: Idempotency | None,
        reads: Sequence[Expectation] = (),
        needs: Sequence[str] = (),
    ) -> PreparedWrite:
        """The write of what a command decided, with everything the store needs
        computed here, before its lock: stored events, leaves, expectations."""
        stored: list[StoredEvent] = []
        event_ids: list[str] = []
        types: list[str] = []
        times: list[str] = []
        leaves: list[bytes] = []
        expects: dict[UUID, int] = dict(reads)
        recorded_at = ctx.clock() if ctx.clock is not None else None
        for aggregate in aggregates:
            pending = aggregate.collect_events()
            if pending:
                expects[aggregate.id] = pending[0].originator_version - 1
            for event in pending:
                if recorded_at is not None:
                    event = replace(event, timestamp=recorded_at)  # type: ignore[type-var]
                envelope = self._envelope(ctx, event)
                s = self.mapper.stored_with(event, envelope)  # type: ignore[attr-defined]
                record = event_record(
                    s.topic, s.originator_id, s.originator_version, s.state
                )
                try:
                    leaf = leaf_bytes(record)
                except ValueError as error:
                    raise InvalidValue("body", f"cannot be recorded: {error}") from None
                stored.append(s)
                event_ids.append(record["event_id"])
                types.append(record["type"])
                times.append(record["recorded_at"])
                leaves.append(leaf_hash(leaf))
        if not stored:
            raise CommandConflict("the command changed nothing")
        return PreparedWrite(
            answer_id,
            tuple(stored),
            tuple(event_ids),
            tuple(types),
            tuple(times),
            tuple(leaves),
            tuple(expects.items()),
            idempotency,
            tuple(needs),
        )

    def _envelope(self, ctx: Context, event: Any) -> dict[str, Any]:
        occurred_at: datetime = getattr(event, "occurred_at", None) or event.timestamp
        election, stage = self.calendar.tag(occurred_at)
        return {
            "event_id": str(uuid4()),
            "actor": ctx.actor.as_dict(),
            "client_id": ctx.client_id,
            "idempotency_key": ctx.idempotency_key,
            "correlation_id": ctx.correlation_id,
            "election": election,
            "stage": stage,
            "late": event.timestamp - occurred_at > self.late_after,
            "leaf": LEAF_FORMAT,
            "salts": new_salts(vars(event)),
        }

    def store_writes(self, writes: Sequence[PreparedWrite]) -> list[Appended]:
        """What the store did with each write; a store that fails answers 503."""
        try:
            return self.committer.submit(writes).result()
        except DomainError:
            raise
        except Exception as error:
            raise WriteNotStored(error) from error

    def answer(self, write: PreparedWrite, result: Appended) -> dict[str, Any] | None:
        """The caller's answer, or None when the write must be decided again."""
        if result.status in ("stored", "stored_before"):
            assert result.first_position is not None
            return write.answer(result.first_position)
        if result.status == "key_taken":
            assert write.idempotency is not None and result.earlier_answer is not None
            if result.earlier_fingerprint != write.idempotency.fingerprint:
                raise reused(write.idempotency.key)
            return EarlierAnswer(result.earlier_answer)
        return None

    def forget(self, write: PreparedWrite) -> None:
        """Drops what a write that met a changed record was decided on, so it is
        read again from the store."""
        self.aggregates.drop(aggregate_id for aggregate_id, _ in write.expects)

    def replay(self, idempotency: Idempotency) -> dict[str, Any] | None:
        found = self.log.find_answer(idempotency.scope, idempotency.key)
        if found is None:
            return None
        earlier_fp, answer = found
        if earlier_fp != idempotency.fingerprint:
            raise reused(idempotency.key)
        return EarlierAnswer(answer)
