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
    assert demo.stdout.startswith("demo: 170 langkah, 170 catatan baru")
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
    exported = _jaga(tmp_path, "export", "--to", "171", "b.jsonl")
    assert "mengekspor" in exported.stderr and "171/171" in exported.stderr
    assert "posisi 1..171 diekspor ke b.jsonl" in exported.stderr
    verified = _jaga(tmp_path, "verify")
    assert "memverifikasi" in verified.stderr and "171/171" in verified.stderr
    assert verified.stdout.strip() == "OK: penyimpanan aktif: pohon berukuran 171"
    _jaga(tmp_path, "project")
    rebuilt = _jaga(tmp_path, "rebuild")
    assert "membangun ulang" in rebuilt.stderr and "171/171" in rebuilt.stderr
    assert "semua tampilan dibangun ulang dari 171 catatan" in rebuilt.stdout
    backed = _jaga(tmp_path, "backup", "log.backup")
    assert "mencadangkan" in backed.stderr and "171/171" in backed.stderr
    assert "171 catatan dicadangkan ke log.backup" in backed.stdout
