"""Neutrality of TNI/Polri: pledges (ops), concerns (field, ops, Bawaslu) and
Bawaslu's reviews of them."""

from __future__ import annotations

from typing import ClassVar

from application.commands.fields import (
    Attachments,
    Aware,
    ConcernRef,
    EvidenceRefs,
    Finding,
    Forward,
    Location,
    Name,
    OptionalLong,
    OptionalName,
    PersonRef,
    PlaceName,
    SiteRef,
    Slug,
    Text,
    UnitRef,
)
from application.commands.registry import Command, Decision
from application.unit_of_work import UnitOfWork, server_id
from domain.neutrality import NeutralityConcern, NeutralityPledge


class RecordPledge(Command):
    """A unit's or a person's pledge of neutrality for an election."""

    path: ClassVar[str] = "/neutrality/pledges"
    right: ClassVar[str] = "pledge.write"
    records: ClassVar[tuple[str, ...]] = ("NeutralityPledgeRecorded",)
    tag: ClassVar[str] = "neutrality"

    unit_id: UnitRef | None = None
    personnel_id: PersonRef | None = None
    election: Slug
    document_ref: Location
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        pledge = NeutralityPledge.record(
            self.election,
            self.document_ref,
            uow.field_time(self.occurred_at),
            unit_id=self.unit_id,
            personnel_id=self.personnel_id,
        )
        uow.require("unit", self.unit_id, "unit_id")
        uow.require("personnel", self.personnel_id, "personnel_id")
        return str(pledge.id), [pledge]


class ReportConcern(Command):
    """A concern that a unit or person was not neutral (UU 7/2017 art. 454)."""

    path: ClassVar[str] = "/neutrality/concerns"
    right: ClassVar[str] = "concern.write"
    records: ClassVar[tuple[str, ...]] = ("NeutralityConcernReported",)
    tag: ClassVar[str] = "neutrality"

    reported_unit_id: UnitRef | None = None
    reported_personnel_id: PersonRef | None = None
    place: PlaceName
    description: Text
    evidence_refs: EvidenceRefs | None = None
    reporter: Name
    site_id: SiteRef | None = None
    attachments: Attachments | None = None
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        concern = NeutralityConcern.report(
            self.reporter,
            self.place,
            self.description,
            uow.field_time(self.occurred_at),
            reported_unit_id=self.reported_unit_id,
            reported_personnel_id=self.reported_personnel_id,
            evidence_refs=self.evidence_refs,
            site_id=self.site_id,
            attachments=uow.attachments(self.attachments),
        )
        uow.require("unit", self.reported_unit_id, "reported_unit_id")
        uow.require("personnel", self.reported_personnel_id, "reported_personnel_id")
        if self.site_id is not None:
            uow.site(self.site_id, change=False)
        return str(concern.id), [concern]


class ReviewConcern(Command):
    """Bawaslu's finding on a concern, and where it was forwarded."""

    path: ClassVar[str] = "/neutrality/concerns/{concern_id}/reviews"
    right: ClassVar[str] = "review.write"
    records: ClassVar[tuple[str, ...]] = ("NeutralityReviewRecorded",)
    tag: ClassVar[str] = "neutrality"

    concern_id: ConcernRef
    finding: Finding
    recommendation: OptionalLong | None = None
    reference: OptionalName | None = None
    forwarded_to: Forward | None = None
    attachments: Attachments | None = None
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        concern = uow.get(
            NeutralityConcern,
            server_id(self.concern_id, "concern_id"),
            "concern_id",
            self.concern_id,
            change=True,
        )
        concern.review(
            self.finding,
            uow.field_time(self.occurred_at),
            recommendation=self.recommendation,
            reference=self.reference,
            forwarded_to=self.forwarded_to,
            attachments=uow.attachments(self.attachments),
        )
        return str(concern.id), [concern]
