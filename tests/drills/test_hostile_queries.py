"""Hostile query strings through the real server: crafted cursors, parameters no
endpoint declares, and scopes and filters holding SQL wildcards each get a clear
4xx naming the parameter, never a 5xx, and match nothing they should not."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.drills.conftest import Served
from tests.drills.harness import bearer, counts, make_key
from tests.drills.scenario import guarded_site

pytestmark = pytest.mark.drill

LISTS = ("/api/v1/sites", "/api/v1/timeline", "/api/v1/incidents", "/api/v1/patrols")


def _b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = [
    _b64([True]),
    _b64([False]),
    _b64([-1]),
    _b64([1.5]),
    _b64([10**30]),
    _b64(b"[1e400]"),
    _b64(b"[NaN]"),
    _b64({}),
    _b64(None),
    _b64("x"),
    _b64([]),
    _b64(b"[" * 5000),
    "!!not-base64!!",
    "a" * 400,
    "",
]


def _named(reply: httpx.Response, name: str) -> bool:
    """Whether the error answer names the field or parameter `name`."""
    details = (reply.json().get("error") or {}).get("details") or {}
    fields = [
        details.get("field"),
        *(e.get("field") for e in details.get("errors", [])),
    ]
    return any(
        isinstance(f, str) and f.split(".")[-1].split("[")[0] == name for f in fields
    )


def test_crafted_cursors_answer_422_naming_the_cursor(served: Served) -> None:
    tally = counts(f"hostile input [{served.store}]")
    wrong: list[str] = []
    with httpx.Client(
        base_url=served.base_url, headers=bearer(served.keys["auditor"]), timeout=30
    ) as c:
        for path in LISTS:
            for cursor in CURSORS:
                reply = c.get(path, params={"cursor": cursor})
                tally.add_status(reply.status_code)
                if cursor == "" and reply.status_code == 200:
                    continue  # an empty cursor is the first page
                if reply.status_code != 422 or not _named(reply, "cursor"):
                    wrong.append(f"{path} {cursor[:30]!r}: {reply.status_code}")
    assert not wrong, "\n".join(wrong)
    assert tally.server_errors == 0


def test_a_scope_or_filter_with_sql_wildcards_matches_only_itself(
    served: Served,
) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=1)
    _, wildcard = make_key(served.url, "auditor", "jawa_timur")
    tally = counts(f"hostile input [{served.store}]")
    with httpx.Client(base_url=served.base_url, timeout=30) as c:
        seen = c.get(
            "/api/v1/timeline",
            params={"site_id": site["site_id"]},
            headers=bearer(wildcard),
        )
        sites = c.get("/api/v1/sites", headers=bearer(wildcard))
        made = c.post(
            "/api/v1/keys",
            json={"role": "field", "name": "x", "scope": ["jawa%", "_"]},
            headers=bearer(served.keys["admin"]),
        )
        like = [
            c.get(
                path,
                params={field: value},
                headers=bearer(served.keys["auditor"]),
            )
            for path, field in (
                ("/api/v1/timeline", "site_id"),
                ("/api/v1/timeline", "unit_id"),
                ("/api/v1/sites", "regency"),
            )
            for value in ("%", "_", "kpu%", "\\")
        ]
    for reply in (seen, sites, made, *like):
        tally.add_status(reply.status_code)
    assert seen.status_code == 200 and seen.json()["items"] == []
    assert sites.status_code == 200 and sites.json()["items"] == []
    assert made.status_code == 422 and _named(made, "scope"), made.text
    for reply in like:
        assert reply.status_code in (200, 422), reply.text
        if reply.status_code == 200:
            assert reply.json()["items"] == [], reply.request.url
    assert tally.server_errors == 0


def test_unknown_parameters_nul_and_far_times_answer_422_naming_them(
    served: Served,
) -> None:
    tally = counts(f"hostile input [{served.store}]")
    cases = [
        ("GET", "/api/v1/audit/export?from=1&to=200", "auditor", "from"),
        ("GET", "/api/v1/sites?provinsi=jawa-timur", "ops", "provinsi"),
        ("GET", "/api/v1/timeline?site=x&limit=5", "auditor", "site"),
        ("GET", "/api/v1/incidents?cursor=&%00=1", "ops", "\x00"),
        ("GET", "/readyz?verbose=1", "ops", "verbose"),
        ("GET", "/metrics?debug", "ops", "debug"),
        ("POST", "/api/v1/units?dry_run=1", "ops", "dry_run"),
        ("POST", "/api/v1/audit/verify?deep=1", "auditor", "deep"),
        ("GET", "/api/v1/timeline?incident_id=%00", "auditor", "incident_id"),
        ("GET", "/api/v1/timeline?types=a%00", "auditor", "types"),
        ("GET", "/api/v1/incidents/%00", "ops", "path"),
        ("GET", "/api/v1/patrols/x%00y", "ops", "path"),
        ("GET", "/api/v1/sites/kpu%00/gaps", "ops", "path"),
        ("GET", "/?site_id=%00", "ops", "site_id"),
        ("GET", "/api/v1/sites/x/gaps?to=0001-01-01T00:00:00%2B14:00", "ops", "to"),
        ("GET", "/api/v1/sites?as_of=9999-12-31T23:59:59-12:00", "ops", "as_of"),
    ]
    wrong: list[str] = []
    with httpx.Client(base_url=served.base_url, timeout=30) as c:
        for method, path, role, name in cases:
            reply = c.request(
                method,
                path,
                headers=bearer(served.keys[role]),
                json={} if method == "POST" else None,
            )
            tally.add_status(reply.status_code)
            if reply.status_code != 422 or not _named(reply, name):
                wrong.append(f"{method} {path}: {reply.status_code} {reply.text[:120]}")
        known = c.get(
            "/api/v1/sites?limit=1&format=csv", headers=bearer(served.keys["ops"])
        )
        tally.add_status(known.status_code)
    assert not wrong, "\n".join(wrong)
    assert known.status_code == 200


def test_dashboard_pages_answer_hostile_query_values_with_4xx(served: Served) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=1)
    tally = counts(f"hostile input [{served.store}]")
    page = f"/sites/{site['site_id']}"
    values = {
        "from": ["0001-01-01", "9999-12-31", "x", "2024-02-30"],
        "to": ["9999-12-31", "0001-01-01", "[]"],
        "older": ["9" * 18, "-1", "1e400"],
        "newer": ["9" * 16, "x"],
        "as_of": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"],
        "as_of_position": ["9" * 30, "-5"],
        "cursor": CURSORS[:6],
    }
    wrong: list[str] = []
    with httpx.Client(base_url=served.base_url, timeout=30) as c:
        signed = c.post(
            "/sign-in",
            data={"key": served.keys["ops"], "next": "/"},
            headers={"Origin": served.base_url},
        )
        assert signed.status_code == 303
        for path in (page, "/", "/incidents", "/peta"):
            for name, options in values.items():
                for value in options:
                    reply = c.get(path, params={name: value}, follow_redirects=False)
                    tally.add_status(reply.status_code)
                    if reply.status_code >= 500:
                        wrong.append(f"{path}?{name}={value[:20]}: {reply.status_code}")
    assert not wrong, "\n".join(wrong)
