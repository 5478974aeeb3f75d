"""PDF from a report's printable HTML, by headless Chromium's print-to-PDF: the page
a browser prints is the PDF, with the page rules of the report's own CSS."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 90
# Each render starts a browser (a few hundred MB); more at once only queue up.
RENDERS = threading.BoundedSemaphore(2)


class PdfUnavailable(RuntimeError):
    """No browser to print with, or it failed; the HTML report still works."""


def chromium() -> str:
    named = os.environ.get("JAGA_CHROMIUM")
    if named:
        return named
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfUnavailable(
        "no Chromium to print the PDF with: install chromium or set JAGA_CHROMIUM"
    )


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page (it loads nothing from anywhere)."""
    browser = chromium()
    with RENDERS, tempfile.TemporaryDirectory(prefix="jaga-pdf-") as folder:
        page = Path(folder) / "report.html"
        out = Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        if os.geteuid() == 0:  # Chromium refuses its sandbox to root
            command.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfUnavailable(
                f"Chromium could not print the report: {error}"
            ) from None
        if not out.is_file() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfUnavailable(
                "Chromium printed no PDF: " + " / ".join(tail or ["no message"])
            )
        return out.read_bytes()
