"""Races through the real server: many clients at once on one shift or one site."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.drills.conftest import Served
from tests.drills.harness import (
    Sent,
    account,
    client,
    counts,
    log_by_key,
    post,
    recently,
)
from tests.drills.scenario import guarded_site

pytestmark = pytest.mark.drill


async def _all_at_once(served: Served, writes: list[Sent], tally_name: str) -> None:
    tally = counts(tally_name)
    started = time.monotonic()
    async with client(
        served.base_url, served.keys["field"], connections=len(writes)
    ) as c:
        await asyncio.gather(*(post(c, w, tally) for w in writes))
    tally.seconds += time.monotonic() - started


def test_twenty_handovers_of_one_shift_one_wins_the_rest_conflict(
    served: Served,
) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=22)
    crew = site["personnel"]
    first = Sent(
        f"/api/v1/sites/{site['site_id']}/shifts",
        {
            "unit_id": site["unit_id"],
            "commander_id": crew[0],
            "roster": crew[:2],
            "occurred_at": recently(10),
        },
    )
    name = f"race: 20 handovers of one shift [{served.store}]"
    asyncio.run(_all_at_once(served, [first], name))
    assert first.status == 201, first.answer
    shift_id = first.answer["id"]
    handovers = [
        Sent(
            f"/api/v1/sites/{site['site_id']}/shifts/{shift_id}/handover",
            {
                "incoming_commander_id": p,
                "incoming_roster": [p],
                "observations": "segel gudang utuh",
                "seals_intact": True,
                "occurred_at": recently(1),
            },
        )
        for p in crew[2:]
    ]
    asyncio.run(_all_at_once(served, handovers, name))
    statuses = sorted(h.status or 0 for h in handovers)
    assert statuses == [201] + [409] * 19, statuses
    tally = counts(name)
    account(served.url, [first, *handovers], tally)
    assert (tally.lost, tally.duplicated, tally.server_errors) == (0, 0, 0)
    # Never two teams on duty: the log holds one handover of the shift.
    requests, _, _, _ = log_by_key(served.url)
    assert sum(1 for h in handovers if requests.get(h.key)) == 1


def test_two_hundred_check_ins_at_one_site_all_succeed(served: Served) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=200)
    check_ins = [
        Sent(
            f"/api/v1/sites/{site['site_id']}/check-ins",
            {"personnel_id": p, "method": "qr", "occurred_at": recently(2)},
        )
        for p in site["personnel"]
    ]
    name = f"race: 200 check-ins at one site [{served.store}]"
    asyncio.run(_all_at_once(served, check_ins, name))
    statuses = [c.status for c in check_ins]
    assert statuses == [201] * 200, sorted(set(map(str, statuses)))
    tally = counts(name)
    account(served.url, check_ins, tally)
    assert (tally.acknowledged, tally.found) == (200, 200)
    assert (tally.lost, tally.duplicated, tally.server_errors) == (0, 0, 0)
    positions = sorted(c.answer["position"] for c in check_ins)
    assert len(set(positions)) == 200
