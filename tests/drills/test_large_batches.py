"""Batches as large as the limits allow, through the real server: each answers in
seconds, every item with its own answer, while other writes go on beside it; a
batch past the limits is refused whole; the log verifies afterwards."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.drills.conftest import Served
from tests.drills.harness import Sent, account, bearer, client, counts, post, recently
from tests.drills.scenario import guarded_site

pytestmark = pytest.mark.drill

# The documented limits: 1000 commands, 10 MiB a batch, 10,000 characters a text;
# 1000 commands with a 9,900-character text each fit inside them.
DESCRIPTION = "Massa berkumpul di depan gudang logistik KPU. " * 215  # 9,890 chars
ANSWER_WITHIN = 60.0  # seconds, on a shared 2-core machine under test load


def incidents(site_id: str, n: int, tag: str, **more: Any) -> list[dict[str, Any]]:
    return [
        {
            "idempotency_key": f"{tag}-{i}",
            "method": "POST",
            "path": "/api/v1/incidents",
            "body": {
                "category": "suspicious_activity",
                "severity": 2,
                "description": DESCRIPTION[: 9_900 - len(str(i))] + str(i),
                "site_id": site_id,
                "occurred_at": recently(),
                **more,
            },
        }
        for i in range(n)
    ]


async def _batch_beside_single_writes(
    served: Served, site: dict[str, Any], items: list[dict[str, Any]], name: str
) -> tuple[httpx.Response, list[Sent], float]:
    tally = counts(name)
    singles = [
        Sent(
            f"/api/v1/sites/{site['site_id']}/check-ins",
            {"personnel_id": p, "method": "qr", "occurred_at": recently()},
        )
        for p in site["personnel"][:8]
    ]
    async with client(served.base_url, served.keys["field"], timeout=120) as c:
        started = time.monotonic()
        batch = asyncio.create_task(
            c.post("/api/v1/batch", json={"commands": items}, timeout=120)
        )
        await asyncio.sleep(0.05)
        await asyncio.gather(*(post(c, s, tally) for s in singles))
        reply = await batch
        seconds = time.monotonic() - started
    tally.add_status(reply.status_code)
    tally.seconds += seconds
    return reply, singles, seconds


@pytest.mark.parametrize("n", [650, 1000])
def test_a_batch_up_to_the_limits_answers_in_seconds_and_stalls_no_writer(
    served: Served, n: int
) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=8)
    items = incidents(site["site_id"], n, f"big-{n}-{site['site_id']}")
    name = f"batch of {n} x 9,900 chars [{served.store}]"
    reply, singles, seconds = asyncio.run(
        _batch_beside_single_writes(served, site, items, name)
    )
    assert reply.status_code == 200, reply.text[:300]
    assert seconds < ANSWER_WITHIN
    statuses = [r["status"] for r in reply.json()["results"]]
    assert statuses == [201] * n
    assert {s.status for s in singles} == {201}
    tally = counts(name)
    sent = [Sent(i["path"], i["body"], key=i["idempotency_key"]) for i in items]
    for s, r in zip(sent, reply.json()["results"], strict=True):
        s.status, s.answer = r["status"], r["body"]
    account(served.url, sent + singles, tally)
    assert (tally.lost, tally.duplicated, tally.server_errors) == (0, 0, 0)
    with httpx.Client(base_url=served.base_url, timeout=120) as c:
        verified = c.post(
            "/api/v1/audit/verify", headers=bearer(served.keys["auditor"])
        )
    assert verified.json()["ok"] is True, verified.text


def test_a_batch_past_the_limits_is_refused_whole(served: Served) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=1)
    with httpx.Client(base_url=served.base_url, timeout=60) as c:
        auth = bearer(served.keys["field"])
        too_many = c.post(
            "/api/v1/batch",
            json={"commands": incidents(site["site_id"], 1001, "many")},
            headers=auth,
        )
        # Every text at its own limit: past the 10 MiB a batch may carry.
        longest = {"location": "x" * 500, "reporter": "y" * 200}
        too_big = c.post(
            "/api/v1/batch",
            json={"commands": incidents(site["site_id"], 1000, "big", **longest)},
            headers=auth,
        )
    assert too_many.status_code in (413, 422), too_many.text[:300]
    assert too_big.status_code == 413, too_big.text[:300]
