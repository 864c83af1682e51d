"""Params: the immutable, hashable name → value mapping a scenario keeps its values in
(hyperparameters, schedule and landscape parameters), so that a Scenario is a hashable value."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class Params(Mapping):
    """An immutable, hashable name → value mapping (hyperparameters, schedule parameters)."""

    __slots__ = ("_data",)

    def __init__(self, items: Mapping | None = None):
        object.__setattr__(self, "_data", dict(items or {}))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self) == dict(other)

    def __setattr__(self, name, value):
        raise AttributeError("Params is immutable")

    def __repr__(self) -> str:
        return f"Params({self._data!r})"
