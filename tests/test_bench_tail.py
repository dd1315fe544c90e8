"""The benchmark tells a request slowed by the disk from the others (benchmarks/tail.py,
benchmarks/probes.py): a request is counted as during a disk stall when the disk probe's
flush of 50 ms or more overlaps it, and only then."""

from types import SimpleNamespace

import pytest
from benchmarks import probes
from benchmarks.tail import _during_a_stall, in_django, waited_with_a_free_worker


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


def test_a_wait_counts_as_with_a_free_worker_only_while_fewer_requests_are_in_django():
    # Two workers; requests in Django over [0, 1] and [0.5, 2]: both busy over [0.5, 1].
    spans = sorted([(0.0, 1.0), (0.5, 2.0)])
    assert waited_with_a_free_worker(spans, 0.0, 1.0, 2) == 0.5  # [0, 0.5] had one free
    assert waited_with_a_free_worker(spans, 0.6, 0.9, 2) == 0.0  # both serving throughout
    assert abs(waited_with_a_free_worker(spans, 0.9, 3.0, 2) - 2.0) < 1e-9
    assert waited_with_a_free_worker(spans, 0.6, 0.9, 3) == pytest.approx(0.3)  # a third
    assert waited_with_a_free_worker([], 1.0, 1.5, 4) == 0.5
    assert waited_with_a_free_worker(spans, 1.0, 1.0, 2) == 0.0


def test_requests_are_placed_in_django_from_their_send_time_queue_and_app():
    # A phase and its samples as load.py records them (the fields in_django reads).
    phase = SimpleNamespace(
        started=100.0,
        samples=[
            SimpleNamespace(started=1.0, server={"queue": 10.0, "app": 30.0}),
            SimpleNamespace(started=2.0, server={"app": 30.0}),  # no stamp: left out
        ],
    )
    (span,) = in_django(phase)
    assert abs(span[0] - 101.01) < 1e-9 and abs(span[1] - 101.04) < 1e-9
