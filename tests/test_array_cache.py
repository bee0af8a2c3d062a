"""The byte-bounded array cache shared by visitors (conv.app.array_cache)."""

import numpy as np

from conv.app import array_cache
from conv.app.array_cache import ArrayCache


def test_least_recently_used_arrays_go_first_and_the_bytes_stay_under_the_bound():
    cache = ArrayCache(max_bytes=3 * 800)  # three 100-float arrays
    made = []

    def make(i):
        made.append(i)
        return np.full(100, float(i))

    for i in range(3):
        cache.get(i, lambda i=i: make(i))
    cache.get(0, lambda: make(0))  # a hit: 0 is now the most recently used
    cache.get(3, lambda: make(3))  # over the bound: 1, the least recently used, goes
    assert made == [0, 1, 2, 3]
    assert cache.nbytes <= 3 * 800 and len(cache) == 3
    for i in (0, 2, 3):
        assert cache.get(i, lambda i=i: make(i))[0] == i  # kept: not made again
    assert made == [0, 1, 2, 3]
    cache.get(1, lambda: make(1))
    assert made == [0, 1, 2, 3, 1]


def test_an_array_larger_than_the_bound_is_returned_but_not_kept():
    cache = ArrayCache(max_bytes=100)
    big = cache.get("big", lambda: np.zeros(1000))
    assert big.shape == (1000,) and len(cache) == 0


def test_entries_expire_ttl_after_their_last_use(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(array_cache.time, "monotonic", lambda: now[0])
    cache = ArrayCache(max_bytes=10_000, ttl=60)
    calls = []
    cache.get("a", lambda: calls.append(1) or np.zeros(3))
    for _ in range(3):  # asked for every 59 s: 177 s after it was made, still the same
        now[0] += 59
        cache.get("a", lambda: calls.append(2) or np.zeros(3))
    assert calls == [1]
    now[0] += 61  # 61 s after its last use
    cache.get("a", lambda: calls.append(3) or np.zeros(3))
    assert calls == [1, 3]
    now[0] += 61  # nobody asks again: prune frees it all the same
    assert cache.prune() == 24 and len(cache) == 0
