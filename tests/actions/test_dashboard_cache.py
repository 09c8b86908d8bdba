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
