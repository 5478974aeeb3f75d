"""How long an incident may wait for acknowledgement or backup before an alert: a
default, and overrides per province or regency (the nearest wins)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
NAMES = ("incident_minutes", "backup_minutes")
# The stages in which every limit is halved, as the board halves its intervals.
TIGHT_STAGES = ("quiet_period", "voting")
# Site alert levels at which an incident's limits are halved too.
TIGHT_LEVELS = ("siaga", "awas")


@dataclass(frozen=True)
class Limits:
    incident_minutes: float = 15
    backup_minutes: float = 30

    def tightened(self, stage: str | None, level: str | None) -> Limits:
        factor = 1.0
        if stage in TIGHT_STAGES:
            factor /= 2
        if level in TIGHT_LEVELS:
            factor /= 2
        return Limits(self.incident_minutes * factor, self.backup_minutes * factor)


@dataclass(frozen=True)
class Thresholds:
    default: Limits = field(default_factory=Limits)
    # "province" or "province/regency" -> the limits there
    regions: Mapping[str, Limits] = field(default_factory=dict)

    def at(self, province: str | None, regency: str | None) -> Limits:
        if province and regency and f"{province}/{regency}" in self.regions:
            return self.regions[f"{province}/{regency}"]
        if province and province in self.regions:
            return self.regions[province]
        return self.default

    @classmethod
    def parse(cls, text: str) -> Thresholds:
        """`incident_minutes=15,backup_minutes=30;jawa-timur:incident_minutes=10;
        jawa-timur/kab-jember:backup_minutes=20`: the default first (it may be left
        out), then regions; a region's unnamed limits are the default's."""
        default: dict[str, float] = {}
        regions: dict[str, dict[str, float]] = {}
        for part in (p.strip() for p in text.split(";")):
            if not part:
                continue
            where, colon, pairs = part.rpartition(":")
            if not colon:
                default.update(_pairs(pairs))
                continue
            province, sep, regency = where.strip().partition("/")
            region = _slug(province)
            if sep:
                region += "/" + _slug(regency)
            regions[region] = _pairs(pairs)
        base = Limits(**default)
        return cls(base, {r: replace(base, **v) for r, v in regions.items()})


def _pairs(text: str) -> dict[str, float]:
    given: dict[str, float] = {}
    for pair in (p.strip() for p in text.split(",")):
        name, eq, value = pair.partition("=")
        name = name.strip()
        if not eq or name not in NAMES:
            raise ValueError(
                f"JAGA_ALERT_THRESHOLDS: expected NAME=MINUTES, NAME one of {NAMES}"
            )
        try:
            minutes = float(value)
        except ValueError:
            raise ValueError(f"JAGA_ALERT_THRESHOLDS: {name} is not a number") from None
        if not 0 < minutes <= 7 * 24 * 60:
            raise ValueError(f"JAGA_ALERT_THRESHOLDS: {name} is not in (0, 10080]")
        given[name] = minutes
    return given


def _slug(text: str) -> str:
    if not SLUG.match(text.strip()):
        raise ValueError(f"JAGA_ALERT_THRESHOLDS: {text!r} is not a region slug")
    return text.strip()
