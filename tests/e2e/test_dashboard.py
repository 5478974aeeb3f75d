"""The dashboard in a real browser against a real `jaga serve` with the demo loaded."""

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

ARTIFACTS = ARTIFACTS / "dashboard"


def _page(
    browser: Browser, size: dict[str, int] = MONITOR, locale: str = "en-US"
) -> Page:
    # Fresh cookies per call; English (Accept-Language) unless the test asks for
    # the users' own language.
    context = browser.new_context(viewport=size, locale=locale)
    context.set_default_timeout(10_000)
    return context.new_page()


def _sign_in(page: Page, server: Server, role: str) -> None:
    page.goto(f"{server.url}/")
    expect(page).to_have_url(f"{server.url}/sign-in?next=%2F")
    page.fill("#key", server.keys[role])
    page.click("form[action='/sign-in'] button")
    expect(page).to_have_url(f"{server.url}/")


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _row(page: Page, site_id: str) -> Any:
    return page.locator(f"table.board tr[data-key='{site_id}']")


SEED_SITES = 13


def test_sign_in_shows_the_board_with_every_seed_site(
    server: Server, browser: Browser
) -> None:
    for name, size in (("monitor", MONITOR), ("phone", PHONE)):
        page = _page(browser, size)
        page.goto(f"{server.url}/")
        _shot(page, f"sign-in-{name}")
        _sign_in(page, server, "ops")
        expect(page.locator("table.board tbody tr[data-key]")).to_have_count(SEED_SITES)
        # The demo ends with a drone over KPU OKU's office still open.
        expect(_row(page, "kpu-kab-oku")).to_have_attribute("data-status", "red")
        expect(_row(page, "kpu-kab-oku")).to_contain_text("open severity-4 incident")
        assert server.keys["ops"] not in page.url
        cookies = page.context.cookies()
        assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [
            ("jaga_session", True, "Strict")
        ]
        assert server.keys["ops"] not in cookies[0]["value"]
        _shot(page, f"board-{name}")
        page.context.close()


def test_a_wrong_key_is_refused_on_the_sign_in_page(
    server: Server, browser: Browser
) -> None:
    page = _page(browser)
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", "jaga_000000000000_not-a-key")
    page.click("form[action='/sign-in'] button")
    expect(page.locator(".error")).to_contain_text("unknown or revoked")
    assert page.context.cookies() == []
    page.goto(f"{server.url}/")
    expect(page).to_have_url(f"{server.url}/sign-in?next=%2F")
    page.context.close()


def test_filters_narrow_the_board(server: Server, browser: Browser) -> None:
    page = _page(browser)
    _sign_in(page, server, "ops")
    page.select_option("#f-kind", "logistics_warehouse")
    page.select_option("#f-status", "amber")
    page.click("form.filters button")
    rows = page.locator("table.board tbody tr[data-key]")
    expect(rows).to_have_count(2)
    for site_id in ("gudang-kpu-kab-jember", "gudang-kpu-kab-oku"):
        expect(_row(page, site_id)).to_have_attribute("data-status", "amber")
    page.context.close()


def test_an_incident_recorded_through_the_api_turns_its_site_red_without_reload(
    server: Server, browser: Browser
) -> None:
    page = _page(browser)
    _sign_in(page, server, "ops")
    row = _row(page, "kpu-kab-jember")
    expect(row).to_have_attribute("data-status", "amber")
    page.evaluate("window.notReloaded = true")
    box = page.locator("table.board").bounding_box()
    above = _row(page, "kpu-kab-oku").bounding_box()
    server.post(
        "/incidents",
        {
            "category": "provocation",
            "severity": 3,
            "description": "Massa berkumpul di depan kantor KPU Jember",
            "occurred_at": _now(),
            "site_id": "kpu-kab-jember",
        },
    )
    expect(row).to_have_attribute("data-status", "red")
    expect(row.locator("[data-cell='reasons']")).to_contain_text(
        "open severity-3 incident"
    )
    expect(row.locator("[data-cell='incidents']")).to_contain_text("1")
    assert page.evaluate("window.notReloaded") is True
    # What lies above the changed row stays put: the table and earlier rows.
    moved = page.locator("table.board").bounding_box()
    assert (moved["x"], moved["y"]) == (box["x"], box["y"])
    still = _row(page, "kpu-kab-oku").bounding_box()
    assert (still["x"], still["y"]) == (above["x"], above["y"])
    expect(page.locator("#announce")).to_contain_text("is now red")
    _shot(page, "board-live-red-monitor")
    page.context.close()


