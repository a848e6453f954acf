"""Disjoint sets (union-find): dedup's duplicate groups, the merged cells of ruled tables.

The interface is scipy.cluster.hierarchy.DisjointSet's (``add``, ``merge``, ``ds[x]`` for the
root), without its import: scipy.cluster pulls in scipy.spatial and the linear-algebra stack,
+47 MB peak RSS and ~0.6 s in every process that extracts a PDF (bench/extract_bench.py:
"ours text+tables" 56 -> 100 MB). Path halving and union by size, as scipy does.
"""
from __future__ import annotations

import logging
from typing import Generic, Hashable, Iterable, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=Hashable)


class DisjointSet(Generic[T]):
    def __init__(self, elements: Iterable[T] = ()) -> None:
        self._parent: dict[T, T] = {}
        self._size: dict[T, int] = {}
        for x in elements:
            self.add(x)

    def add(self, x: T) -> None:
        if x not in self._parent:
            self._parent[x] = x
            self._size[x] = 1

    def __contains__(self, x: object) -> bool:
        return x in self._parent

    def __getitem__(self, x: T) -> T:
        """The representative of x's set (KeyError for an element never added)."""
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def merge(self, a: T, b: T) -> bool:
        """Join the sets of a and b; False when they were one already."""
        ra, rb = self[a], self[b]
        if ra == rb:
            return False
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size.pop(rb)
        return True
