"""Every page in both languages, and no word on screen that the catalog did not give.

The visible text of each page (and the titles, labels and placeholders a screen
reader says) is cut into the catalog's fragments of that language and the data's
own strings (names, descriptions, ids from the log); whatever is left must hold no
letters. A word typed into a template or a script without `_()` / `t()` is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from babel.messages.pofile import read_po

from interfaces import i18n
from tests.e2e.served import ARTIFACTS, MONITOR, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
Page = playwright_api.Page
expect = playwright_api.expect

LOCALES = {"id": "id-ID", "en": "en-US"}
# Words that are the same in every language: the product, zones, language names.
# Commands are code, the same in both.
NAMES = (
    "Jaga Lapangan",
    "Jaga",
    "WIB",
    "WITA",
    "WIT",
    "UTC",
    "Bahasa Indonesia",
    "English",
    "jaga keys create",
    "no-such-site",  # typed by the person, shown back
    "/lapangan",
    "ABCD-EFGH",  # the form of an enrolment code
)
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
LETTER = re.compile(r"[^\W\d_]")

VISIBLE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  const named = "[title],[aria-label],[placeholder],[alt]";
  for (const el of document.querySelectorAll(named)) {
    for (const name of ["title", "aria-label", "placeholder", "alt"]) {
      const value = el.getAttribute(name);
      if (value) parts.push(value);
    }
  }
  for (const el of document.querySelectorAll("option")) parts.push(el.textContent);
  return parts.join("\\n");
}"""


def fragments(language: str) -> list[str]:
    """The catalog's words in a language: each translation cut at its parameters."""
    with i18n.po_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    found: set[str] = set()
    for message in catalog:
        if message.id and message.string:
            for part in PLACEHOLDER.split(str(message.string)):
                part = part.strip()
                if LETTER.search(part):
                    found.add(part)
    return sorted(found, key=len, reverse=True)


def _strings(value: Any, into: set[str]) -> None:
    if isinstance(value, str):
        if LETTER.search(value):
            into.add(value.strip())
    elif isinstance(value, dict):
        for key, inner in value.items():
            _strings(inner, into)
            if isinstance(inner, str | int):
                into.add(str(key))
    elif isinstance(value, list):
        for inner in value:
            _strings(inner, into)


def data_strings(server: Server) -> list[str]:
    """Every string the log holds (names, descriptions, ids), and the keys' names."""
    found: set[str] = {"ops e2e", "bawaslu e2e", "field e2e", "demo"}
    headers = {"Authorization": f"Bearer {server.keys['ops']}"}
    cursor = None
    while True:
        params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(
            f"{server.url}/api/v1/timeline", params=params, headers=headers, timeout=30
        ).json()
        for item in page["items"]:
            _strings(item["data"], found)
            _strings(item["actor"], found)
            found.add(item.get("election") or "")
        cursor = page["next"]
        if not cursor:
            break
    sites = httpx.get(
        f"{server.url}/api/v1/sites", params={"limit": 1000}, headers=headers
    ).json()
    _strings(sites["items"], found)
    return sorted((s for s in found if s), key=len, reverse=True)


def leftover(text: str, allowed: list[str]) -> list[str]:
    """The lines of `text` that still hold letters once every allowed piece is
    cut out (whole words only, longest pieces first)."""
    left = []
    for line in text.splitlines():
        rest = line
        for piece in allowed:
            if piece.lower() in rest.lower():  # CSS and `upper` change the case
                before = r"(?<!\w)" if piece[0].isalnum() else ""
                after = r"(?!\w)" if piece[-1].isalnum() else ""
                rest = re.sub(before + re.escape(piece) + after, " ", rest, flags=re.I)
        if LETTER.search(rest):
            left.append(f"{line!r} -> {rest.strip()!r}")
    return left


@pytest.fixture(scope="module")
def data(server: Server) -> list[str]:
    return data_strings(server)


@pytest.fixture(params=list(LOCALES))
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Browser, language: str) -> Iterator[Page]:
    context = browser.new_context(viewport=MONITOR, locale=LOCALES[language])
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def dashboard_pages(server: Server) -> list[str]:
    return [
        "/",
        "/?as_of=2024-11-27T08:00&zone=WIB",
        "/?status=red",
        "/sites/kpu-kab-jember",
        "/sites/bawaslu-kab-oku",
        "/sites/gudang-kpu-kab-tuban?as_of_position=120",
        "/sites/no-such-site",
        "/incidents?status=all",
        "/register?all=1",
        "/perangkat",
        "/peta",
        "/poster?regency=kab-jember",
    ]


def check(page: Page, language: str, allowed: list[str]) -> None:
    assert page.locator("html").get_attribute("lang") == language
    left = leftover(page.evaluate(VISIBLE_TEXT), allowed)
    assert not left, f"{page.url} ({language}) shows words not in the catalog: {left}"


def test_every_dashboard_page_speaks_only_the_catalog_in_both_languages(
    server: Server, page: Page, language: str, data: list[str]
) -> None:
    allowed = sorted([*fragments(language), *data, *NAMES], key=len, reverse=True)
    page.goto(f"{server.url}/sign-in")
    check(page, language, allowed)
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    for path in dashboard_pages(server):
        page.goto(f"{server.url}{path}")
        check(page, language, allowed)
    (ARTIFACTS / "languages").mkdir(parents=True, exist_ok=True)
    page.goto(f"{server.url}/sites/kpu-kab-jember")
    page.screenshot(path=str(ARTIFACTS / "languages" / f"site-{language}.png"))


def test_the_language_switch_is_remembered_by_the_browser(
    server: Server, browser: Browser
) -> None:
    context = browser.new_context(viewport=MONITOR, locale="id-ID")
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    expect(page.locator("h1")).to_have_text("Masuk")
    page.click("form.lang button[value='en']")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto(f"{server.url}/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("form.lang button[value='id']")
    expect(page.locator("h1")).to_have_text("Masuk")
    context.close()


def test_every_field_app_screen_speaks_only_the_catalog_in_both_languages(
    server: Server, browser: Browser, language: str, data: list[str]
) -> None:
    allowed = sorted([*fragments(language), *data, *NAMES], key=len, reverse=True)
    made = httpx.post(
        f"{server.url}/api/v1/enrolments",
        json={"unit_id": "polres-jember", "label": "HP bahasa"},
        headers={"Authorization": f"Bearer {server.keys['ops']}"},
    ).json()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=LOCALES[language]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{server.url}/lapangan")
    expect(page.locator("#enrol")).to_be_visible()
    check(page, language, allowed)
    page.fill("#code", made["code"])
    page.click("#enrol button[type=submit]")
    expect(page.locator("button[data-person]").first).to_be_visible()
    check(page, language, allowed)
    page.locator("button[data-person='jbr-01']").click()
    actions = page.locator("button[data-action]")
    expect(actions.first).to_be_visible()
    check(page, language, allowed)
    for index in range(actions.count()):
        page.locator("button[data-action]").nth(index).click()
        expect(page.locator("#action-form")).to_be_visible()
        check(page, language, allowed)
        page.locator("#action-form button.secondary").click()
    context.close()
