"""Region checks answered from what the server remembers still refuse and allow
exactly as the store would, on the first request and on every later one."""

from __future__ import annotations

from tests.e2e.conftest import Api
from tests.e2e.test_access_matrix import IN, OUT, build_world

T = "2024-01-03T07:30:00+07:00"


def test_region_checks_give_the_same_answer_once_regions_are_remembered(
    api: Api,
) -> None:
    build_world(api)
    inside, outside = api.key("ops", IN), api.key("ops", OUT)
    check_in = {"personnel_id": "jbr-01", "method": "qr", "occurred_at": T}
    pledge = {
        "unit_id": "polres-jember",
        "election": "pemilu-2024",
        "document_ref": "ST/1/2024",
        "occurred_at": T,
    }
    person = {**pledge, "unit_id": None, "personnel_id": "jbr-02"}
    del person["unit_id"]
    answers = []
    for _ in range(3):
        for headers in (outside, inside):
            answers.append(
                [
                    api.client.post(
                        "/api/v1/sites/kpu-kab-jember/check-ins",
                        json=check_in,
                        headers=headers,
                    ).status_code,
                    api.client.post(
                        "/api/v1/neutrality/pledges", json=pledge, headers=headers
                    ).status_code,
                    api.client.post(
                        "/api/v1/neutrality/pledges", json=person, headers=headers
                    ).status_code,
                ]
            )
    assert answers == [[403, 403, 403], [201, 201, 201]] * 3
    assert api.state.jaga.homes  # the later rounds were answered from memory
