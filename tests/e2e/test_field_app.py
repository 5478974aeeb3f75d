"""The field app on a phone (390x844) against a real `jaga serve`: enrol, record
online, then 20 actions offline through a reload and a closed tab, synced exactly once
with the phone's times; one refused, fixed and recorded. In both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.served import ARTIFACTS, MONITOR, PHONE, Server

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
BrowserContext = playwright_api.BrowserContext
Page = playwright_api.Page
expect = playwright_api.expect

SHOTS = ARTIFACTS / "field"
LOCALES = {"id": "id-ID", "en": "en-US"}
UNIT = "polres-jember"
JEMBER = (
    "kpu-kab-jember",
    "gudang-kpu-kab-jember",
    "bawaslu-kab-jember",
    "alun-alun-jember",
)
ON_DUTY = {
    "id": "sudah ada regu yang bertugas di lokasi ini",
    "en": "a team is already on duty at this site",
}
# Where the phone says it is: the Jember KPU office.
HERE = {"latitude": -8.1793, "longitude": 113.6897}


def _now() -> str:
    return datetime.now(UTC).isoformat()


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


def free_jember(server: Server) -> None:
    """Ends every team on duty at Jember's sites, then puts one at the KPU office, so
    each run meets the same board."""
    for site_id in JEMBER:
        row = api(server, "GET", f"/sites/{site_id}?wait_for_position=0")
        if row["on_duty"]:
            # Ended before the phone's offline hour begins (a shift cannot start
            # before the last one ended), and not before this one began.
            since = datetime.fromisoformat(row["on_duty"]["since"])
            ended = max(since, datetime.now(UTC) - timedelta(minutes=65))
            api(
                server,
                "POST",
                f"/sites/{site_id}/shifts/{row['on_duty']['shift_id']}/end",
                {"occurred_at": ended.isoformat()},
            )
    done = api(
        server,
        "POST",
        "/sites/kpu-kab-jember/shifts",
        {
            "unit_id": UNIT,
            "commander_id": "jbr-10",
            "roster": ["jbr-10", "jbr-11", "jbr-12"],
            "occurred_at": _now(),
        },
    )
    api(server, "GET", f"/sites/kpu-kab-jember?wait_for_position={done['position']}")


def enrolment_code(browser: Browser, server: Server, locale: str) -> str:
    context = browser.new_context(viewport=MONITOR, locale=locale)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in?next=/perangkat")
    page.fill("#key", server.keys["ops"])
    page.click("form[action='/sign-in'] button")
    expect(page).to_have_url(f"{server.url}/perangkat")
    page.select_option("#d-unit", UNIT)
    page.fill("#d-label", "HP Regu 1")
    page.click("form[action='/perangkat'] button[type=submit]")
    code = page.locator("#enrol-code").inner_text().strip()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"enrolment-desktop-{locale}.png"), full_page=True)
    context.close()
    return code


def phone(browser: Browser, locale: str) -> BrowserContext:
    context = browser.new_context(
        viewport=PHONE,
        locale=locale,
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation=HERE,
    )
    context.set_default_timeout(15_000)
    return context


def act(page: Page, action: str, **values: Any) -> None:
    page.click(f"button[data-action='{action}']")
    form = page.locator("#action-form")
    for name, value in values.items():
        if isinstance(value, list):
            for one in value:
                form.locator(f"input[name='{name}'][value='{one}']").check()
        elif name in ("status", "condition", "category", "severity", "seals"):
            form.locator(f"input[name='{name}'][value='{value}']").check(force=True)
        elif form.locator(f"select[name='{name}']").count():
            form.locator(f"select[name='{name}']").select_option(value)
        else:
            form.locator(f"[name='{name}']").fill(value)
    form.locator("button[type=submit]").click()
    expect(page.locator("#queue")).to_be_visible()


def queue(page: Page) -> list[dict[str, Any]]:
    return page.evaluate("Store.queue()")  # type: ignore[no-any-return]


def wait_all_settled(page: Page, count: int) -> None:
    expect(page.locator("#queue li[data-status='waiting']")).to_have_count(
        0, timeout=30_000
    )
    expect(page.locator("#queue li")).to_have_count(count)


@pytest.mark.parametrize("language", list(LOCALES))
def test_a_phone_enrols_records_offline_and_syncs_everything_exactly_once(
    server: Server, browser: Browser, language: str
) -> None:
    locale = LOCALES[language]
    free_jember(server)
    code = enrolment_code(browser, server, locale)
    context = phone(browser, locale)
    page = context.new_page()
    page.goto(f"{server.url}/lapangan")
    expect(page.locator("body")).to_have_attribute("data-offline-ready", "1")
    page.fill("#code", code.lower())
    page.click("#enrol button[type=submit]")
    page.click("button[data-person='jbr-01']")
    expect(page.locator("#me")).to_contain_text("Anggota jaga 1 polres-jember")

    # Online: check in by picking the site, start a shift, report an incident.
    act(page, "check_in", site="kpu-kab-jember")
    act(
        page,
        "start_shift",
        site="gudang-kpu-kab-jember",
        commander="jbr-01",
        roster=["jbr-02", "jbr-03"],
    )
    act(
        page,
        "incident",
        category="suspicious_activity",
        severity="2",
        site="gudang-kpu-kab-jember",
        description="Orang tak dikenal memotret gudang",
    )
    wait_all_settled(page, 3)
    online = queue(page)
    assert [i["status"] for i in online] == ["recorded"] * 3
    assert (
        online[0]["body"]["method"] == "gps"
        and online[0]["body"]["lat"] == HERE["latitude"]
    )
    page.screenshot(path=str(SHOTS / f"online-phone-{language}.png"), full_page=True)

    # Offline: ten actions an hour ago (the phone's clock), ten now.
    context.set_offline(True)
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    context.clock.set_system_time(an_hour_ago)
    early = [
        ("check_in", {"site": "gudang-kpu-kab-jember", "person": "jbr-02"}),
        ("check_in", {"site": "gudang-kpu-kab-jember", "person": "jbr-03"}),
        (
            "seals",
            {
                "site": "gudang-kpu-kab-jember",
                "seal_numbers": "KPU-JBR-0001\nKPU-JBR-0002",
                "status": "intact",
            },
        ),
        ("check_in", {"site": "bawaslu-kab-jember", "person": "jbr-04"}),
        ("check_in", {"site": "bawaslu-kab-jember", "person": "jbr-05"}),
        # Deliberately refused: a team is on duty at the KPU office already.
        (
            "start_shift",
            {"site": "kpu-kab-jember", "commander": "jbr-04", "roster": ["jbr-05"]},
        ),
        ("check_out", {"site": "kpu-kab-jember", "person": "jbr-01"}),
        (
            "incident",
            {
                "category": "provocation",
                "severity": "3",
                "site": "alun-alun-jember",
                "description": "Massa memprovokasi di alun-alun",
            },
        ),
        ("check_in", {"site": "alun-alun-jember", "person": "jbr-06"}),
        (
            "concern",
            {
                "unit": "kodim-0824-jember",
                "place": "Alun-alun Jember",
                "description": "Anggota berseragam ikut kampanye",
            },
        ),
    ]
    for action, values in early:
        act(page, action, **values)
    context.clock.set_system_time(datetime.now(UTC))
    late = [
        (
            "handover",
            {
                "site": "gudang-kpu-kab-jember",
                "commander": "jbr-07",
                "roster": ["jbr-08"],
                "seals": "yes",
                "observations": "Aman, segel utuh",
            },
        ),
        ("check_in", {"site": "gudang-kpu-kab-jember", "person": "jbr-07"}),
        ("check_in", {"site": "gudang-kpu-kab-jember", "person": "jbr-08"}),
        ("check_out", {"site": "gudang-kpu-kab-jember", "person": "jbr-02"}),
        ("check_out", {"site": "gudang-kpu-kab-jember", "person": "jbr-03"}),
        (
            "seals",
            {
                "site": "gudang-kpu-kab-jember",
                "seal_numbers": "KPU-JBR-0001",
                "status": "intact",
            },
        ),
        ("end_shift", {"site": "gudang-kpu-kab-jember", "notes": "Selesai"}),
        ("check_out", {"site": "bawaslu-kab-jember", "person": "jbr-04"}),
        ("check_out", {"site": "bawaslu-kab-jember", "person": "jbr-05"}),
        (
            "incident",
            {
                "category": "other",
                "severity": "1",
                "site": "kpu-kab-jember",
                "location": "Jl. Kalimantan",
                "description": "Lampu jalan padam dekat posko",
            },
        ),
    ]
    for action, values in late:
        act(page, action, **values)
    expect(page.locator("#queue li[data-status='waiting']")).to_have_count(20)
    page.screenshot(path=str(SHOTS / f"offline-phone-{language}.png"), full_page=True)
    page.evaluate("document.getElementById('queue-h').scrollIntoView()")
    page.screenshot(path=str(SHOTS / f"offline-view-{language}.png"))

    page.reload()
    expect(page.locator("#queue li[data-status='waiting']")).to_have_count(20)
    page.close()
    page = context.new_page()
    page.goto(f"{server.url}/lapangan")
    expect(page.locator("#queue li[data-status='waiting']")).to_have_count(20)
    made = [i for i in queue(page) if i["status"] == "waiting"]

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue li[data-status='waiting']")).to_have_count(
        0, timeout=30_000
    )
    refused = page.locator("#queue li[data-status='refused']")
    problems = [
        (i["action"], i["error"]) for i in queue(page) if i["status"] == "refused"
    ]
    assert [action for action, _ in problems] == ["start_shift"], problems
    expect(refused).to_contain_text(ON_DUTY[language])
    page.screenshot(path=str(SHOTS / f"refused-phone-{language}.png"), full_page=True)
    refused.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -200)")
    page.screenshot(path=str(SHOTS / f"refused-view-{language}.png"))

    # The officer picked the wrong site: fixes it and sends it again.
    refused.locator("button.fix").click()
    expect(page.locator("#action-form .refusal")).to_contain_text(ON_DUTY[language])
    page.screenshot(path=str(SHOTS / f"fix-view-{language}.png"))
    page.select_option("#action-form select[name='site']", "bawaslu-kab-jember")
    page.locator("#action-form button[type=submit]").click()
    wait_all_settled(page, 23)
    page.screenshot(path=str(SHOTS / f"synced-phone-{language}.png"), full_page=True)

    # The log holds each of the 20 exactly once, at the phone's times.
    done = {i["id"]: i for i in queue(page)}
    positions = [done[i["id"]]["result"]["position"] for i in made]
    assert len(set(positions)) == 20
    by_position: dict[int, Any] = {}
    cursor = ""
    while True:
        found = api(
            server,
            "GET",
            f"/timeline?limit=1000&wait_for_position={max(positions)}{cursor}",
        )
        by_position.update({e["position"]: e for e in found["items"]})
        if not found["next"]:
            break
        cursor = f"&cursor={found['next']}"
    key_id = by_position[positions[0]]["actor"]["id"]
    mine = [e for e in by_position.values() if e["actor"]["id"] == key_id]
    assert len(mine) == 23  # the three made online, and the twenty
    for item in made:
        event = by_position[done[item["id"]]["result"]["position"]]
        occurred = datetime.fromisoformat(event["occurred_at"])
        assert occurred == datetime.fromisoformat(item["at"])
        hour_old = datetime.now(UTC) - occurred > timedelta(minutes=30)
        assert event["late"] is hour_old, (item["action"], event)
        if item["action"] == "check_in":
            # The phone's clock when it sent the check-in, close to the server's.
            synced = datetime.fromisoformat(event["data"]["device_synced_at"])
            recorded = datetime.fromisoformat(event["recorded_at"])
            assert abs(recorded - synced) < timedelta(minutes=2), event
    assert (
        sum(
            1
            for i in made
            if datetime.now(UTC) - datetime.fromisoformat(i["at"])
            > timedelta(minutes=30)
        )
        == 10
    )
    context.close()


def test_revoking_an_enrolment_signs_the_phone_out_and_keeps_its_records(
    server: Server, browser: Browser
) -> None:
    made = api(server, "POST", "/enrolments", {"unit_id": UNIT, "label": "HP hilang"})
    context = phone(browser, LOCALES["id"])
    page = context.new_page()
    page.goto(f"{server.url}/lapangan#daftar={made['link'].split('daftar=')[1]}")
    page.click("button[data-person='jbr-09']")
    context.set_offline(True)
    act(page, "check_in", site="alun-alun-jember")
    expect(page.locator("#queue li[data-status='waiting']")).to_have_count(1)
    listed = api(server, "GET", "/enrolments")["items"]
    assert [
        e["status"] for e in listed if e["enrolment_id"] == made["enrolment_id"]
    ] == ["enrolled"]
    api(server, "POST", f"/enrolments/{made['enrolment_id']}/revoke")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#enrol .notice, .notice")).to_contain_text("dikeluarkan")
    assert [i["status"] for i in queue(page)] == ["waiting"]
    page.screenshot(path=str(SHOTS / "signed-out-phone-id.png"))
    context.close()
