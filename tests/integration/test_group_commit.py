"""Group commit keeps every acknowledged event in commit order and isolates failures."""

from __future__ import annotations

import threading
from typing import Any

from application.app import Jaga
from application.commands.duty import CheckIn
from application.commit import GroupCommitter
from domain import checkin
from tests.integration.scenario import FIELD, T0, ctx, jember, site_of


def prepared_check_in(jaga: Jaga, personnel_id: str) -> Any:
    record = checkin.CheckIn.record(
        "kpu-kab-jember", personnel_id=personnel_id, method="qr", occurred_at=T0
    )
    return jaga.prepare(ctx(FIELD), str(record.id), [record], None)


def test_concurrent_commands_are_all_kept_in_fewer_transactions(jaga: Jaga) -> None:
    jember(jaga, guards=40)
    committer = GroupCommitter(jaga.store)
    jaga.use_committer(committer)
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        for _ in range(5):
            a = jaga.run(
                ctx(FIELD),
                CheckIn(
                    site_id="kpu-kab-jember",
                    personnel_id=f"jbr-{i:02d}",
                    method="qr",
                    occurred_at=T0,
                ),
            )
            with lock:
                answers.append(a)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(1, 41)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 200
    stored = {r["event_id"]: r["position"] for r in jaga.records(limit=10_000)}
    for a in answers:
        assert stored[a["event_id"]] == a["position"]
    positions = sorted(stored.values())
    assert positions == list(range(1, len(positions) + 1))
    assert committer.writes == 200
    assert committer.transactions < 200


def test_failing_write_is_isolated_from_its_batch_mates(jaga: Jaga) -> None:
    jember(jaga, guards=3)
    good_1 = prepared_check_in(jaga, "jbr-01")
    good_2 = prepared_check_in(jaga, "jbr-02")
    # A second registration of an existing site conflicts in the store itself.
    site = site_of(jaga, "kpu-kab-jember")
    from domain.site import Site

    twin = Site.register(
        site_id="kpu-kab-jember",
        kind="kpu_office",
        name="X",
        province="jawa-timur",
        regency="kab-jember",
        occurred_at=T0,
    )
    clash = jaga.prepare(ctx(), "kpu-kab-jember", [twin], None)
    before = jaga.log.max_position()
    outcome = jaga.store.append([good_1, clash, good_2])
    assert outcome[0].status == "stored" and outcome[2].status == "stored"
    assert outcome[1].status == "conflict"
    assert jaga.log.max_position() == before + 2
    assert site.version == 1


def test_two_writes_on_one_version_in_a_batch_let_the_first_win(jaga: Jaga) -> None:
    jember(jaga, guards=2)
    a = site_of(jaga, "kpu-kab-jember")
    b = site_of(jaga, "kpu-kab-jember")
    a.change_alert_level("siaga", "masa tenang", T0)
    b.change_alert_level("awas", "massa berkumpul", T0)
    wa = jaga.prepare(ctx(), "kpu-kab-jember", [a], None)
    wb = jaga.prepare(ctx(), "kpu-kab-jember", [b], None)
    outcome = jaga.store.append([wa, wb])
    assert outcome[0].status == "stored"
    assert outcome[1].status == "conflict"
    assert site_of(jaga, "kpu-kab-jember").alert_level == "siaga"


def test_group_commit_gives_the_same_log_as_one_by_one(
    store_url: str, tmp_path: Any
) -> None:
    from application.calendar import ElectionCalendar
    from infrastructure.store import library_env

    def run(url: str, grouped: bool) -> list[tuple[Any, ...]]:
        app = Jaga(env=library_env(url), calendar=ElectionCalendar.load())
        if grouped:
            app.use_committer(GroupCommitter(app.store))
        try:
            jember(app, guards=5)
            for i in range(1, 6):
                app.run(
                    ctx(FIELD),
                    CheckIn(
                        site_id="kpu-kab-jember",
                        personnel_id=f"jbr-{i:02d}",
                        method="qr",
                        occurred_at=T0,
                    ),
                )
            return [
                (
                    r["position"],
                    r["type"],
                    r["data"].get("personnel_id"),
                    r["data"].get("site_id"),
                )
                for r in app.records(limit=1000)
            ]
        finally:
            app.close()

    other = f"sqlite:///{tmp_path / 'one-by-one.sqlite3'}"
    assert run(store_url, grouped=True) == run(other, grouped=False)
