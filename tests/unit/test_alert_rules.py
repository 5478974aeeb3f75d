"""The alert rules on view documents: a document with a value the views did not
expect is judged as the board judges it, and one that cannot be judged at all is
named while every other is judged still."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.alerts.rules import judge_all
from application.alerts.thresholds import Thresholds
from application.projections import board

T0 = datetime(2024, 1, 3, 0, 0, tzinfo=UTC)


def site(site_id: str, required: int) -> dict:
    doc = board.apply(
        None,
        {
            "type": "SiteRegistered",
            "occurred_at": T0.isoformat(),
            "data": {
                "site_id": site_id,
                "kind": "kpu_office",
                "name": site_id,
                "province": "jawa-timur",
                "regency": "kab-jember",
                "timezone": "WIB",
                "required_guards": required,
            },
        },
        f"site:{site_id}",
    )
    assert doc is not None
    return doc


def test_a_bad_value_is_put_aside_and_a_broken_document_does_not_stop_the_others() -> (
    None
):
    bad_level = {**site("odd-level", 4), "alert_level": "bogus"}
    broken = {**site("broken", 4), "assignments": None}
    fine = site("fine", 4)
    unjudged: list[str] = []
    found = judge_all(
        [bad_level, broken, fine],
        [
            {
                "incident_id": "x",
                "site_id": "fine",
                "state": "reported",
                "severity": "three",  # not a severity: put aside, never an alert
                "category": "riot",
                "description": "?",
                "reported_at": (T0 - timedelta(hours=1)).isoformat(),
                "regions": [["jawa-timur", "kab-jember"]],
            }
        ],
        [],
        T0 + timedelta(minutes=1),
        None,
        Thresholds(),
        unjudged,
    )
    assert ("site_red", "site:fine") in found
    assert ("site_red", "site:odd-level") in found
    assert unjudged == ["site:broken"]
    assert not [key for key in found if key[1] == "incident:x"]
