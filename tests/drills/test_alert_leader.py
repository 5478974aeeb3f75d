"""The alert evaluator's leader killed with SIGKILL in the middle of an evaluation on
PostgreSQL: another takes the lead once the lock is freed, and every alert is raised
exactly once (none repeated, none missing), though the views have not yet seen what
the dead leader wrote."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from application.demo import load_demo
from infrastructure.alerts.evaluator import AlertEvaluator, read_views
from infrastructure.alerts.leader import Leadership
from infrastructure.settings import Settings
from infrastructure.views.wiring import projections, view_store
from infrastructure.wiring import open_app

LEADER = """
import sys, time
from infrastructure.settings import Settings
from infrastructure.wiring import open_app
from infrastructure.alerts.evaluator import AlertEvaluator
from infrastructure.alerts.leader import Leadership
from infrastructure.views.wiring import view_store
url, marker = sys.argv[1], sys.argv[2]
app = open_app(Settings(database_url=url))
lead = Leadership(url)
assert lead.hold()
evaluator = AlertEvaluator(app, view_store(app), leadership=lead)
writes = [0]
def between():
    writes[0] += 1
    if writes[0] == 4:  # three alerts written, the rest not yet
        open(marker, "w").write("mid-evaluation")
        time.sleep(600)
evaluator.between_writes = between
evaluator.evaluate()
"""


def raised(app: Any) -> Counter[tuple[str, str]]:
    return Counter(
        (r["data"]["rule"], r["data"]["subject"])
        for r in app.records(limit=100_000)
        if r["type"] == "AlertRaised"
    )


def test_a_leader_killed_mid_evaluation_is_replaced_without_duplicate_or_missing_alerts(
    pg_database: Any, tmp_path: Path
) -> None:
    url = pg_database()
    app = open_app(Settings(database_url=url))
    try:
        load_demo(app)
        projections(app).catch_up()
        marker = tmp_path / "marker"
        leader = subprocess.Popen(
            [sys.executable, "-c", LEADER, url, str(marker)],
            stderr=open(tmp_path / "leader.log", "wb"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert leader.poll() is None, (tmp_path / "leader.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        successor = Leadership(url)
        assert not successor.hold()  # the leader, mid-evaluation, holds the lock
        leader.send_signal(signal.SIGKILL)
        leader.wait()
        before = raised(app)
        assert sum(before.values()) == 3
        deadline = time.monotonic() + 30
        while not successor.hold():
            assert time.monotonic() < deadline, "the lock was never freed"
            time.sleep(0.1)
        # The views have not folded the dead leader's three alerts yet.
        assert not read_views(view_store(app)).alerts
        evaluator = AlertEvaluator(app, view_store(app), leadership=successor)
        evaluator.evaluate()
        projections(app).catch_up()
        evaluator.evaluate()
        after = raised(app)
        assert set(after.values()) == {1}, after
        assert set(before) <= set(after)
        findings = AlertEvaluator(app, view_store(app)).evaluate()
        assert findings["raised"] == 0
        assert len(after) > 3
        successor.release()
    finally:
        app.close()
