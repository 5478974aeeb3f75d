"""Unit and Personnel: the police, military and civil teams that guard and patrol."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import values as v

UNIT_KINDS = (
    "polri",
    "tni",
    "satpol_pp",
    "dishub",
    "linmas",
    "kpu",
    "bawaslu",
    "other",
)


class Unit(Aggregate):
    @staticmethod
    def create_id(unit_id: str) -> UUID:
        return v.named_id("unit", unit_id)

    @classmethod
    def register(
        cls,
        unit_id: str,
        name: str,
        kind: str,
        occurred_at: datetime,
        province: str | None = None,
        regency: str | None = None,
    ) -> Unit:
        return cls(
            unit_id=unit_id,
            name=name,
            kind=kind,
            province=province,
            regency=regency,
            occurred_at=occurred_at,
        )

    @event("UnitRegistered")
    def __init__(
        self,
        unit_id: str,
        name: str,
        kind: str,
        province: str | None,
        regency: str | None,
        occurred_at: datetime,
    ) -> None:
        self.unit_id = unit_id
        self.name = name
        self.kind = kind
        self.province = province
        self.regency = regency


class Personnel(Aggregate):
    @staticmethod
    def create_id(personnel_id: str) -> UUID:
        return v.named_id("personnel", personnel_id)

    @classmethod
    def register(
        cls,
        personnel_id: str,
        id_number: str,
        name: str,
        unit_id: str,
        occurred_at: datetime,
        rank: str | None = None,
        position: str | None = None,
    ) -> Personnel:
        return cls(
            personnel_id=personnel_id,
            id_number=id_number,
            name=name,
            unit_id=unit_id,
            rank=rank or "",
            position=position or "",
            occurred_at=occurred_at,
        )

    @event("PersonnelRegistered")
    def __init__(
        self,
        personnel_id: str,
        id_number: str,
        name: str,
        unit_id: str,
        rank: str,
        position: str,
        occurred_at: datetime,
    ) -> None:
        self.personnel_id = personnel_id
        self.name = name
        self.unit_id = unit_id
