"""Reports from the dashboard, in a real browser against a real `jaga serve` with the
demo: choose a report, read the printable page, download the PDF."""

from __future__ import annotations

import pytest

from tests.e2e.served import ARTIFACTS, MONITOR, PHONE, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
expect = playwright_api.expect
SHOTS = ARTIFACTS / "reports"


def test_a_daily_report_is_chosen_read_and_downloaded_from_the_dashboard(
    server: Server, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("phone", PHONE), ("monitor", MONITOR)):
        context = browser.new_context(viewport=size, locale="id-ID")
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto(f"{server.url}/sign-in")
        page.fill("#key", server.keys["ops"])
        page.click("form[action='/sign-in'] button")
        page.goto(f"{server.url}/reports")
        expect(page.locator("h1")).to_have_text("Laporan")
        page.select_option("#d-site", "gudang-kpu-kab-jember")
        page.fill("#d-date", "2024-01-03")
        page.screenshot(path=str(SHOTS / f"dashboard-form-{name}.png"))
        page.click("form[action='/reports/daily'] button[value='html']")
        expect(page.locator("h1")).to_have_text("Laporan kegiatan harian")
        expect(page.locator("body")).to_contain_text("Segel pintu gudang")
        page.screenshot(path=str(SHOTS / f"dashboard-daily-{name}.png"))
        pdf = page.request.get(
            f"{server.url}/reports/daily?site_id=gudang-kpu-kab-jember"
            "&date=2024-01-03&shape=pdf"
        )
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF-")
        context.close()


def test_the_reports_page_refuses_field_keys_and_bad_input(
    server: Server, browser: Browser
) -> None:
    context = browser.new_context(viewport=MONITOR, locale="en-US")
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    bad = page.goto(f"{server.url}/reports/daily?site_id=kpu-kab-jember&date=soon")
    assert bad is not None and bad.status == 422
    unknown = page.goto(f"{server.url}/reports/weekly")
    assert unknown is not None and unknown.status == 404
    context.close()
    context = browser.new_context(viewport=MONITOR)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#key", server.keys["field-sumsel"])
    page.click("form[action='/sign-in'] button")
    refused = page.goto(f"{server.url}/reports")
    assert refused is not None and refused.status == 403
    context.close()
