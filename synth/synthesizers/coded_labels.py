"""Label columns carried as category codes through the whole-row checks of sampling, so a check reads codes
instead of hashing every drawn label.

The zero-pair check (:func:`synth.synthesizers.zero_pairs.zero_rows`) codes each of its columns among the stored
values. On a column of Python strings that is one hash lookup per row: 200,000 Adult rows cost 6.6 ms a column, and
with the category ranges' level lookups (:func:`synth.synthesizers.category_ranges.level_codes`) it was a tenth of
CART's sampling time (0.10 s of 1.04 s; the copula's: 0.14 s of 0.95 s). The models hold the codes before they
decode them: CART and the copula decode the columns of their zero pairs as ``pd.Categorical`` (their own labels as
categories, missing as code -1), a check codes the few categories instead of the rows (0.3 ms a column), and
:func:`~synth.synthesizers.row_orders.keep_orders` writes them back as the plain labels the models drew before
(:func:`plain_labels`: the same objects, None where missing), so the sample is the same table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd


def _is_coded(values: object) -> bool:
    return isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype)


def coded_series(labels: np.ndarray, codes: np.ndarray) -> pd.Series:
    """``labels[codes]`` (``labels``: objects, None for the missing one) as a categorical column of ``labels``
    (missing: code -1); as the plain object column when the labels cannot be categories (two of them equal
    under hashing, as True and 1 are, or a NaN)."""
    present = np.fromiter((v is not None for v in labels), dtype=bool, count=len(labels))
    categories = pd.Index(labels[present], dtype=object)
    if categories.is_unique and not categories.hasnans:
        remap = np.full(len(labels), -1, dtype=np.int64)
        remap[present] = np.arange(len(categories))
        dtype = pd.CategoricalDtype(categories)
        return pd.Series(pd.Categorical.from_codes(remap[codes], dtype=dtype), copy=False)
    return pd.Series(labels[codes], dtype=object)


def merged_codes(n: int, parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> pd.Series:
    """One column of ``n`` rows from parts (rows, labels, codes into the labels; labels as in
    :func:`coded_series`) that each code into labels of their own, as a mixture's components do: categorical over
    the labels of all parts (equal labels of one type are one category), or the plain labels written part by part
    when two parts hold labels equal under hashing but of different types (1 and 1.0, True and 1)."""
    merged: dict[Any, int] = {}
    remaps: list[np.ndarray] = []
    for _, labels, _ in parts:
        remap = np.empty(len(labels), dtype=np.int64)
        for k, label in enumerate(labels):
            if label is None:
                remap[k] = -1
                continue
            at = merged.setdefault(label, len(merged))
            remap[k] = at
        remaps.append(remap)
    first = {at: label for label, at in merged.items()}  # the label each category keeps (the first seen)
    same = all(
        type(first[at]) is type(label)
        for (_, labels, _), remap in zip(parts, remaps, strict=True)
        for label, at in zip(labels, remap, strict=True)
        if at >= 0
    )
    if same:
        labels = np.empty(len(merged) + 1, dtype=object)  # the last: missing
        labels[:-1] = [first[at] for at in range(len(merged))]
        codes = np.empty(n, dtype=np.int64)
        for (rows, _, part), remap in zip(parts, remaps, strict=True):
            codes[rows] = np.where(remap < 0, len(merged), remap)[part]
        return coded_series(labels, codes)
    out = np.empty(n, dtype=object)
    for rows, labels, part in parts:
        out[rows] = labels[part]
    return pd.Series(out, dtype=object)


def plain_labels(values: pd.Series) -> np.ndarray:
    """A column's values as a fresh numpy array: a categorical one as the object labels it codes (None where
    missing: the array the models decoded before they kept codes), any other as it is."""
    if _is_coded(values):
        labels = np.empty(len(values.cat.categories) + 1, dtype=object)  # the last: code -1, missing
        labels[:-1] = np.asarray(values.cat.categories, dtype=object)
        return labels[values.cat.codes.to_numpy()]
    return values.to_numpy(copy=True)


def plain_frame(frame: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """``frame`` with each categorical column of ``names`` written back as its plain labels (in place)."""
    for name in names:
        if name in frame.columns and _is_coded(frame[name]):
            frame[name] = plain_labels(frame[name])
    return frame


def label_positions(values: pd.Series | np.ndarray, labels: Sequence[Any]) -> np.ndarray:
    """Each value's position among ``labels`` (-1 for a missing value or another one), equality as pandas hashes
    objects. A categorical column is read through its categories (one lookup per category, not per row); labels
    never hold a missing value."""
    index = pd.Index(list(labels), dtype=object)
    if _is_coded(values):
        assert isinstance(values, pd.Series)
        at = index.get_indexer(pd.Index(np.asarray(values.cat.categories, dtype=object), dtype=object))
        return np.append(at, -1).astype(np.int64)[values.cat.codes.to_numpy()]
    return np.asarray(index.get_indexer(pd.Index(np.asarray(values, dtype=object), dtype=object)), dtype=np.int64)
