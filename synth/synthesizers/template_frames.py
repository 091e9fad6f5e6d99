"""A short text's rarer word patterns drawn from parts many people hold: a frame and the words of its slot.

A templated column (a ledger's purpose, :mod:`synth.synthesizers.text_templates`) kept a word pattern once k people
held it, and a member's own holding counts towards the k: on the seeded bank ledger, whose patterns ("Miete Mai",
"Lastschrift Strom Mai", "Überweisung an Lea") sit in a long tail around 5 people, a member's pattern was in the
synthetic table more often than a non-member's (91.2% of their rows against 88.7%), and ``purpose`` attacked alone
read membership over people at AUC 0.609 (fresh holders 0.498). No rule on the pattern's own count removes that
cheaply (``docs/benchmarks/privacy.md``): whatever the rule, a pattern's chance of emission rises with its count.

So a pattern is emitted from counts that one person hardly moves:

* a pattern held by :data:`WHOLE_FACTOR` × k people or more is kept whole, as before;
* a rarer one without placeholders is written as a *frame*, the pattern with one word a slot ("Miete \u2420"), when
  the frame is held by that many people and the slot's word is in the frame's *class*: the words that many people
  hold at that place of the column's patterns (the last word; else the n-th from the start), in the group the frame
  is linked to. A frame and a word are linked when k people hold them together; linked words and frames form
  groups (:func:`_linked`), so months join every frame of months and names only the frame of names, and
  "Lastschrift Strom \u2420" is never filled with a name. The model learns the frame as a category (it follows the
  channel as the pattern did) and each drawn frame gets one word of its group at the class's shares
  (:func:`fill_frames`): "Lastschrift Strom Mai" is drawn because many people pay Strom by direct debit and many
  patterns end in "Mai", whoever holds "Lastschrift Strom Mai" itself;
* every other pattern of fewer people is "(other)", as one of fewer than k people was (its open word, a name or a
  number held by a few, is in no class), and so is a pattern with placeholders.

Of a pattern's frames the one most people hold is taken. What is left is measured in ``docs/benchmarks/privacy.md``:
a class or a link is a count too, and a word held by about 4k people at its place still tips its patterns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synth.schema.text_templates import LAYOUT_MARK, PLACEHOLDER
from synth.synthesizers.person_rarity import people_per_value

#: Stands for a frame's slot in its label ("Miete \u2420"); never written to a table (:func:`fill_frames`).
SLOT = "\u2420"
#: A pattern is kept whole, and a frame or a slot's word counts as held, at this many times k people.
WHOLE_FACTOR = 4

#: A frame's label and its slot's words with how many people hold each at the slot's place (its class).
Frame = tuple[str, tuple[str, ...], tuple[int, ...]]


def whole_people(k: int) -> int:
    """The people a pattern needs to be kept whole: :data:`WHOLE_FACTOR` × ``k``, or ``k`` itself when ``k`` is 1
    (a fit asked to keep every value keeps every pattern)."""
    return WHOLE_FACTOR * k if k > 1 else k


def held(values: pd.Series, people: np.ndarray | None) -> pd.Series:
    """How many people (rows, without ``people``) hold each present value of ``values``."""
    return values.value_counts() if people is None else people_per_value(values, people)


def compose_tail(labels: pd.Series, k: int, people: np.ndarray | None) -> tuple[pd.Series, tuple[Frame, ...]]:
    """``labels`` (a templated column's patterns, :func:`~synth.schema.text_templates.layout_labels`) with each
    pattern fewer than :func:`whole_people` hold written as its frame where it has one, and the frames used.

    Patterns with placeholders or layouts are left as they are (their digits are redrawn from their own values);
    so is every pattern when ``k`` is 1."""
    out = pd.Series(labels, dtype=object, copy=True)
    big = whole_people(k)
    present = out.notna().to_numpy()
    if big <= k or not present.any():
        return out, ()
    text = out[present].astype(str)
    who = None if people is None else np.asarray(people)[present]
    plain = ~(text.str.contains(PLACEHOLDER, regex=False) | text.str.contains(f"[{LAYOUT_MARK}{SLOT}]")).to_numpy()
    counts = held(text, who)
    tail = plain & ~text.isin(counts[counts >= big].index).to_numpy()
    if not tail.any():
        return out, ()
    tokens = text.str.split(" ")
    width = tokens.str.len().to_numpy()
    # A place's class: the words `big` people hold there (-1 the last word, else counted from the start).
    frames: dict[str, int] = {}  # label: the people holding it with a word of its class
    rows = np.flatnonzero(plain)
    vocab: dict[str, pd.Series] = {}  # a frame's slot words: its class's, in the groups the frame is linked to
    for place in range(-1, int(width[tail].max()) - 1):
        at = rows[(width[rows] > place) if place >= 0 else slice(None)]
        at = at[(width[at] - 1 != place)] if place >= 0 else at  # (a pattern's last word is in the class -1)
        slots = width[at] - 1 if place < 0 else np.full(len(at), place)
        words = pd.Series([t[i] for t, i in zip(tokens.iloc[at], slots, strict=True)], dtype=object)
        who_at = None if who is None else who[at]
        by_word = held(words, who_at)
        fits = words.isin(by_word[by_word >= big].index).to_numpy()
        if not fits.any():
            continue
        labels_of = pd.Series([_frame(t, i) for t, i in zip(tokens.iloc[at[fits]], slots[fits], strict=True)])
        by_frame = held(labels_of, None if who_at is None else who_at[fits])
        big_frames = by_frame[by_frame >= big]
        inside = labels_of.isin(big_frames.index).to_numpy()
        pairs = held(labels_of[inside] + SLOT + words[fits][inside].to_numpy(), _at(who_at, fits, inside))
        links = [tuple(str(p).rsplit(SLOT, 1)) for p in pairs[pairs >= k].index]  # (frame with its slot, word)
        for label, group in _linked(links).items():
            vocab[label] = by_word[sorted(group)]
            frames[label] = int(big_frames[label])
    chosen: dict[str, str] = {}
    for pattern in pd.unique(text[tail]):
        toks = str(pattern).split(" ")
        options = [f for f in (_frame(toks, s) for s in range(len(toks))) if f in vocab]
        options = [f for f in options if toks[_slot_of(f)] in vocab[f].index]
        if options:
            chosen[str(pattern)] = max(options, key=lambda f: frames[f])  # (the first of equals: stable)
    if not chosen:
        return out, ()
    out.loc[out.index[present]] = text.map(lambda t: chosen.get(t, t)).to_numpy()
    return out, tuple(_with_words(label, vocab[label]) for label in sorted(set(chosen.values())))


def _slot_of(label: str) -> int:
    """The place of a frame's slot among its words."""
    return label.split(" ").index(SLOT)


def _at(who: np.ndarray | None, fits: np.ndarray, inside: np.ndarray) -> np.ndarray | None:
    return None if who is None else who[fits][inside]


def _linked(links: list[tuple[str, ...]]) -> dict[str, set[str]]:
    """For each frame of ``links`` ((frame, word) pairs k people hold), the words of its group: the words and
    frames joined by links, so months join every frame of months and names only the frame of names."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for label, word in links:
        parent[root("f" + label)] = root("w" + word)
    groups: dict[str, set[str]] = {}
    for node in list(parent):
        if node.startswith("w"):
            groups.setdefault(root(node), set()).add(node[1:])
    return {node[1:]: groups.get(root(node), set()) for node in list(parent) if node.startswith("f")}


def _frame(tokens: list[str], slot: int) -> str:
    return " ".join([*tokens[:slot], SLOT, *tokens[slot + 1 :]])


def _with_words(label: str, words: pd.Series) -> Frame:
    ordered = words.sort_index()
    return label, tuple(str(w) for w in ordered.index), tuple(int(c) for c in ordered)


def fill_frames(values: np.ndarray, frames: tuple[Frame, ...], rng: np.random.Generator) -> None:
    """Each value of ``values`` (object array, changed in place) that is a frame's label gets one of its slot's
    words, drawn at the people's shares."""
    for label, words, counts in frames:
        rows = np.flatnonzero(values == label)
        if len(rows):
            values[rows] = written(label, _draw(words, counts, len(rows), rng))


def written(label: str, words: np.ndarray) -> np.ndarray:
    """The frame ``label`` with each of ``words`` in its slot (object array)."""
    head, _, tail = label.partition(SLOT)
    return np.array([f"{head}{w}{tail}" for w in words], dtype=object)


def _draw(words: tuple[str, ...], counts: tuple[int, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    share = np.asarray(counts, dtype=float)
    return rng.choice(np.asarray(words, dtype=object), n, p=share / share.sum())


def composed(value: str, frames: tuple[Frame, ...]) -> tuple[str, str] | None:
    """The frame (label) and word that write ``value``, or None (a condition on "Miete Mai" is one on its
    frame with its word fixed: :func:`pin_frames`)."""
    for label, words, _ in frames:
        head, _, tail = label.partition(SLOT)
        if len(value) > len(head) + len(tail) and value.startswith(head) and value.endswith(tail):
            word = value[len(head) : len(value) - len(tail)]
            if word in words:
                return label, word
    return None


#: Per column, per frame asked for in a condition: the words asked and their people (:func:`frame_conditions`).
Pinned = Mapping[str, Mapping[str, tuple[tuple[str, ...], tuple[int, ...]]]]


def pin_frames(body: pd.DataFrame, pinned: Pinned, rng: np.random.Generator) -> pd.DataFrame:
    """``body`` (drawn under conditions whose composed values were asked as their frames) with each such frame's
    rows written with one of the words asked for it, at their shares among them."""
    if not pinned:
        return body
    out = body.copy(deep=False)
    for column, by_frame in pinned.items():
        values = out[column].to_numpy(dtype=object).copy()
        for label, (words, counts) in by_frame.items():
            rows = np.flatnonzero(values == label)
            if len(rows):
                values[rows] = written(label, _draw(words, counts, len(rows), rng))
        out[column] = pd.Series(values, index=out.index, dtype=object)
    return out


def frame_conditions(states: Any, conditions: dict[str, Any], domain: Any) -> tuple[dict[str, Any], Pinned]:
    """``conditions`` with each value of a templated column that a frame writes, and that the model's
    ``domain(column)`` does not hold, asked as its frame; and the words each such frame is pinned to
    (:func:`pin_frames`). "Miete Mai" drawn from "Miete \u2420" is asked for as it was when kept whole."""
    out, pinned = dict(conditions), {}
    for state in states:
        frames = getattr(state, "frames", ())
        cond = out.get(state.name)
        if not frames or cond is None or state.name not in out:
            continue
        asked = [cond] if isinstance(cond, str) else list(cond) if isinstance(cond, list) else None
        if asked is None:
            continue
        seen = set(domain(state.name).values)
        words: dict[str, dict[str, int]] = {}
        mapped = []
        for value in asked:
            found = composed(value, frames) if isinstance(value, str) and value not in seen else None
            if found is None:
                mapped.append(value)
                continue
            label, word = found
            counts = dict(zip(*next((w, c) for f, w, c in frames if f == label), strict=True))
            words.setdefault(label, {})[word] = counts[word]
            if label not in mapped:
                mapped.append(label)
        if words:
            out[state.name] = mapped[0] if isinstance(cond, str) else mapped
            pinned[state.name] = {f: (tuple(w), tuple(w.values())) for f, w in words.items()}
    return out, pinned
