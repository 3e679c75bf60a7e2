"""Disjoint sets over 0..n-1, merged pair by pair: which slick pieces are one slick (joined
across the rows of a raster read by windows), which slicks are one seep site. `parent` is any
mutable sequence of ints (a list, a numpy array that grows with the ids)."""

from __future__ import annotations

from collections.abc import MutableSequence


def find(parent: MutableSequence[int], x: int) -> int:
    """x's set, named by its smallest member; paths are halved on the way up."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def union(parent: MutableSequence[int], a: int, b: int) -> None:
    a, b = find(parent, a), find(parent, b)
    if a != b:
        parent[max(a, b)] = min(a, b)