def test_as_of_shows_the_board_before_the_incident(
    server: Server, browser: Browser
) -> None:
    written = server.post(
        "/incidents",
        {
            "category": "intimidation",
            "severity": 4,
            "description": "Ancaman terhadap petugas gudang",
            "occurred_at": _now(),
            "site_id": "gudang-kpu-kab-jember",
        },
    )
    page = _page(browser)
    _sign_in(page, server, "ops")
    expect(_row(page, "gudang-kpu-kab-jember")).to_have_attribute("data-status", "red")
    page.fill("#as-of-position", str(written["position"] - 1))
    page.click("form.as-of button")
    banner = page.locator("#past-banner")
    expect(banner).to_contain_text("This is the past")
    expect(banner).to_contain_text(f"log position {written['position'] - 1}")
    row = _row(page, "gudang-kpu-kab-jember")
    expect(row).to_have_attribute("data-status", "amber")
    expect(row.locator("[data-cell='incidents']")).to_have_text("0")
    assert page.locator("table.board").get_attribute("data-live") is None
    _shot(page, "board-as-of-monitor")

    page.fill("#as-of-position", "")
    page.fill("#as-of", "2023-11-01T08:00")
    page.select_option("#as-of-zone", "WIB")
    page.click("form.as-of button")
    expect(page.locator("#past-banner")).to_contain_text("1 Nov 2023 08:00 WIB")
    page.locator("a", has_text="Back to the live board").click()
    expect(page.locator("#past-banner")).to_have_count(0)
    expect(_row(page, "gudang-kpu-kab-jember")).to_have_attribute("data-status", "red")
    page.context.close()


def test_a_site_page_shows_duty_and_its_timeline_with_corrections(
    server: Server, browser: Browser
) -> None:
    written = server.post(
        "/incidents",
        {
            "category": "suspicious_activity",
            "severity": 2,
            "description": "Orang tak dikenal memotret gudang",
            "occurred_at": _now(),
            "site_id": "bawaslu-kab-oku",
        },
    )
    server.post(
        "/corrections",
        {
            "event_id": written["event_id"],
            "reason": "keterangan saksi",
            "changes": {"description": "Dua orang tak dikenal memotret kantor"},
        },
    )
    for name, size in (("monitor", MONITOR), ("phone", PHONE)):
        page = _page(browser, size)
        _sign_in(page, server, "ops")
        page.locator("tr[data-key='bawaslu-kab-oku'] a").click()
        expect(page).to_have_url(f"{server.url}/sites/bawaslu-kab-oku")
        expect(page.locator("h1")).to_have_text("Kantor Sekretariat Bawaslu OKU")
        expect(page.locator("#duty-h + p")).to_contain_text("10/10")
        expect(page.locator("main")).to_contain_text("Bripda Anggota jaga 1 polres-oku")
        timeline = page.locator("ol.timeline")
        expect(timeline).to_contain_text("Shift started")
        expect(timeline).to_contain_text("Entry corrected")
        corrected = timeline.locator("li.corrected")
        expect(corrected.locator("del")).to_contain_text("Orang tak dikenal memotret")
        expect(corrected.locator("ins")).to_contain_text("Dua orang tak dikenal")
        # Newest first: the correction just made leads the page.
        expect(timeline.locator("li.correction").first).to_contain_text(
            "keterangan saksi"
        )
        expect(timeline.locator("time").first).to_contain_text("WIB")
        _shot(page, f"site-{name}")
        page.context.close()


def test_the_incident_board_shows_severity_age_and_response_times(
    server: Server, browser: Browser
) -> None:
    written = server.post(
        "/incidents",
        {
            "category": "riot",
            "severity": 4,
            "description": "Kericuhan di alun-alun",
            "occurred_at": _now(),
            "site_id": "alun-alun-jember",
        },
    )
    server.post(f"/incidents/{written['id']}/acknowledge", {"occurred_at": _now()})
    for name, size in (("monitor", MONITOR), ("phone", PHONE)):
        page = _page(browser, size)
        _sign_in(page, server, "ops")
        page.locator("nav a", has_text="Incidents").click()
        row = page.locator(f"tr[data-key='{written['id']}']")
        expect(row.locator("[data-cell='severity']")).to_have_text("4")
        expect(row.locator("[data-cell='where']")).to_contain_text("Alun-alun Jember")
        expect(row.locator("[data-cell='age']")).to_contain_text(" s")
        expect(row.locator("[data-cell='ack']")).not_to_have_text("—")
        expect(row.locator("[data-cell='resolve']")).to_have_text("—")
        expect(row.locator("[data-cell='reported']")).to_contain_text("WIB")
        _shot(page, f"incidents-{name}")
        page.context.close()


