"""The benchmark tells a request slowed by the disk from the others (benchmarks/tail.py,
benchmarks/probes.py): a request is counted as during a disk stall when the disk probe's
flush of 50 ms or more overlaps it, and only then."""

from benchmarks import probes
from benchmarks.tail import _during_a_stall


def test_a_request_is_during_a_stall_only_when_a_long_flush_overlaps_it():
    raw = {"disk": [(10.0, 0.0003), (10.05, 0.2), (10.3, 0.0004), (11.0, 0.06), (11.1, 0.049)]}
    stalls = sorted(probes.disk_stalls(raw))
    assert stalls == [(10.05, 10.25), (11.0, 11.06)]  # 49 ms is not a stall
    assert _during_a_stall(stalls, 10.2, 10.4)  # began during the first
    assert _during_a_stall(stalls, 9.9, 10.1)  # the stall began during the request
    assert _during_a_stall(stalls, 9.0, 12.0)  # spans both
    assert not _during_a_stall(stalls, 10.26, 10.99)  # between them
    assert not _during_a_stall(stalls, 11.07, 11.2)
    assert not _during_a_stall([], 0.0, 100.0)


def test_the_phase_summary_counts_the_disks_stalls():
    ticks = [[t / 10, *([0] * 8), 0, 1, 0] for t in range(30)]
    flushes = [(0.1 * i, 0.0002) for i in range(20)] + [(2.0, 0.07), (2.1, 0.15)]
    summary = probes.summarize(
        {
            "ticks": ticks,
            "activity": {"polls": 0, "sessions": {}},
            "postgres": {},
            "log": [],
            "disk": flushes,
        }
    )
    assert summary["disk"]["flushes"] == 22
    assert summary["disk"]["stalls"] == 2 and summary["disk"]["stalls_100ms"] == 1
    assert summary["disk"]["max_ms"] == 150.0 and summary["disk"]["p50_ms"] == 0.2
