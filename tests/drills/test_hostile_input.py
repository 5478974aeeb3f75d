"""Hostile input through the real server: every request gets a clear 4xx, never a
5xx, and strings meant to break SQL or HTML are stored and returned inertly."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.drills.conftest import Served
from tests.drills.harness import bearer, counts, recently
from tests.drills.scenario import guarded_site

pytestmark = pytest.mark.drill

JSON = {"Content-Type": "application/json"}
SQL = "x'); DROP TABLE jaga_log; --\" OR 1=1; DELETE FROM jaga_events WHERE ''='"
HTML = "<script>alert('jaga')</script><img src=x onerror=alert(1)>&amp;"
ODD = "a\u0000b \u202e kiri-kanan \U0001f6a8 Ω \\ \" '"


def _case(
    label: str,
    method: str,
    path: str,
    expect: set[int],
    content: bytes | Iterator[bytes] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "label": label,
        "method": method,
        "path": path,
        "expect": expect,
        "content": content,
        "body": body,
        "headers": headers or {},
    }


def _chunks(total: int) -> Iterator[bytes]:
    yield b'{"unit_id": "u-chunked", "kind": "polri", "name": "'
    for _ in range(total // 65536):
        yield b"a" * 65536
    yield b'"}'


def hostile_cases(site: dict[str, Any]) -> list[dict[str, Any]]:
    s = site["site_id"]
    p = site["personnel"][0]
    check_in = f"/api/v1/sites/{s}/check-ins"

    def at(when: str) -> dict[str, Any]:
        return {"personnel_id": p, "method": "qr", "occurred_at": when}

    unit = {"unit_id": "u-hostile", "name": "Kodim 0824", "kind": "tni"}
    return [
        _case(
            "body over 1 MiB",
            "POST",
            "/api/v1/units",
            {413},
            content=b'{"name": "' + b"a" * 1_100_000 + b'"}',
            headers=JSON,
        ),
        _case(
            "chunked body over 1 MiB",
            "POST",
            "/api/v1/units",
            {413},
            content=_chunks(1_200_000),
            headers=JSON,
        ),
        _case(
            "batch over 10 MiB",
            "POST",
            "/api/v1/batch",
            {413},
            content=b'{"commands": "' + b"a" * 10_600_000 + b'"}',
            headers=JSON,
        ),
        _case(
            "JSON nested 100000 deep",
            "POST",
            "/api/v1/units",
            {400, 422},
            content=b"[" * 100_000 + b"]" * 100_000,
            headers=JSON,
        ),
        _case(
            "object nested 50000 deep",
            "POST",
            "/api/v1/units",
            {400, 422},
            content=b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
            headers=JSON,
        ),
        _case(
            "invalid UTF-8",
            "POST",
            "/api/v1/units",
            {400, 422},
            content=b'{"unit_id": "\xff\xfe", "name": "\xc3\x28", "kind": "polri"}',
            headers=JSON,
        ),
        _case(
            "lone surrogate",
            "POST",
            "/api/v1/units",
            {400, 422},
            content=b'{"unit_id": "u-sur", "name": "\\ud800", "kind": "polri"}',
            headers=JSON,
        ),
        _case(
            "not JSON",
            "POST",
            "/api/v1/units",
            {400, 422},
            content=b"\x00\x01<",
            headers=JSON,
        ),
        _case(
            "empty body", "POST", "/api/v1/units", {400, 422}, content=b"", headers=JSON
        ),
        _case("a list, not an object", "POST", "/api/v1/units", {422}, body=[unit]),
        _case(
            "name of 900 000 characters",
            "POST",
            "/api/v1/units",
            {422},
            body={**unit, "name": "a" * 900_000},
        ),
        _case(
            "description of 200 000 characters",
            "POST",
            "/api/v1/incidents",
            {422},
            body={
                "category": "other",
                "severity": 2,
                "site_id": s,
                "description": "x" * 200_000,
                "occurred_at": recently(),
            },
        ),
        _case(
            "5000-digit number",
            "POST",
            f"/api/v1/sites/{s}/guard-requirement",
            {400, 422},
            content=b'{"required_guards": ' + b"9" * 5000 + b"}",
            headers=JSON,
        ),
        _case(
            "enormous number",
            "POST",
            f"/api/v1/sites/{s}/guard-requirement",
            {422},
            body={"required_guards": 10**40},
        ),
        _case(
            "negative number",
            "POST",
            f"/api/v1/sites/{s}/guard-requirement",
            {422},
            body={"required_guards": -1},
        ),
        _case(
            "severity 0",
            "POST",
            "/api/v1/incidents",
            {422},
            body={
                "category": "riot",
                "severity": 0,
                "description": "x",
                "occurred_at": recently(),
                "site_id": s,
            },
        ),
        _case(
            "severity as text",
            "POST",
            "/api/v1/incidents",
            {422},
            body={
                "category": "riot",
                "severity": "4",
                "description": "x",
                "occurred_at": recently(),
                "site_id": s,
            },
        ),
        _case(
            "NaN latitude",
            "POST",
            "/api/v1/sites",
            {422},
            content=b'{"site_id": "s-nan", "kind": "tps", "name": "TPS 1", '
            b'"province": "jawa-timur", "regency": "kab-jember", '
            b'"lat": NaN}',
            headers=JSON,
        ),
        _case(
            "infinite longitude",
            "POST",
            "/api/v1/sites",
            {422},
            content=b'{"site_id": "s-inf", "kind": "tps", "name": "TPS 1", '
            b'"province": "jawa-timur", "regency": "kab-jember", '
            b'"lon": 1e999}',
            headers=JSON,
        ),
        _case("year 9999", "POST", check_in, {422}, body=at("9999-12-31T23:59:59Z")),
        _case(
            "year 9999 west of UTC",
            "POST",
            check_in,
            {422},
            body=at("9999-12-31T23:59:59-12:00"),
        ),
        _case(
            "year 1 east of UTC",
            "POST",
            check_in,
            {422},
            body=at("0001-01-01T00:00:00+14:00"),
        ),
        _case("naive time", "POST", check_in, {422}, body=at("2024-02-14T07:00:00")),
        _case("not a time", "POST", check_in, {422}, body=at("kemarin sore")),
        _case(
            "assignment ending in year 9999 east of UTC",
            "POST",
            "/api/v1/assignments",
            {422},
            body={
                "unit_id": site["unit_id"],
                "site_id": s,
                "headcount": 2,
                "starts_at": recently(),
                "ends_at": "9999-12-31T23:59:59+14:00",
            },
        ),
        _case(
            "as_of in year 1",
            "GET",
            "/api/v1/sites?as_of=0001-01-01T00:00:00%2B14:00",
            {422},
        ),
        _case(
            "as_of in year 9999",
            "GET",
            "/api/v1/sites?as_of=9999-12-31T23:59:59-14:00",
            {422},
        ),
        _case(
            "timeline from year 1",
            "GET",
            "/api/v1/timeline?from=0001-01-01T00:00:00%2B14:00",
            {200, 422},
        ),
        _case(
            "gaps to year 9999",
            "GET",
            f"/api/v1/sites/{s}/gaps?to=9999-12-31T23:59:59-14:00",
            {200, 422},
        ),
        _case(
            "as_of_position beyond 2^63",
            "GET",
            "/api/v1/sites?as_of_position=99999999999999999999999",
            {422},
        ),
        _case(
            "wait_for_position beyond 2^63",
            "GET",
            "/api/v1/sites?wait_for_position=99999999999999999999",
            {422},
        ),
        _case("limit of a million", "GET", "/api/v1/sites?limit=1000000", {422}),
        _case("cursor of junk", "GET", "/api/v1/sites?cursor=%00%ff%27--", {200, 422}),
        _case(
            "leaf beyond 2^63",
            "GET",
            "/api/v1/audit/leaves/99999999999999999999",
            {403, 404, 422},
        ),
        _case(
            "unknown field",
            "POST",
            "/api/v1/units",
            {422},
            body={**unit, "is_admin": True},
        ),
        _case(
            "traversal in a slug id",
            "POST",
            "/api/v1/sites/..%2F..%2Fetc%2Fpasswd/check-ins",
            {404, 422},
            body=at(recently()),
        ),
        _case(
            "traversal in a path", "GET", "/api/v1/sites/../../etc/passwd", {404, 422}
        ),
        _case(
            "traversal in a server id",
            "GET",
            "/api/v1/incidents/..%2F..%2F..%2Fetc%2Fshadow",
            {404, 422},
        ),
        _case(
            "traversal in a shift id",
            "POST",
            f"/api/v1/sites/{s}/shifts/..%2F..%2Fkeys/end",
            {404, 422},
            body={"occurred_at": recently()},
        ),
        _case("SQL in a slug id", "GET", "/api/v1/sites/x'%20OR%20'1'='1", {404, 422}),
        _case(
            "SQL in a query",
            "GET",
            "/api/v1/sites?province=x'%20OR%201=1--",
            {200, 422},
        ),
        _case(
            "Idempotency-Key of 300 characters",
            "POST",
            "/api/v1/units",
            {422},
            body=unit,
            headers={"Idempotency-Key": "k" * 300},
        ),
        _case(
            "id of 65 characters",
            "POST",
            "/api/v1/units",
            {422},
            body={**unit, "unit_id": "a" * 65},
        ),
        _case(
            "upper-case id",
            "POST",
            "/api/v1/units",
            {422},
            body={**unit, "unit_id": "KODIM-0824"},
        ),
        _case(
            "batch of 1001 commands",
            "POST",
            "/api/v1/batch",
            {422},
            body={"commands": [{"path": "/api/v1/units", "body": unit}] * 1001},
        ),
        _case(
            "batch item for another server",
            "POST",
            "/api/v1/batch",
            {200, 422},
            body={
                "commands": [{"path": "http://evil.example/api/v1/units", "body": unit}]
            },
        ),
        _case(
            "batch item with a traversal path",
            "POST",
            "/api/v1/batch",
            {200, 422},
            body={"commands": [{"path": "/api/v1/../../keys", "body": {}}]},
        ),
        _case("method not allowed", "DELETE", f"/api/v1/sites/{s}", {404, 405}),
    ]


def _send(c: httpx.Client, case: dict[str, Any]) -> httpx.Response:
    kwargs: dict[str, Any] = {"headers": case["headers"]}
    if case["content"] is not None:
        kwargs["content"] = case["content"]
    elif case["body"] is not None:
        kwargs["json"] = case["body"]
    return c.request(case["method"], case["path"], **kwargs)


def test_hostile_requests_get_clear_4xx_answers_never_5xx(served: Served) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=2)
    tally = counts(f"hostile input [{served.store}]")
    wrong: list[str] = []
    with httpx.Client(
        base_url=served.base_url, headers=bearer(served.keys["ops"]), timeout=60
    ) as c:
        for case in hostile_cases(site):
            reply = _send(c, case)
            tally.add_status(reply.status_code)
            error = reply.json().get("error") if reply.status_code >= 400 else {}
            if reply.status_code not in case["expect"] or (
                reply.status_code >= 400 and not error.get("code")
            ):
                wrong.append(f"{case['label']}: {reply.status_code} {reply.text[:160]}")
        health = c.get("/readyz")
    assert not wrong, "\n".join(wrong)
    assert tally.server_errors == 0
    assert health.status_code == 200, health.text
    assert "error" not in health.json()["projection_lag"]


def test_injection_strings_are_stored_and_returned_exactly(served: Served) -> None:
    tag = uuid.uuid4().hex[:6]
    unit_id = f"kodim-0824-{tag}"
    tally = counts(f"hostile input [{served.store}]")
    with httpx.Client(
        base_url=served.base_url, headers=bearer(served.keys["ops"]), timeout=60
    ) as c:
        written = c.post(
            "/api/v1/units", json={"unit_id": unit_id, "name": SQL, "kind": "tni"}
        )
        site = c.post(
            "/api/v1/sites",
            json={
                "site_id": f"gudang-{tag}",
                "kind": "logistics_warehouse",
                "name": HTML,
                "address": ODD,
                "province": "jawa-timur",
                "regency": "kab-jember",
            },
        )
        incident = c.post(
            "/api/v1/incidents",
            json={
                "category": "provocation",
                "severity": 3,
                "description": HTML + SQL,
                "site_id": f"gudang-{tag}",
                "occurred_at": recently(),
            },
        )
        for reply in (written, site, incident):
            tally.add_status(reply.status_code)
            assert reply.status_code == 201, reply.text
        position = incident.json()["position"]
        timeline = c.get(
            "/api/v1/timeline",
            params={"unit_id": unit_id, "wait_for_position": position},
        )
        board = c.get(
            f"/api/v1/sites/gudang-{tag}", params={"wait_for_position": position}
        )
        found = c.get(f"/api/v1/incidents/{incident.json()['id']}")
        for reply in (timeline, board, found):
            tally.add_status(reply.status_code)
            assert reply.status_code == 200, reply.text
    assert timeline.json()["items"][0]["data"]["name"] == SQL
    assert board.json()["name"] == HTML
    assert found.json()["description"] == HTML + SQL
    verified = served.server.jaga("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_dashboard_escapes_stored_html(served: Served) -> None:
    tag = uuid.uuid4().hex[:6]
    with httpx.Client(
        base_url=served.base_url, headers=bearer(served.keys["ops"]), timeout=60
    ) as c:
        signed = c.post(
            "/sign-in",
            data={"key": served.keys["ops"], "next": "/"},
            headers={"Origin": served.base_url},
        )
        assert signed.status_code == 303, signed.text
        reply = c.post(
            "/api/v1/sites",
            json={
                "site_id": f"bawaslu-{tag}",
                "kind": "bawaslu_office",
                "name": HTML,
                "province": "jawa-timur",
                "regency": "kab-jember",
            },
        )
        assert reply.status_code == 201, reply.text
        c.get("/api/v1/sites", params={"wait_for_position": reply.json()["position"]})
        pages = [
            c.get("/", params={"regency": "kab-jember"}),
            c.get(f"/sites/bawaslu-{tag}"),
        ]
    shown = [p for p in pages if p.status_code == 200]
    assert shown, [p.status_code for p in pages]
    for page in shown:
        assert "<script>alert('jaga')</script>" not in page.text
        assert "onerror=alert(1)>" not in page.text
    assert any("&lt;script&gt;" in p.text for p in shown)


# A correction's changes, each of a class its field's rule refuses.
BAD_CHANGES = [
    ("site", {"lat": "NaN"}, "changes.lat"),
    ("site", {"lon": 1e400}, "changes.lon"),
    ("site", {"lat": "-Infinity"}, "changes.lat"),
    ("site", {"timezone": "XYZ"}, "changes.timezone"),
    ("site", {"address": "a" * 1_000_000}, "changes.address"),
    ("requirement", {"required_guards": "lots"}, "changes.required_guards"),
    ("requirement", {"required_guards": 1e300}, "changes.required_guards"),
    ("check-in", {"occurred_at": "9999-12-31T23:59:59+00:00"}, "changes.occurred_at"),
    ("incident", {"severity": "lots"}, "changes.severity"),
    ("incident", {"description": "x" * 1_000_000}, "changes.description"),
]


def _raw(body: dict[str, Any]) -> bytes:
    # NaN and infinities as JSON writers outside Python send them.
    text = json.dumps(body)
    for word in ("NaN", "-Infinity"):
        text = text.replace(f'"{word}"', word)
    return text.replace("1e+400", "1e400").encode()


def test_corrections_are_held_to_their_fields_rules_and_the_log_verifies(
    served: Served,
) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=1)
    s, p = site["site_id"], site["personnel"][0]
    tally = counts(f"hostile corrections [{served.store}]")
    wrong: list[str] = []
    with httpx.Client(
        base_url=served.base_url, headers=bearer(served.keys["ops"]), timeout=60
    ) as c:
        made = {
            "site": c.post(
                f"/api/v1/sites/{s}/updates", json={"address": "Jl. Kalimantan 37"}
            ),
            "requirement": c.post(
                f"/api/v1/sites/{s}/guard-requirement", json={"required_guards": 4}
            ),
            "check-in": c.post(
                f"/api/v1/sites/{s}/check-ins",
                json={"personnel_id": p, "method": "qr", "occurred_at": recently()},
            ),
            "incident": c.post(
                "/api/v1/incidents",
                json={
                    "category": "intimidation",
                    "severity": 2,
                    "site_id": s,
                    "description": "Orang tak dikenal",
                    "occurred_at": recently(),
                },
            ),
        }
        for name, reply in made.items():
            assert reply.status_code == 201, (name, reply.text)
        for entry, changes, field in BAD_CHANGES:
            body = {
                "event_id": made[entry].json()["event_id"],
                "reason": "hostile",
                "changes": changes,
            }
            reply = c.post("/api/v1/corrections", content=_raw(body), headers=JSON)
            tally.add_status(reply.status_code)
            named = (
                reply.json().get("error", {}).get("details", {}).get("field")
                if reply.headers.get("content-type", "").startswith("application/json")
                else None
            )
            if reply.status_code != 422 or named != field:
                wrong.append(f"{changes!s:.60}: {reply.status_code} {reply.text[:200]}")
        auditor = bearer(served.keys["auditor"])
        fixes = c.get(f"/api/v1/timeline?site_id={s}&types=EntryCorrected")
        verified = c.post("/api/v1/audit/verify", headers=auditor, timeout=300)
    assert not wrong, "\n".join(wrong)
    assert tally.server_errors == 0
    # No correction was written, and the log verifies.
    assert fixes.status_code == 200 and fixes.json()["items"] == [], fixes.text
    assert verified.status_code == 200 and verified.json()["ok"], verified.text
