"""Unit and Personnel: the police, military and civil teams that guard and patrol."""

from __future__ import annotations

from datetime import datetime
from typing import Any
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
    def register(cls, occurred_at: datetime, **raw: Any) -> Unit:
        province = raw.get("province")
        regency = raw.get("regency")
        return cls(
            unit_id=v.slug(raw.get("unit_id"), "unit_id"),
            name=v.text(raw.get("name"), "name", limit=200),
            kind=v.choice(raw.get("kind"), "kind", UNIT_KINDS),
            province=None if province is None else v.slug(province, "province"),
            regency=None if regency is None else v.slug(regency, "regency"),
            occurred_at=v.aware(occurred_at, "occurred_at"),
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
    def register(cls, occurred_at: datetime, **raw: Any) -> Personnel:
        return cls(
            personnel_id=v.slug(raw.get("personnel_id"), "personnel_id"),
            id_number=v.text(raw.get("id_number"), "id_number", limit=40),
            name=v.text(raw.get("name"), "name", limit=200),
            unit_id=v.slug(raw.get("unit_id"), "unit_id"),
            rank=v.text(raw.get("rank"), "rank", required=False, limit=100),
            position=v.text(raw.get("position"), "position", required=False, limit=200),
            occurred_at=v.aware(occurred_at, "occurred_at"),
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
