"""The dashboard's result cache: one computation per key, bounded, no poisoned keys."""

from __future__ import annotations

import threading
import time

import pytest

from hearth.actions.dashboard import ResultCache


def test_concurrent_misses_compute_once() -> None:
    cache = ResultCache()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get(("k",), compute)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8 and len(calls) == 1


def test_bounded_and_failures_are_not_cached() -> None:
    cache = ResultCache(size=2)
    for n in range(3):
        cache.get((n,), lambda n=n: n)
    assert cache.get((0,), lambda: "again") == "again"  # the oldest was dropped

    def broken() -> int:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cache.get(("x",), broken)
    assert cache.get(("x",), lambda: 7) == 7


def test_live_traffic_gets_the_last_figures_while_new_ones_are_computed() -> None:
    import threading
    import time

    from hearth.actions.dashboard import ResultCache

    cache = ResultCache()
    release = threading.Event()
    calls: list[int] = []

    def compute(version: int):
        def run() -> str:
            calls.append(version)
            if version == 2:
                release.wait(5)
            return f"figures v{version}"

        return run

    assert cache.get_or_stale(("month", 1), compute(1), 600) == ("figures v1", False)
    # The ledger moved on: the old figures come back at once, marked stale, while v2 computes.
    assert cache.get_or_stale(("month", 2), compute(2), 600) == ("figures v1", True)
    assert cache.get_or_stale(("month", 2), compute(2), 600) == ("figures v1", True)
    release.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        value = cache.get_or_stale(("month", 2), compute(2), 600)
        if value == ("figures v2", False):
            break
        time.sleep(0.01)
    assert value == ("figures v2", False)
    assert calls == [1, 2]  # one background computation, however many readers asked
    # Figures too old are not served stale: the reader waits for fresh ones.
    assert cache.get_or_stale(("month", 3), compute(3), 0) == ("figures v3", False)
