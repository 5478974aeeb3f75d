"""/docs in a real browser with every request beyond Jaga's own address refused:
Swagger UI comes from Jaga, so the API reference still shows every section."""

from __future__ import annotations

import pytest

from tests.e2e.served import MONITOR, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
Route = playwright_api.Route
expect = playwright_api.expect


def test_docs_show_the_api_with_no_network_beyond_jaga(
    server: Server, browser: Browser
) -> None:
    context = browser.new_context(viewport=MONITOR)
    context.set_default_timeout(15_000)
    outside: list[str] = []

    def only_jaga(route: Route) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_jaga)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.goto(f"{server.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Jaga")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock").count() > 50
    assert outside == [] and errors == [], (outside, errors)
    context.close()
