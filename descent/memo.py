"""Caches shared by every thread of one process, bounded in bytes.

A lecture opens the same few links a hundred times, and every session of a Streamlit server
runs in one process: a scene's results and its figures are computed once and served to all of
them (ui/page.py, ui/views.py, ...), and so are the chunks of epochs a network's training keeps
(descent/training.py). Entries are immutable values (a `descent.Result`, a figure dict that
nobody mutates, read-only arrays), so threads can share them; the least recently used go first
when the bound is reached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import numpy as np

V = TypeVar("V")


class _Flight:
    """A value being computed for a key: the other sessions that ask for it wait for it."""

    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.ok = False
        self.waiting = 0  # sessions waiting for it


class SharedCache(Generic[V]):
    """A thread-safe LRU cache of at most `max_bytes` (as `size(value)` counts them)."""

    def __init__(self, name: str, max_bytes: int, size: Callable[[V], int]):
        self.name = name
        self.max_bytes = max_bytes
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.waits = 0  # hits that waited for another session's computation

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for `key`, computed by `compute()` on a miss. A session that asks for a key
        another session is computing waits for that value instead of computing it too: a class
        that opens one link at once computes it once, and the first page of a new server is
        not slowed by the same work done in every thread. (Should that computation fail, each
        waiting session computes the value itself.)"""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[0]
            flight = self._flights.get(key)
            owner = flight is None
            if owner:
                flight = self._flights[key] = _Flight()
                self.misses += 1
            else:
                flight.waiting += 1
        if not owner:
            flight.done.wait()
            if flight.ok:
                with self._lock:
                    self.hits += 1
                    self.waits += 1
                return flight.value
            return compute()
        try:
            value = compute()
            flight.value, flight.ok = value, True
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
        nbytes = self._size(value)
        with self._lock:
            if key not in self._entries and nbytes <= self.max_bytes:
                self._entries[key] = (value, nbytes)
                self.bytes += nbytes
                while self.bytes > self.max_bytes:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self.bytes -= dropped
        return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = self.hits = self.misses = self.waits = 0


def array_bytes(value) -> int:
    """Bytes held by the numpy arrays inside a value (dataclasses, tuples, lists, dicts), plus
    a little for each object; strings count their length."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, str):
        return len(value) + 50
    if isinstance(value, dict):
        return 100 + sum(array_bytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return 60 + sum(array_bytes(v) for v in value)
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return 100 + sum(array_bytes(getattr(value, name)) for name in fields)
    return 50
