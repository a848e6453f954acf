"""pipelines.unionfind partitions exactly as scipy's DisjointSet (whose interface it keeps)."""
from __future__ import annotations

import random

import pytest
from scipy.cluster.hierarchy import DisjointSet as ScipyDisjointSet

from pipelines.unionfind import DisjointSet


def _partition(ds, elements) -> set[frozenset]:
    groups: dict = {}
    for x in elements:
        groups.setdefault(ds[x], set()).add(x)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize("seed", range(5))
def test_same_sets_as_scipy(seed):
    rnd = random.Random(seed)
    elements = list(range(300))
    ours, theirs = DisjointSet(elements), ScipyDisjointSet(elements)
    for _ in range(rnd.randint(50, 400)):
        a, b = rnd.choice(elements), rnd.choice(elements)
        assert ours.merge(a, b) == theirs.merge(a, b)
    assert _partition(ours, elements) == _partition(theirs, elements)
    assert all(ours[ours[x]] == ours[x] for x in elements)      # a root is its own root


def test_elements_are_added_not_invented():
    ds = DisjointSet(["a"])
    ds.add("b")
    assert "b" in ds and "c" not in ds and ds["b"] == "b"
    with pytest.raises(KeyError):
        ds["c"]
    assert ds.merge("a", "b") and not ds.merge("b", "a") and ds["a"] == ds["b"]
