"""CSV of the API's lists, read back with Python's csv module and checked against
the JSON answers: same filters, scope and redaction; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from application.demo import load_demo
from tests.e2e.conftest import Api

HOSTILE = '=HYPERLINK("http://x","klik")'


def table(answer: Any) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    text = answer.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def demo(api: Api) -> dict[str, str]:
    ops = api.key("ops")
    load_demo(api.state.jaga)
    for severity, text in ((3, "Massa memblokir gerbang"), (1, HOSTILE)):
        made = api.client.post(
            "/api/v1/incidents",
            headers=ops,
            json={
                "category": "protest",
                "severity": severity,
                "site_id": "kpu-kab-jember",
                "description": text,
                "occurred_at": "2024-11-27T09:30:00+07:00",
            },
        )
        assert made.status_code == 201, made.text
    api.caught_up()
    return ops


def test_the_board_as_csv_is_the_json_board(api: Api, demo: dict[str, str]) -> None:
    query = "/api/v1/sites?province=jawa-timur&limit=1000"
    rows = table(api.client.get(f"{query}&format=csv", headers=demo))
    items = api.client.get(query, headers=demo).json()["items"]
    assert [r["site_id"] for r in rows] == [i["site_id"] for i in items]
    assert len(rows) == 10  # the filter holds: OKU's two sites are elsewhere
    for row, item in zip(rows, items, strict=True):
        assert row["status"] == item["status"]
        assert row["reasons"] == "; ".join(item["reasons"])
        assert row["open_incidents"] == str(item["open_incidents"])
        duty = item["on_duty"] or {}
        assert row["on_duty.headcount"] == str(duty.get("headcount", ""))
        assert row["on_duty.roster"] == "; ".join(duty.get("roster", []))


def test_accept_text_csv_answers_csv_with_the_page_cursor_in_a_header(
    api: Api, demo: dict[str, str]
) -> None:
    answer = api.client.get(
        "/api/v1/sites?limit=5", headers={**demo, "Accept": "text/csv"}
    )
    rows = table(answer)
    assert len(rows) == 5
    cursor = answer.headers["x-next-cursor"]
    json_page = api.client.get("/api/v1/sites?limit=5", headers=demo).json()
    assert cursor == json_page["next"]
    assert answer.headers["x-as-of-position"] == str(json_page["as_of_position"])
    assert 'filename="jaga-sites.csv"' in answer.headers["content-disposition"]
    more = table(
        api.client.get(
            f"/api/v1/sites?limit=5&cursor={cursor}&format=csv", headers=demo
        )
    )
    assert not {r["site_id"] for r in more} & {r["site_id"] for r in rows}


def test_incidents_as_csv_keep_text_inert_for_spreadsheets(
    api: Api, demo: dict[str, str]
) -> None:
    query = "/api/v1/incidents?site_id=kpu-kab-jember"
    rows = table(api.client.get(f"{query}&format=csv", headers=demo))
    items = api.client.get(query, headers=demo).json()["items"]
    assert [r["incident_id"] for r in rows] == [i["incident_id"] for i in items]
    assert [r["severity"] for r in rows] == ["3", "1"]
    for row, item in zip(rows, items, strict=True):
        assert row["status"] == item["status"] == "open"
        assert row["reported_at"] == item["reported_at"]
        assert row["response_seconds.acknowledge"] == ""
    # A formula typed into the field is shown, never run by a spreadsheet.
    assert rows[1]["description"] == "'" + HOSTILE
    assert items[1]["description"] == HOSTILE
    severe = table(api.client.get(f"{query}&min_severity=2&format=csv", headers=demo))
    assert [r["severity"] for r in severe] == ["3"]


def test_the_timeline_as_csv_follows_its_filters(
    api: Api, demo: dict[str, str]
) -> None:
    query = "/api/v1/timeline?site_id=gudang-kpu-kab-jember&limit=1000"
    rows = table(api.client.get(f"{query}&format=csv", headers=demo))
    items = api.client.get(query, headers=demo).json()["items"]
    assert [int(r["position"]) for r in rows] == [i["position"] for i in items]
    assert [r["type"] for r in rows] == [i["type"] for i in items]
    assert [r["actor.role"] for r in rows] == [i["actor"]["role"] for i in items]
    seals = [r for r in rows if r["type"] == "SealRecorded"]
    assert seals and seals[0]["data.seal_numbers"] == "KPU-JBR-0001; KPU-JBR-0002"
    only = table(api.client.get(f"{query}&types=CheckedIn&format=csv", headers=demo))
    assert {r["type"] for r in only} == {"CheckedIn"}


def test_csv_follows_the_key_scope_and_bawaslu_redaction(
    api: Api, demo: dict[str, str]
) -> None:
    jember = api.key("field", "jawa-timur/kab-jember")
    rows = table(api.client.get("/api/v1/sites?format=csv", headers=jember))
    assert {r["regency"] for r in rows} == {"kab-jember"}
    bawaslu = api.key("bawaslu")
    board = table(api.client.get("/api/v1/sites?format=csv", headers=bawaslu))
    oku = next(r for r in board if r["site_id"] == "kpu-kab-oku")
    assert oku["on_duty.headcount"] == "10"
    assert oku.get("on_duty.roster", "") == oku.get("on_duty.commander_id", "") == ""
    timeline = api.client.get(
        "/api/v1/timeline?site_id=kpu-kab-oku&limit=1000&format=csv", headers=bawaslu
    )
    text = timeline.content.decode("utf-8-sig")
    assert "oku-21" not in text and "DEMO-" not in text
    register = table(
        api.client.get("/api/v1/neutrality/register?format=csv", headers=bawaslu)
    )
    assert {r["list"] for r in register} <= {"units", "personnel"}
    assert "units" in {r["list"] for r in register}
    assert "id_number" not in register[0]


def test_a_format_the_api_does_not_speak_is_refused_and_errors_stay_json(
    api: Api, demo: dict[str, str]
) -> None:
    refused = api.client.get("/api/v1/sites?format=xlsx", headers=demo)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["field"] == "format"
    unknown = api.client.get("/api/v1/sites/nowhere?format=csv", headers=demo)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    schema = api.client.get("/openapi.json").json()
    board = schema["paths"]["/api/v1/sites"]["get"]
    assert "text/csv" in board["responses"]["200"]["content"]
    assert any(p["name"] == "format" for p in board["parameters"])
