"""The long commands draw a progress bar in a terminal and end with a one-line
summary in the terminal's language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = "from interfaces.cli.main import app; app()"


def _jaga(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JAGA_DATABASE_URL": f"sqlite:///{folder / 'jaga.sqlite3'}",
        "JAGA_SIGNING_KEY_FILE": str(folder / "signing.key"),
        "JAGA_LANG": "id",
        "TTY_COMPATIBLE": "1",  # rich draws as it would in a terminal
    }
    done = subprocess.run(
        [sys.executable, "-c", CLI, *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_long_commands_show_progress_and_end_with_a_summary(tmp_path: Path) -> None:
    _jaga(tmp_path, "keys", "signing-init")
    demo = _jaga(tmp_path, "demo")
    assert "memuat demo" in demo.stderr
    assert demo.stdout.startswith("demo: hari pemungutan suara ")
    n = int(demo.stdout.split("log di posisi ")[1]) + 1  # the log after the import
    unit = {
        "idempotency_key": "import-1",
        "method": "POST",
        "path": "/api/v1/units",
        "body": {
            "unit_id": "polsek-patrang",
            "name": "Polsek Patrang",
            "kind": "polri",
            "province": "jawa-timur",
            "regency": "kab-jember",
        },
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(unit) + "\n")
    imported = _jaga(tmp_path, "import", "in.jsonl")
    assert "mengimpor" in imported.stderr and "1/1" in imported.stderr
    assert "impor: 1 ditulis, 0 sudah ada, 0 ditolak, dari 1 baris" in imported.stdout
    exported = _jaga(tmp_path, "export", "--to", str(n), "b.jsonl")
    assert "mengekspor" in exported.stderr and f"{n}/{n}" in exported.stderr
    assert f"posisi 1..{n} diekspor ke b.jsonl" in exported.stderr
    verified = _jaga(tmp_path, "verify")
    assert "memverifikasi" in verified.stderr and f"{n}/{n}" in verified.stderr
    assert verified.stdout.strip() == f"OK: penyimpanan aktif: pohon berukuran {n}"
    _jaga(tmp_path, "project")
    rebuilt = _jaga(tmp_path, "rebuild")
    assert "membangun ulang" in rebuilt.stderr and f"{n}/{n}" in rebuilt.stderr
    assert f"semua tampilan dibangun ulang dari {n} catatan" in rebuilt.stdout
    backed = _jaga(tmp_path, "backup", "log.backup")
    assert "mencadangkan" in backed.stderr and f"{n}/{n}" in backed.stderr
    assert f"{n} catatan dicadangkan ke log.backup" in backed.stdout
