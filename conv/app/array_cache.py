"""A cache of read-only arrays bounded by bytes, shared by every visitor of a server.

``st.cache_resource`` bounds entries by count; a count small enough for the
largest arrays a visitor may ask for (hundreds of megabytes each) thrashes
under twenty visitors with small ones, and each miss is the work again. This
cache keeps the most recently used arrays up to ``max_bytes`` in total, and
drops an entry ``ttl`` seconds after it was last asked for.

Examples
--------
>>> import numpy as np
>>> cache = ArrayCache(max_bytes=100)
>>> a = cache.get(("a",), lambda: np.zeros(10))  # 80 bytes
>>> b = cache.get(("b",), lambda: np.ones(10))  # 160 in all: "a" goes
>>> len(cache), cache.get(("b",), lambda: None) is b
(1, True)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

__all__ = ["ArrayCache"]


class ArrayCache:
    """Least recently used arrays up to ``max_bytes``, each kept ``ttl`` s past its last use."""

    def __init__(self, max_bytes: int, ttl: float = 1800.0):
        self.max_bytes, self.ttl = max_bytes, ttl
        self._entries: OrderedDict[Hashable, tuple[float, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for _, a in self._entries.values())

    def get(self, key: Hashable, make: Callable[[], np.ndarray]) -> np.ndarray:
        """The array cached under ``key``, else ``make()`` (cached when it fits)."""
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] <= self.ttl:
                # In use: kept on. A page being read reruns on each click; a
                # visitor who left stops asking, and the entry goes.
                self._entries[key] = (now, hit[1])
                self._entries.move_to_end(key)
                return hit[1]
        # Made outside the lock: two visitors' work must not wait on each other.
        array = make()
        with self._lock:
            self._entries[key] = (now, array)
            self._entries.move_to_end(key)
            self._evict(now)
        return array

    def prune(self) -> int:
        """Drop the entries past their ttl now (else only the next ``get`` does); bytes freed."""
        with self._lock:
            before = self.nbytes
            self._evict(time.monotonic())
            return before - self.nbytes

    def _evict(self, now: float) -> None:
        for key in [k for k, (used, _) in self._entries.items() if now - used > self.ttl]:
            del self._entries[key]
        total = self.nbytes
        while total > self.max_bytes and self._entries:
            _, (_, dropped) = self._entries.popitem(last=False)
            total -= dropped.nbytes
