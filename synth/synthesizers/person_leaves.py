"""CART's leaves counted in people: a leaf of one person's rows gives back that person's combination of values.

Why
    A CART leaf's donors are the model's conditional distribution: a synthetic row that reaches a leaf takes the
    values of its training rows. ``min_samples_leaf`` and the rare side of a two-valued first column
    (:meth:`synth.synthesizers.cart_growing.CartGrowing._grow_split_tree`: at least ``smooth_below`` rows) count
    rows, and one person with many rows fills a leaf alone. On a seeded table of 600 patients, a readmission flag
    set on one patient's 10 visits only (a yes/no column is never pooled as a category) made a leaf of those 10
    rows in every later tree, at the defaults: every synthetic readmitted row was that patient, their year of
    birth, area, blood group and sex together (``tests/unit/test_person_leaves.py``).

What
    When the fit knows the person (:mod:`synth.synthesizers.person_rarity`), the rules count people: the rare side
    needs ``smooth_below`` people, and each tree is grown as before, then every split with a side reached by fewer
    than ``min_samples_leaf`` people is undone (:func:`people_pruned`), so every leaf holds that many people.
    Undoing a split never changes where a row of the kept nodes goes, and a table without a person column grows the
    same trees as before.
"""

from __future__ import annotations

import numpy as np

from synth.synthesizers.cart_steps import FlatTree, compact
from synth.synthesizers.person_rarity import sorted_unique


def people_per_node(tree: FlatTree, leaf: np.ndarray, people: np.ndarray) -> np.ndarray:
    """For each node of ``tree``, how many distinct people have a row under it (``leaf``: each row's leaf)."""
    count = tree.node_count
    parent = np.full(count, -1, dtype=np.int64)
    inner = np.flatnonzero(tree.children_left >= 0)
    parent[tree.children_left[inner]] = inner
    parent[tree.children_right[inner]] = inner
    span = int(people.max()) + 1 if len(people) else 1
    # Every (node, person) pair once: each (leaf, person) pair, then its ancestors', deduplicated at the end (a
    # person's rows may sit in leaves of different depths under one node).
    # (sorted_unique: numpy 2.4's hashed np.unique took 9.4 of 19 profiled seconds of a 200,000-row person fit)
    keys = sorted_unique(leaf.astype(np.int64) * span + people)
    found = [keys]
    while len(keys):
        up = parent[keys // span]
        keys = sorted_unique(up[up >= 0] * span + keys[up >= 0] % span)
        found.append(keys)
    return np.bincount(sorted_unique(np.concatenate(found)) // span, minlength=count)


def people_pruned(tree: FlatTree, xs: np.ndarray, people: np.ndarray, least: int) -> FlatTree:
    """``tree`` with every split undone whose left or right side holds rows of fewer than ``least`` people (``xs``:
    the rows it was grown on, ``people``: their person codes): every leaf then holds ``least`` people, unless the
    whole tree holds fewer. ``tree`` itself when no split is."""
    if tree.node_count == 1 or least <= 1:
        return tree
    held = people_per_node(tree, tree.apply(np.asarray(xs, dtype=np.float32)), people)
    inner = tree.children_left >= 0
    cut = np.zeros(tree.node_count, dtype=bool)
    left, right = np.maximum(tree.children_left, 0), np.maximum(tree.children_right, 0)
    cut[inner] = (held[left[inner]] < least) | (held[right[inner]] < least)
    return compact(tree, cut) if cut.any() else tree
