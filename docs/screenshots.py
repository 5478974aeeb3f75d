"""The README's screenshots of the live demo: `python docs/screenshots.py`.

Loads the demo with its voting day today into a scratch store, serves it, signs in
with an ops key in headless Chromium and saves the board and a red site's page in
docs/. Needs Debian's Chromium (`make browser`) and Playwright.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
JAGA = Path(sys.executable).with_name("jaga")
CHROMIUM = os.environ.get("JAGA_CHROMIUM", "/usr/bin/chromium")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        env = {
            **os.environ,
            "JAGA_DATABASE_URL": f"sqlite:///{work}/jaga.sqlite3",
            "JAGA_SIGNING_KEY_FILE": f"{work}/signing.key",
            "JAGA_ENV": "dev",
        }
        run = {"env": env, "cwd": work, "check": True, "text": True}
        print(
            subprocess.run([JAGA, "demo", "--today"], capture_output=True, **run).stdout
        )
        made = subprocess.run(
            [JAGA, "keys", "create", "--role", "ops", "--name", "screenshots"],
            capture_output=True,
            **run,
        )
        key = made.stdout.strip().splitlines()[-1]
        port = _port()
        server = subprocess.Popen(
            [JAGA, "serve", "--port", str(port)],
            env=env,
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            shoot(url, key)
        finally:
            server.terminate()
            server.wait(timeout=10)


def shoot(url: str, key: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en")
        page.goto(f"{url}/sign-in")
        page.fill("#key", key)
        page.click("form[action='/sign-in'] button")
        page.wait_for_selector("table.board tbody tr[data-key]")
        page.screenshot(path=str(DOCS / "board.png"), full_page=True)
        page.locator("table.board tr[data-status='red'] a").first.click()
        page.wait_for_selector("ol.timeline")
        page.screenshot(path=str(DOCS / "site.png"))
        browser.close()


if __name__ == "__main__":
    main()
