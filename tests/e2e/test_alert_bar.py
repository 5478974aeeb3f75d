"""The dashboard's alert bar, live: an incident reported through the API appears in
it within 3 s, is acknowledged there, and AlertAcknowledged is in the timeline."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.served import MONITOR, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
expect = playwright_api.expect

# Alerts on, and a severe incident alerts at once (0.01 min) instead of after 15 min.
SERVER_ENV = {"JAGA_ALERTS": "on", "JAGA_ALERT_THRESHOLDS": "incident_minutes=0.01"}
SITE = "bawaslu-kab-jember"
REPLAYED = "gudang-kpu-kab-jember"


def call(server: Server, method: str, path: str, body: object = None) -> dict:
    answer = httpx.request(
        method,
        f"{server.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {server.keys['ops']}"},
        timeout=20,
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_an_incident_alert_appears_is_acknowledged_and_is_in_the_timeline(
    server: Server, browser: Browser
) -> None:
    context = browser.new_context(viewport=MONITOR, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    expect(page).to_have_url(f"{server.url}/")
    bar = page.locator("#alert-bar")
    expect(bar.locator("[data-alert-count]")).not_to_have_text("…")

    made = call(
        server,
        "POST",
        "/incidents",
        {
            "category": "intimidation",
            "severity": 3,
            "description": "Massa mengepung gudang",
            "occurred_at": datetime.now(UTC).isoformat(),
            "site_id": SITE,
        },
    )
    reported = time.monotonic()
    item = bar.locator(f"[data-subject='incident:{made['id']}']")
    expect(item).to_be_visible(timeout=3_000)
    assert time.monotonic() - reported < 3
    expect(item).to_contain_text("Kejadian belum diterima")
    expect(item).to_contain_text("tingkat 3")

    item.get_by_role("button", name="Terima").click()
    expect(item).to_contain_text("Diterima oleh", timeout=5_000)
    alert_id = item.get_attribute("data-alert")
    deadline = time.monotonic() + 10
    while True:
        timeline = call(
            server, "GET", f"/timeline?site_id={SITE}&types=AlertAcknowledged"
        )["items"]
        if any(e["aggregate_id"] == alert_id for e in timeline):
            break
        assert time.monotonic() < deadline, timeline
        time.sleep(0.2)
    page.goto(f"{server.url}/sites/{SITE}")
    main = page.locator("main")
    expect(main).to_contain_text("Peringatan diterima")
    # The raised alert's rule and reasons in the page's words, not codes.
    expect(main).to_contain_text("Kejadian belum diterima")
    expect(main).to_contain_text("belum diterima selama")
    context.close()


def test_the_voting_day_replay_plays_and_the_board_changes_as_the_log_says(
    server: Server, browser: Browser
) -> None:
    # The demo's voting day, with a grave incident reported for 09:00 WIB.
    call(
        server,
        "POST",
        "/incidents",
        {
            "category": "riot",
            "severity": 4,
            "description": "Kericuhan di depan gudang logistik",
            "occurred_at": "2024-11-27T09:00:00+07:00",
            "site_id": REPLAYED,
        },
    )
    context = browser.new_context(viewport=MONITOR, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    expect(page).to_have_url(f"{server.url}/")
    page.goto(
        f"{server.url}/replay?day=2024-11-27&from=06:00&to=14:00&zone=WIB"
        "&speed=60&clock=field"
    )
    row = page.locator(f"[data-replay-board] tr[data-key='{REPLAYED}']")
    expect(row).not_to_have_attribute("data-status", "red")
    before = page.locator("[data-replay-position]").inner_text()
    page.get_by_role("button", name="Play").click()
    expect(row).to_have_attribute("data-status", "red", timeout=20_000)
    expect(row).to_contain_text("open severity-4 incident")
    assert int(page.locator("[data-replay-position]").inner_text()) > int(before)
    assert "at=2024-11-27T09" in page.url or "at=2024-11-27T1" in page.url
    expect(page.locator("[data-replay-moment]")).to_contain_text("2024-11-27 14:00")
    expect(page.get_by_role("button", name="Play")).to_be_visible()

    # The URL holds the moment: opened again, it shows that moment.
    page.goto(page.url.split("&at=")[0] + "&at=2024-11-27T08:00")
    expect(row).not_to_have_attribute("data-status", "red")
    page.locator("[data-replay-scrub]").fill("240")  # 10:00
    expect(row).to_have_attribute("data-status", "red")
    assert "at=2024-11-27T10%3A00" in page.url or "at=2024-11-27T10:00" in page.url
    context.close()


def test_the_field_app_of_the_guarding_unit_shows_the_sites_alert_while_open(
    server: Server, browser: Browser
) -> None:
    from tests.e2e.test_field_app import enrolment_code, free_jember, phone

    free_jember(server)  # polres-jember's team guards the Jember KPU office
    code = enrolment_code(browser, server, "id-ID")
    context = phone(browser, "id-ID")
    page = context.new_page()
    page.goto(f"{server.url}/lapangan")
    page.fill("#code", code.lower())
    page.click("#enrol button[type=submit]")
    page.click("button[data-person='jbr-01']")
    expect(page.locator("#me")).to_be_visible()
    made = call(
        server,
        "POST",
        "/incidents",
        {
            "category": "provocation",
            "severity": 3,
            "description": "Provokasi di depan kantor KPU",
            "occurred_at": datetime.now(UTC).isoformat(),
            "site_id": "kpu-kab-jember",
        },
    )
    shown = page.locator(
        "#alerts li[data-rule='incident_unacknowledged'][data-site='kpu-kab-jember']"
    )
    expect(shown).to_be_visible(timeout=20_000)
    expect(shown).to_contain_text("Kejadian belum diterima")
    sites = page.locator("#alerts li").evaluate_all(
        "items => items.map(i => i.getAttribute('data-site'))"
    )
    assert set(sites) <= {"kpu-kab-jember", ""}, sites
    assert made["id"]
    context.close()


def statuses_at(server: Server, moment: str) -> tuple[dict[str, str], int]:
    found = call(server, "GET", f"/sites?as_of={moment}&limit=500")
    return {s["site_id"]: s["status"] for s in found["items"]}, found["as_of_position"]


def shown_statuses(page: object) -> dict[str, str]:
    rows = page.locator("[data-replay-board] tr[data-key]")  # type: ignore[attr-defined]
    return {
        key: status
        for key, status in rows.evaluate_all(
            "rows => rows.map(r => [r.dataset.key, r.dataset.status])"
        )
        if key != "-empty-"
    }


def test_the_replay_opens_on_the_demos_voting_day_and_steps_as_the_board_was(
    server: Server, browser: Browser
) -> None:
    morning, _ = statuses_at(server, "2024-11-27T06:00:00%2B07:00")
    afternoon, position = statuses_at(server, "2024-11-27T14:00:00%2B07:00")
    assert morning != afternoon  # the story's voting day changes the board
    context = browser.new_context(viewport=MONITOR, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    page.goto(f"{server.url}/replay")  # the latest voting day, 06:00-14:00 WIB
    moment = page.locator("[data-replay-moment]")
    expect(moment).to_have_text("2024-11-27 06:00 WIB")
    assert shown_statuses(page) == morning
    page.select_option("#r-speed", "60")
    page.get_by_role("button", name="Putar").click()
    expect(moment).to_have_text("2024-11-27 14:00 WIB", timeout=30_000)
    expect(page.get_by_role("button", name="Putar")).to_be_visible()
    # The last step's answer: the board at the log position of 14:00.
    expect(page.locator("[data-replay-position]")).to_have_text(str(position))
    assert shown_statuses(page) == afternoon
    context.close()
