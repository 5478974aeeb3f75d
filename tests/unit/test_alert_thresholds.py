"""Alert thresholds: a default, regions overriding it, stage and level tightening."""

from __future__ import annotations

import pytest

from application.alerts.thresholds import Limits, Thresholds


def test_the_nearest_region_wins_and_unnamed_limits_are_the_defaults() -> None:
    t = Thresholds.parse(
        "incident_minutes=20;jawa-timur:incident_minutes=10;"
        "jawa-timur/kab-jember:backup_minutes=12"
    )
    assert t.at(None, None) == Limits(20, 30)
    assert t.at("jawa-timur", "kab-malang") == Limits(10, 30)
    assert t.at("jawa-timur", "kab-jember") == Limits(20, 12)
    assert t.at("bali", "denpasar") == Limits(20, 30)


def test_voting_and_a_high_alert_level_halve_the_limits() -> None:
    limits = Limits(16, 32)
    assert limits.tightened("campaign", "normal") == Limits(16, 32)
    assert limits.tightened("voting", "normal") == Limits(8, 16)
    assert limits.tightened("voting", "awas") == Limits(4, 8)


@pytest.mark.parametrize(
    "text", ["incident=5", "incident_minutes=x", "incident_minutes=0", "Bad:x=1"]
)
def test_bad_thresholds_are_refused_naming_the_setting(text: str) -> None:
    with pytest.raises(ValueError, match="JAGA_ALERT_THRESHOLDS"):
        Thresholds.parse(text)
