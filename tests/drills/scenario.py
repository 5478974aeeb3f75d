"""A guarded site for the drills, registered over HTTP in one batch: Polres Jember,
its personnel and the KPU office they guard."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

PROVINCE, REGENCY = "jawa-timur", "kab-jember"


def guarded_site(
    base_url: str, secret: str, people: int, site_id: str | None = None
) -> dict[str, Any]:
    """Registers a unit, `people` personnel and a site; their ids."""
    tag = uuid.uuid4().hex[:8]
    site_id = site_id or f"kpu-kab-jember-{tag}"
    unit_id = f"polres-jember-{tag}"
    personnel = [f"jbr-{tag}-{i:03d}" for i in range(people)]
    commands: list[dict[str, Any]] = [
        {
            "path": "/api/v1/units",
            "body": {
                "unit_id": unit_id,
                "name": "Polres Jember",
                "kind": "polri",
                "province": PROVINCE,
                "regency": REGENCY,
            },
        },
        {
            "path": "/api/v1/sites",
            "body": {
                "site_id": site_id,
                "kind": "kpu_office",
                "name": "Kantor KPU Kabupaten Jember",
                "province": PROVINCE,
                "regency": REGENCY,
                "address": "Jl. Imam Bonjol No.129",
                "required_guards": 6,
            },
        },
        *(
            {
                "path": "/api/v1/personnel",
                "body": {
                    "personnel_id": p,
                    "id_number": f"NRP-{tag}-{i}",
                    "name": f"Bripda {i}",
                    "unit_id": unit_id,
                    "rank": "Bripda",
                },
            }
            for i, p in enumerate(personnel)
        ),
    ]
    reply = httpx.post(
        f"{base_url}/api/v1/batch",
        json={"commands": commands},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=120,
    )
    assert reply.status_code == 200, reply.text
    statuses = [r["status"] for r in reply.json()["results"]]
    assert statuses == [201] * len(commands), statuses
    return {"site_id": site_id, "unit_id": unit_id, "personnel": personnel}
