"""The map in a real browser: every demo site a pin coloured by its status, live like
the board; with the tile server unreachable, the pins still draw on a plain
background with the province and regency names."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.served import ARTIFACTS, MONITOR, PHONE, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
Page = playwright_api.Page
expect = playwright_api.expect

# A tile server that is not there: the map must not need one.
SERVER_ENV = {"JAGA_MAP_TILES": "http://127.0.0.1:9/{z}/{x}/{y}.png"}
SHOTS = ARTIFACTS / "map"
DEMO_SITES = 13


def _page(browser: Browser, server: Server, size: dict[str, int]) -> Page:
    context = browser.new_context(viewport=size, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    expect(page).to_have_url(f"{server.url}/")
    return page


def test_the_map_shows_every_demo_site_without_a_tile_server(
    server: Server, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("desktop", MONITOR), ("phone", PHONE)):
        page = _page(browser, server, size)
        page.goto(f"{server.url}/peta")
        pins = page.locator("#map path[data-site]")
        expect(pins).to_have_count(DEMO_SITES)
        expect(page.locator("#map [data-site='kpu-kab-oku']")).to_have_attribute(
            "data-status", "red"
        )
        labels = page.locator("#map .region")
        expect(labels.filter(has_text="Kabupaten Jember")).to_have_count(1)
        expect(labels.filter(has_text="Sumatera Selatan")).to_have_count(1)
        page.screenshot(path=str(SHOTS / f"map-{name}.png"))
        page.goto(f"{server.url}/")
        if size == PHONE:  # folded at phone width, so the sites come first
            page.locator("details.board-map summary").click()
        expect(page.locator("#map path[data-site]")).to_have_count(DEMO_SITES)
        page.screenshot(path=str(SHOTS / f"board-map-{name}.png"))
        page.context.close()


def test_the_map_is_filtered_and_live_like_the_board(
    server: Server, browser: Browser
) -> None:
    page = _page(browser, server, MONITOR)
    page.goto(f"{server.url}/peta?regency=kab-jember")
    expect(page.locator("#map path[data-site]")).to_have_count(4)
    pin = page.locator("#map [data-site='alun-alun-jember']")
    expect(pin).not_to_have_attribute("data-status", "red")
    answer = httpx.post(
        f"{server.url}/api/v1/incidents",
        json={
            "category": "riot",
            "severity": 4,
            "site_id": "alun-alun-jember",
            "description": "Kericuhan di alun-alun",
            "occurred_at": datetime.now(UTC).isoformat(),
        },
        headers={"Authorization": f"Bearer {server.keys['ops']}"},
    )
    assert answer.status_code == 201, answer.text
    expect(pin).to_have_attribute("data-status", "red", timeout=20_000)
    page.context.close()
