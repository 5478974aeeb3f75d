"""Reports built from the log at a stated position and signed checkpoint, so anyone
with an export bundle from position 1 can build the same report and check it.

A report is an envelope: what was asked (`kind`, `parameters`, `audience`), the
log `position` it was built at, the Merkle root of the tree of that size, the
latest signed checkpoint and a consistency proof from that size to it, the
report's `body`, and `digest`: SHA-256 of the canonical JSON of everything but the
checkpoint and proof (which change as the log grows; the body does not).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from application.projections.common import Record
from application.records import canonical_bytes
from application.reports.daily import daily_site
from application.reports.redact import (
    daily_for_bawaslu,
    review_for_bawaslu,
    unit_for_bawaslu,
)
from application.reports.review import MAX_DAYS, review
from application.reports.source import MemorySource, Source
from application.reports.unit import daily_unit
from domain.errors import InvalidValue
from infrastructure.audit.bundle_verify import verify_bundle_bytes
from infrastructure.audit.checkpoint import checkpoint_from_json, verify_checkpoint
from infrastructure.audit.merkle import (
    consistency_proof,
    leaf_hash,
    root,
    root_of_leaves,
    verify_consistency,
)
from infrastructure.views import tables
from infrastructure.views.store import ViewStore
from infrastructure.views.tables import loads

FORMAT = "jaga-report"
VERSION = 1
AUDIENCES = ("full", "bawaslu")
Builder = Callable[[Source, dict[str, Any]], dict[str, Any]]


class ViewSource:
    """Enriched records from the timeline view, at positions up to `position`."""

    def __init__(self, store: ViewStore, position: int) -> None:
        self.store = store
        self._position = position

    @property
    def position(self) -> int:
        return self._position

    def about(
        self, subjects: Sequence[str], types: Sequence[str] | None = None
    ) -> list[Record]:
        ph = self.store.ph
        exact = [s for s in subjects if not s.endswith("/%")]
        prefixes = [s for s in subjects if s.endswith("/%")]
        ors = []
        params: list[Any] = []
        if exact:
            ors.append(f"subject IN ({','.join([ph] * len(exact))})")
            params += exact
        for prefix in prefixes:
            ors.append(f"(subject >= {ph} AND subject < {ph})")
            stem = prefix[:-1]
            params += [stem, stem[:-1] + chr(ord(stem[-1]) + 1)]
        if not ors:
            return []
        params.append(self._position)
        kinds = ""
        if types is not None:
            kinds = f" AND t.type IN ({','.join([ph] * len(types))})"
            params += list(types)
        with self.store.transaction(commit=False) as c:
            generation = self.store.generations(c)["timeline"]
            timeline = tables.docs_table("timeline", generation)
            index = tables.subjects_table(generation)
            c.execute(
                f"SELECT t.record FROM {timeline} t WHERE t.position IN"
                f" (SELECT position FROM {index} WHERE {' OR '.join(ors)})"
                f" AND t.position <= {ph}{kinds} ORDER BY t.position",
                params,
            )
            return [loads(r["record"]) for r in c.fetchall()]


def _day(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidValue(field, "must be a date, e.g. 2024-11-27") from None


def _daily(source: Source, p: dict[str, Any]) -> dict[str, Any]:
    return daily_site(source, p["site_id"], _day(p["date"], "date"))


def _unit(source: Source, p: dict[str, Any]) -> dict[str, Any]:
    return daily_unit(source, p["unit_id"], _day(p["date"], "date"))


def _review(source: Source, p: dict[str, Any]) -> dict[str, Any]:
    first, last = _day(p["from"], "from"), _day(p["to"], "to")
    if last < first or (last - first).days > MAX_DAYS:
        raise InvalidValue(
            "to", f"must be on or after from, at most {MAX_DAYS} days on"
        )
    return review(source, p["province"], p.get("regency"), first, last)


BUILDERS: dict[str, tuple[Builder, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "daily": (_daily, daily_for_bawaslu),
    "unit": (_unit, unit_for_bawaslu),
    "review": (_review, review_for_bawaslu),
}


def body_of(
    kind: str, parameters: dict[str, Any], source: Source, audience: str
) -> dict[str, Any]:
    if kind not in BUILDERS:
        raise InvalidValue("kind", f"must be one of {', '.join(BUILDERS)}")
    if audience not in AUDIENCES:
        raise InvalidValue("audience", f"must be one of {', '.join(AUDIENCES)}")
    build, for_bawaslu = BUILDERS[kind]
    body = build(source, parameters)
    return for_bawaslu(body) if audience == "bawaslu" else body


DIGESTED = (
    "format",
    "version",
    "kind",
    "parameters",
    "audience",
    "position",
    "root_hash",
)


def digest(envelope: dict[str, Any]) -> str:
    kept = {k: envelope[k] for k in (*DIGESTED, "body")}
    return hashlib.sha256(canonical_bytes(kept)).hexdigest()


def build(
    store: ViewStore,
    audit: Any,
    kind: str,
    parameters: dict[str, Any],
    audience: str = "full",
    position: int | None = None,
) -> dict[str, Any]:
    """The report at `position` (default: as far as the views have reached)."""
    reached = store.position()
    at = reached if position is None else position
    if not 0 < at <= reached:
        raise InvalidValue("position", f"must be 1 to {reached}, where the views are")
    cp = audit.latest_checkpoint(issue=True)
    recorder = audit.recorder
    envelope: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "parameters": parameters,
        "audience": audience,
        "position": at,
        "root_hash": root(at, recorder).hex(),
        "body": body_of(kind, parameters, ViewSource(store, at), audience),
    }
    envelope["digest"] = digest(envelope)
    envelope["checkpoint"] = cp.to_json()
    envelope["consistency_proof"] = [
        h.hex() for h in consistency_proof(at, cp.tree_size, recorder)
    ]
    return envelope


def check(envelope: dict[str, Any], bundle: bytes) -> list[str]:
    """Rebuilds a report from a bundle that starts at position 1 and checks it
    against the envelope; the problems found (none: the report is the log's)."""
    result = verify_bundle_bytes(bundle)
    if not result.ok:
        return [f"the bundle does not verify: {result.reason}"]
    at = int(envelope.get("position") or 0)
    if result.from_position != 1 or (result.to_position or 0) < at:
        return [f"the bundle must hold positions 1..{at} at least"]
    records: list[Record] = []
    leaves: list[bytes] = []
    for line in bundle.splitlines():
        obj = json.loads(line)
        if obj.get("kind") == "event" and obj["position"] <= at:
            records.append(obj["record"])
            leaves.append(leaf_hash(base64.b64decode(obj["canonical"])))
    problems = []
    if root_of_leaves(leaves).hex() != envelope.get("root_hash"):
        problems.append(f"the log up to position {at} has another root hash")
    cp = checkpoint_from_json(envelope["checkpoint"])
    proof = [bytes.fromhex(h) for h in envelope.get("consistency_proof", [])]
    if not verify_checkpoint(cp):
        problems.append("the checkpoint's signature does not verify")
    elif not verify_consistency(
        at, cp.tree_size, bytes.fromhex(envelope["root_hash"]), cp.root_hash, proof
    ):
        problems.append("the root at the position is not in the signed checkpoint")
    try:
        body = body_of(
            envelope["kind"],
            envelope["parameters"],
            MemorySource(records, at),
            envelope["audience"],
        )
    except (KeyError, TypeError, ValueError):
        if any(r.get("commitments") for r in records):
            # What a covert site's report counts (its guards) is withheld here.
            return [
                *problems,
                "the report cannot be rebuilt from this bundle: it withholds "
                "values the report was built from; check it against a full bundle",
            ]
        raise
    rebuilt = {**{k: envelope[k] for k in DIGESTED}, "body": body}
    if digest(rebuilt) != envelope.get("digest"):
        problems.append("the report differs from the one the log builds")
    if digest(envelope) != envelope.get("digest"):
        problems.append("the report's body does not match its digest")
    return problems
