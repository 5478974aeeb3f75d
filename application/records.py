"""The event record: one stored event as the log, exports and audits see it.

A record holds everything that was stored about the event, so its canonical bytes
(sorted-key compact UTF-8 JSON) are what the Merkle log hashes: a field left outside
could be changed unseen.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

ENVELOPE_KEYS = (
    "event_id",
    "late",
    "actor",
    "client_id",
    "idempotency_key",
    "correlation_id",
    "election",
    "stage",
)


def _plain_object(obj: dict[str, Any]) -> Any:
    # The library stores ids, times and decimals as {"_type_", "_data_"} objects;
    # records want their text form, which is what "_data_" holds (ids as hex).
    if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
        kind, data = obj["_type_"], obj["_data_"]
        if kind == "uuid_hex":
            return str(UUID(data))
        if kind in ("datetime_iso", "decimal_str"):
            return data
        raise ValueError(f"stored value of unknown type {kind!r}")
    return obj


_PLAIN = json.JSONDecoder(object_hook=_plain_object)


def decode_state(state: bytes) -> dict[str, Any]:
    """A stored event's fields in their JSON-ready form, without building objects."""
    fields: dict[str, Any] = _PLAIN.decode(state.decode("utf-8"))
    return fields


def plain(value: Any) -> Any:
    """JSON-ready form of a decoded value: times as ISO 8601, ids as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def event_type(topic: str) -> str:
    """`domain.site:Site.AlertLevelChanged` -> `AlertLevelChanged`."""
    return topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]


def event_record(
    topic: str,
    aggregate_id: UUID | str,
    version: int,
    state: bytes,
    position: int | None = None,
) -> dict[str, Any]:
    """The record of a stored event; `position` is added once the log assigns it."""
    fields = decode_state(state)
    meta = fields.pop("meta", None) or {}
    recorded_at = fields.pop("timestamp", None)
    occurred_at = fields.pop("occurred_at", None)
    aggregate_topic = fields.pop("originator_topic", None)
    record: dict[str, Any] = {
        "position": position,
        "type": event_type(topic),
        "topic": topic,
        "aggregate_id": str(aggregate_id),
        "aggregate_version": version,
        "aggregate_topic": aggregate_topic,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "data": fields,
    }
    for key in ENVELOPE_KEYS:
        record[key] = meta.get(key)
    extra = {k: v for k, v in meta.items() if k not in ENVELOPE_KEYS}
    if extra:
        record["meta"] = extra
    return record


def canonical_bytes(record: dict[str, Any]) -> bytes:
    """The bytes a Merkle leaf hashes: UTF-8 JSON, keys sorted at every level, `,`
    and `:` without spaces, non-ASCII unescaped, NaN and infinity refused."""
    return json.dumps(
        record,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")
