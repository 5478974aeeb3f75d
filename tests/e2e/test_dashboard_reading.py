"""Reading the dashboard as people do: the worst sites first, compact cards on a
phone, a site's timeline newest first with days to choose and pages both ways, and
times inside entries in the site's zone."""

from __future__ import annotations

import re

import pytest

from tests.e2e.served import ARTIFACTS, MONITOR, PHONE, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
Page = playwright_api.Page
expect = playwright_api.expect

SHOTS = ARTIFACTS / "dashboard"
ORDER = {"red": 0, "amber": 1, "green": 2}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _page(browser: Browser, server: Server, size: dict[str, int]) -> Page:
    context = browser.new_context(viewport=size, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    expect(page).to_have_url(f"{server.url}/")
    return page


def test_the_board_lists_red_then_amber_then_green(
    server: Server, browser: Browser
) -> None:
    page = _page(browser, server, MONITOR)
    rows = page.locator("table.board tbody tr[data-key]")
    expect(rows.first).to_be_visible()
    statuses = rows.evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == sorted(statuses, key=ORDER.__getitem__)
    assert statuses[0] == "red"
    page.context.close()


def test_a_site_is_a_compact_card_at_phone_width(
    server: Server, browser: Browser
) -> None:
    page = _page(browser, server, PHONE)
    rows = page.locator("table.board tbody tr[data-key]")
    expect(rows.first).to_be_visible()
    heights = rows.evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "board-compact-phone.png"), full_page=True)
    assert max(heights) < 200, heights  # was about 430 px a site
    page.context.close()


def test_a_site_timeline_is_newest_first_with_days_and_pages_both_ways(
    server: Server, browser: Browser
) -> None:
    page = _page(browser, server, MONITOR)
    page.goto(f"{server.url}/sites/kpu-kab-jember")
    positions = page.locator("ol.timeline li.event .when .sub").evaluate_all(
        "subs => subs.map(s => parseInt(s.textContent.match(/#(\\d+)/)[1], 10))"
    )
    assert positions == sorted(positions, reverse=True) and len(positions) > 3
    text = page.locator("ol.timeline").inner_text()
    assert not ISO.search(text), "a time inside an entry is not in the site's zone"
    assert "WIB" in text
    # One day only: 3 Jan 2024 in WIB, the day the demo's guard began there.
    page.fill("#tl-from", "2024-01-03")
    page.fill("#tl-to", "2024-01-03")
    page.click("form[aria-label] button:has-text('Tampilkan')")
    days = page.locator("ol.timeline li.event .when").evaluate_all(
        "whens => whens.map(w => w.querySelector('time').textContent)"
    )
    assert days and all(d.startswith("3 Jan 2024") for d in days), days
    page.screenshot(path=str(SHOTS / "site-timeline-day.png"))


def test_timeline_pages_go_back_and_forth(server: Server, browser: Browser) -> None:
    page = _page(browser, server, MONITOR)
    page.goto(f"{server.url}/sites/kpu-kab-jember")
    first = page.locator("ol.timeline li.event").first.get_attribute("id")
    # A small page to walk with: older from the newest entry, then back.
    newest = page.locator("ol.timeline li.event .when .sub").first.inner_text()
    top = int(re.search(r"#(\d+)", newest).group(1))  # type: ignore[union-attr]
    page.goto(f"{server.url}/sites/kpu-kab-jember?older={top}")
    expect(page.locator("a[rel=prev]").first).to_be_visible()
    older_first = page.locator("ol.timeline li.event").first.get_attribute("id")
    assert older_first != first
    page.locator("a[rel=prev]").first.click()
    expect(page.locator("ol.timeline li.event").first).to_have_attribute(
        "id", first or ""
    )
    page.context.close()
