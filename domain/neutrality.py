"""TNI/Polri neutrality: pledges, concerns under UU 7/2017, Bawaslu reviews."""

from __future__ import annotations

from collections.abc import Sequence
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
    def record(
        cls,
        election: str,
        document_ref: str,
        occurred_at: datetime,
        unit_id: str | None = None,
        personnel_id: str | None = None,
    ) -> NeutralityPledge:
        v.one_of("unit_id", unit_id, "personnel_id", personnel_id)
        return cls(
            unit_id=unit_id,
            personnel_id=personnel_id,
            election=election,
            document_ref=document_ref,
            occurred_at=occurred_at,
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
    def report(
        cls,
        reporter: str,
        place: str,
        description: str,
        occurred_at: datetime,
        reported_unit_id: str | None = None,
        reported_personnel_id: str | None = None,
        evidence_refs: Sequence[str] | None = None,
        site_id: str | None = None,
        attachments: Sequence[dict[str, Any]] | None = None,
    ) -> NeutralityConcern:
        v.one_of(
            "reported_unit_id",
            reported_unit_id,
            "reported_personnel_id",
            reported_personnel_id,
        )
        return cls(
            reported_unit_id=reported_unit_id,
            reported_personnel_id=reported_personnel_id,
            reporter=reporter,
            place=place,
            description=description,
            evidence_refs=list(evidence_refs or []),
            site_id=site_id,
            occurred_at=occurred_at,
            attachments=list(attachments or []),
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
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        self.reported_unit_id = reported_unit_id
        self.reported_personnel_id = reported_personnel_id
        self.reviewed = False

    def review(
        self,
        finding: str,
        occurred_at: datetime,
        recommendation: str | None = None,
        reference: str | None = None,
        forwarded_to: str | None = None,
        attachments: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        if self.reviewed:
            raise ConcernAlreadyReviewed(
                "Bawaslu already recorded a finding; correct it with a correction"
            )
        self._reviewed(
            finding,
            recommendation or "",
            reference or "",
            forwarded_to,
            occurred_at,
            list(attachments or []),
        )

    @event("NeutralityReviewRecorded")
    def _reviewed(
        self,
        finding: str,
        recommendation: str,
        reference: str,
        forwarded_to: str | None,
        occurred_at: datetime,
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        self.reviewed = True
