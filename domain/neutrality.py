"""TNI/Polri neutrality: pledges, concerns under UU 7/2017, Bawaslu reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import values as v
from domain.errors import Conflict

FINDINGS = ("violation", "no_violation", "insufficient_evidence")
FORWARDS = ("propam", "pom", "dkpp", "kasn", "police", "none")


class ConcernAlreadyReviewed(Conflict):
    """Bawaslu recorded its finding on this concern before."""


class NeutralityPledge(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(cls, occurred_at: datetime, **raw: Any) -> NeutralityPledge:
        unit_id, personnel_id = raw.get("unit_id"), raw.get("personnel_id")
        v.one_of("unit_id", unit_id, "personnel_id", personnel_id)
        return cls(
            unit_id=None if unit_id is None else v.slug(unit_id, "unit_id"),
            personnel_id=None
            if personnel_id is None
            else v.slug(personnel_id, "personnel_id"),
            election=v.slug(raw.get("election"), "election"),
            document_ref=v.text(raw.get("document_ref"), "document_ref", limit=300),
            occurred_at=v.aware(occurred_at, "occurred_at"),
        )

    @event("NeutralityPledgeRecorded")
    def __init__(
        self,
        unit_id: str | None,
        personnel_id: str | None,
        election: str,
        document_ref: str,
        occurred_at: datetime,
    ) -> None:
        self.unit_id = unit_id
        self.personnel_id = personnel_id


class NeutralityConcern(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def report(cls, occurred_at: datetime, **raw: Any) -> NeutralityConcern:
        unit_id = raw.get("reported_unit_id")
        personnel_id = raw.get("reported_personnel_id")
        v.one_of("reported_unit_id", unit_id, "reported_personnel_id", personnel_id)
        return cls(
            reported_unit_id=None
            if unit_id is None
            else v.slug(unit_id, "reported_unit_id"),
            reported_personnel_id=(
                None
                if personnel_id is None
                else v.slug(personnel_id, "reported_personnel_id")
            ),
            reporter=v.text(raw.get("reporter"), "reporter", limit=200),
            place=v.text(raw.get("place"), "place", limit=500),
            description=v.text(raw.get("description"), "description"),
            evidence_refs=v.texts(raw.get("evidence_refs"), "evidence_refs", limit=500),
            site_id=None
            if raw.get("site_id") is None
            else v.slug(raw["site_id"], "site_id"),
            occurred_at=v.aware(occurred_at, "occurred_at"),
        )

    @event("NeutralityConcernReported")
    def __init__(
        self,
        reported_unit_id: str | None,
        reported_personnel_id: str | None,
        reporter: str,
        place: str,
        description: str,
        evidence_refs: list[str],
        site_id: str | None,
        occurred_at: datetime,
    ) -> None:
        self.reported_unit_id = reported_unit_id
        self.reported_personnel_id = reported_personnel_id
        self.reviewed = False

    def review(self, occurred_at: datetime, **raw: Any) -> None:
        finding = v.choice(raw.get("finding"), "finding", FINDINGS)
        recommendation = v.text(
            raw.get("recommendation"), "recommendation", required=False, limit=5000
        )
        reference = v.text(raw.get("reference"), "reference", required=False, limit=200)
        forwarded = raw.get("forwarded_to")
        forwarded_to = (
            None if forwarded is None else v.choice(forwarded, "forwarded_to", FORWARDS)
        )
        when = v.aware(occurred_at, "occurred_at")
        if self.reviewed:
            raise ConcernAlreadyReviewed(
                "Bawaslu already recorded a finding; correct it with a correction"
            )
        self._reviewed(finding, recommendation, reference, forwarded_to, when)

    @event("NeutralityReviewRecorded")
    def _reviewed(
        self,
        finding: str,
        recommendation: str,
        reference: str,
        forwarded_to: str | None,
        occurred_at: datetime,
    ) -> None:
        self.reviewed = True
