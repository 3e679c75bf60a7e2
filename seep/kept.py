"""A small in-memory map that forgets the least recently used entries past a budget: what
the process keeps of decoded pixels, encoded pictures and a scene's neighbour tiles."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """`get(key, make)` returns the kept value or makes, keeps and returns it. Entries weigh
    `weigh(value)` (1 each by default) and the oldest go while the total is over `budget`,
    the newest always stays. Safe across threads (Streamlit runs a session per thread);
    `make` runs outside the lock, so two threads may both make a value, and one is kept."""

    def __init__(self, budget: int, weigh: Callable[[V], int] = lambda v: 1):
        self.budget, self.weigh = budget, weigh
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._total += self.weigh(value)
            while self._total > self.budget and len(self._items) > 1:
                self._total -= self.weigh(self._items.popitem(last=False)[1])
        return value

    def __len__(self) -> int:
        return len(self._items)
