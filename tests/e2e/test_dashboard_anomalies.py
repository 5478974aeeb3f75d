"""Field anomalies on the dashboard, in the users' language: listed with people by
rank and name and times in the site's zone, counted among the site's reasons, and
flagged on the timeline entry that shows them."""

from __future__ import annotations

import pytest

from tests.e2e.served import MONITOR, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
expect = playwright_api.expect


def test_anomalies_are_listed_and_flagged_where_people_look(
    server: Server, browser: Browser
) -> None:
    context = browser.new_context(viewport=MONITOR, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    page.click("nav a[href='/anomali']")
    rows = page.locator("table.anomalies tbody tr")
    expect(rows.first).to_be_visible()
    codes = set(rows.evaluate_all("rows => rows.map(r => r.dataset.code)"))
    assert codes == {
        "check_out_without_check_in",
        "visit_off_route",
        "gps_far_from_site",
        "probable_duplicate_incident",
        "device_clock_off",
    }
    far = page.locator("tr[data-code='gps_far_from_site']")
    expect(far).to_contain_text("Bripda Anggota jaga 3 polres-oku")
    expect(far).to_contain_text("6.1 km")
    expect(far).to_contain_text("27 Nov 2024 06.40 WIB")
    page.select_option("#a-code", "device_clock_off")
    page.click("form.filters button")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("40 menit lebih lambat")

    page.goto(f"{server.url}/sites/bawaslu-kab-oku")
    expect(page.locator("#anom-h")).to_be_visible()
    flagged = page.locator("ol.timeline li.flagged")
    expect(flagged.first).to_be_visible()
    expect(flagged.locator(".anomaly").first).to_contain_text("Kejanggalan lapangan")
    context.close()