def test_bawaslu_sees_no_covert_guard_details(server: Server, browser: Browser) -> None:
    ops = _page(browser)
    _sign_in(ops, server, "ops")
    ops.goto(f"{server.url}/sites/kpu-kab-oku")
    expect(ops.locator("main")).to_contain_text("Anggota jaga 21 polres-oku")
    ops.context.close()
    id_number = "84120999"
    server.post(
        "/personnel",
        {
            "personnel_id": "oku-pledger",
            "id_number": id_number,
            "name": "Bripka Sutrisno",
            "unit_id": "polres-oku",
        },
    )
    server.post(
        "/neutrality/pledges",
        {
            "personnel_id": "oku-pledger",
            "election": "pilkada-2024",
            "document_ref": "Pakta integritas 12/XI/2024",
            "occurred_at": _now(),
        },
    )
    server.post(
        "/neutrality/concerns",
        {
            "reported_unit_id": "polres-oku",
            "place": "Baturaja",
            "description": "Anggota hadir di acara kampanye",
            "reporter": "Warga Baturaja",
            "occurred_at": _now(),
        },
    )
    ops = _page(browser)
    _sign_in(ops, server, "ops")
    ops.goto(f"{server.url}/register")
    concern = ops.locator("li.concern", has_text="acara kampanye")
    expect(concern).to_contain_text("in time")
    expect(concern).to_contain_text("pending")
    expect(ops.locator("main")).to_contain_text(id_number)
    _shot(ops, "register-ops-monitor")
    ops.context.close()

    for name, size in (("monitor", MONITOR), ("phone", PHONE)):
        page = _page(browser, size)
        _sign_in(page, server, "bawaslu")
        duty = _row(page, "kpu-kab-oku").locator("[data-cell='duty']")
        expect(duty).to_have_text("10/10")
        expect(
            _row(page, "bawaslu-kab-oku").locator("[data-cell='duty']")
        ).to_contain_text("Polres Ogan Komering Ulu")
        _shot(page, f"bawaslu-board-{name}")
        page.goto(f"{server.url}/sites/kpu-kab-oku")
        main = page.locator("main")
        expect(main).to_contain_text("Covert site")
        expect(main).to_contain_text("Shift started")
        for secret in ("oku-21", "Anggota jaga 21", "Anggota jaga 22", "polres-oku"):
            expect(main).not_to_contain_text(secret)
        _shot(page, f"bawaslu-site-{name}")
        page.locator("nav a", has_text="Neutrality register").click()
        expect(page.locator("h1")).to_have_text("Neutrality register")
        expect(page.locator("main")).to_contain_text("Polres Jember")
        expect(page.locator("main")).to_contain_text("Pakta integritas 12/XI/2024")
        expect(page.locator("main")).not_to_contain_text(id_number)
        _shot(page, f"bawaslu-register-{name}")
        page.context.close()


def test_a_scoped_key_sees_only_its_regions_and_pages(
    server: Server, browser: Browser
) -> None:
    page = _page(browser, PHONE)
    _sign_in(page, server, "field-sumsel")
    expect(page.locator("table.board tbody tr[data-key]")).to_have_count(3)
    expect(page.locator("nav")).not_to_contain_text("Neutrality register")
    answer = page.goto(f"{server.url}/sites/kpu-kab-jember")
    assert answer is not None and answer.status == 403
    expect(page.locator("main")).to_contain_text("outside this key's regions")
    answer = page.goto(f"{server.url}/register")
    assert answer is not None and answer.status == 403
    page.context.close()


def test_the_board_is_keyboard_navigable(server: Server, browser: Browser) -> None:
    page = _page(browser)
    _sign_in(page, server, "ops")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    # The skip link moves focus to the main content; the next Tab starts there.
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("id", "f-province")
    page.locator("tr[data-key='kpu-kab-jember'] a").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/sites/kpu-kab-jember")
    page.context.close()


def test_sign_out_ends_the_session(server: Server, browser: Browser) -> None:
    page = _page(browser)
    _sign_in(page, server, "ops")
    cookie = page.context.cookies()[0]
    page.click("form[action='/sign-out'] button")
    expect(page).to_have_url(f"{server.url}/sign-in")
    assert page.context.cookies() == []
    replay = httpx.get(
        f"{server.url}/", cookies={cookie["name"]: cookie["value"]}, timeout=10
    )
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/sign-in")
    page.context.close()
