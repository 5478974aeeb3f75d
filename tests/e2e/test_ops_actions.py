"""Ops act from the dashboard through the API's own commands (session and CSRF
token): acknowledge and resolve an incident and see the board change; change an
alert level; a refusal shows the API's error; a page elsewhere cannot act."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.e2e.served import ARTIFACTS, MONITOR, PHONE, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
Page = playwright_api.Page
expect = playwright_api.expect

SHOTS = ARTIFACTS / "ops"
LOCALES = {"id": "id-ID", "en": "en-US"}
SITE = {"id": "bawaslu-kab-jember", "en": "kpu-kab-jember"}
RESOLVED = {"id": "Selesaikan", "en": "Resolve"}


def api(server: Server, method: str, path: str, body: Any = None) -> Any:
    answer = httpx.request(
        method,
        f"{server.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {server.keys['ops']}"},
        timeout=20,
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def signed_in(browser: Browser, server: Server, locale: str, size: Any) -> Page:
    context = browser.new_context(viewport=size, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    expect(page).to_have_url(f"{server.url}/")
    return page


@pytest.mark.parametrize("language", list(LOCALES))
def test_ops_acknowledge_and_resolve_an_incident_and_the_board_changes(
    server: Server, browser: Browser, language: str
) -> None:
    site = SITE[language]
    made = api(
        server,
        "POST",
        "/incidents",
        {
            "category": "intimidation",
            "severity": 3,
            "site_id": site,
            "description": "Intimidasi terhadap staf",
            "occurred_at": datetime.now(UTC).isoformat(),
        },
    )
    api(server, "GET", f"/sites/{site}?wait_for_position={made['position']}")
    page = signed_in(browser, server, LOCALES[language], MONITOR)
    row = page.locator(f"table.board tr[data-key='{site}']")
    expect(row).to_have_attribute("data-status", "red")
    page.goto(f"{server.url}/incidents")
    incident = page.locator(f"tr[data-key='{made['id']}']")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"incident-actions-{language}.png"))
    incident.locator("button[data-act='acknowledge']").click()
    expect(incident.locator("button[data-act='acknowledge']")).to_have_count(0)
    expect(incident.locator("[data-cell='status']")).to_contain_text(
        "diterima" if language == "id" else "acknowledged"
    )
    incident.locator("input[name='resolution']").fill("Pelaku diamankan")
    incident.locator("button[data-act='resolve']").click()
    expect(page.locator(f"tr[data-key='{made['id']}']")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"incidents-{language}.png"))
    page.goto(f"{server.url}/")
    expect(row).not_to_have_attribute("data-status", "red")
    found = api(server, "GET", f"/incidents/{made['id']}")
    assert found["status"] == "resolved" and found["acknowledged_at"]
    page.context.close()


def test_ops_change_an_alert_level_and_a_refusal_shows_the_api_error(
    server: Server, browser: Browser
) -> None:
    page = signed_in(browser, server, "id-ID", PHONE)
    page.goto(f"{server.url}/sites/gudang-kpu-kab-jember")
    form = page.locator("form.alert-level")
    form.locator("select[name='level']").select_option("siaga")
    form.locator("input[name='reason']").fill("Masa tenang Pilkada")
    form.locator("button[type=submit]").click()
    expect(page.locator("p.meta .alert")).to_have_text("siaga")
    assert api(server, "GET", "/sites/gudang-kpu-kab-jember")["alert_level"] == "siaga"
    page.screenshot(path=str(SHOTS / "alert-level-phone-id.png"), full_page=True)
    # Closing an incident that is still open is refused with the API's own error.
    made = api(
        server,
        "POST",
        "/incidents",
        {
            "category": "protest",
            "severity": 1,
            "site_id": "gudang-kpu-kab-jember",
            "description": "Unjuk rasa kecil",
            "occurred_at": datetime.now(UTC).isoformat(),
        },
    )
    answer = page.evaluate(
        """async (id) => {
          const token = document.querySelector("meta[name=csrf]").content;
          const r = await fetch(`/api/v1/incidents/${id}/close`, {method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
            body: JSON.stringify({occurred_at: new Date().toISOString()})});
          return [r.status, await r.json()];
        }""",
        made["id"],
    )
    assert answer[0] == 409
    assert answer[1]["error"]["message"] == "selesaikan kejadian sebelum menutupnya"
    page.context.close()


def test_the_api_refuses_a_session_without_its_csrf_token(server: Server) -> None:
    signed = httpx.post(
        f"{server.url}/sign-in",
        data={"key": server.keys["ops"], "next": "/"},
        headers={"Origin": server.url},
    )
    cookie = {"jaga_session": signed.cookies["jaga_session"]}
    body = {
        "level": "awas",
        "reason": "x",
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    path = f"{server.url}/api/v1/sites/kpu-kab-tuban/alert-level"
    bare = httpx.post(path, json=body, cookies=cookie)
    assert bare.status_code == 401
    forged = httpx.post(
        path, json=body, cookies=cookie, headers={"X-CSRF-Token": "0" * 64}
    )
    assert forged.status_code == 401
    assert api(server, "GET", "/sites/kpu-kab-tuban")["alert_level"] != "awas"
