"""The voting-day workload is the same for a seed and scales with the factor."""

from __future__ import annotations

from infrastructure.bench.workload import REGENCIES, Workload


def fingerprint(w: Workload) -> list[tuple[str, str, str]]:
    ops = [o for phase in w.setup() for o in phase] + list(w.voting_day())
    return [(o.path, repr(sorted(o.body.items())), o.key) for o in ops]


def test_same_seed_gives_the_same_requests() -> None:
    assert fingerprint(Workload(0.002, seed=7)) == fingerprint(Workload(0.002, seed=7))


def test_another_seed_gives_other_requests() -> None:
    assert fingerprint(Workload(0.002, seed=7)) != fingerprint(Workload(0.002, seed=8))


def test_province_has_38_regencies_and_tps_follow_the_scale() -> None:
    assert len(REGENCIES) == 38
    small, large = Workload(0.005), Workload(0.05)
    assert abs(large.tps_count - 6000) < 100
    assert 9 < large.tps_count / small.tps_count < 11


def test_every_reference_is_saved_before_it_is_used() -> None:
    w = Workload(0.002, seed=3)
    saved: set[str] = set()
    for phase in w.setup():
        for op in phase:
            assert set(op.needs) <= saved, op.path
        saved |= {op.save_as for op in phase if op.save_as}
    for op in w.voting_day():
        assert set(op.needs) <= saved, op.path
        if op.save_as:
            saved.add(op.save_as)


def test_day_is_in_field_time_order_and_peaks_at_opening() -> None:
    w = Workload(0.005, seed=1)
    day = list(w.voting_day())
    assert all(a.at <= b.at for a, b in zip(day, day[1:], strict=False))
    per_hour = [len(w.hour(h)) for h in range(24)]
    assert max(per_hour) == per_hour[7] or per_hour[7] >= 0.9 * max(per_hour)
    assert per_hour[7] > 3 * per_hour[3]
