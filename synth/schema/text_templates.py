"""Short free text read as its templates: ``"Rechnung 4711"`` is ``"Rechnung ####"``.

A column of short texts whose words repeat while their numbers vary (a bank ledger's purpose of payment: "Miete
Mai", "Rechnung 4711", "Gehalt Oktober", "Lebensmittel 8312") has few repeated values, so it read as an
identifier and was regenerated as gibberish ("Seuirjityi 2518": none of the walk ledger's 72 real words in 3,202
synthetic rows). Its patterns are common all the same: the walk ledger's 4,000 purposes are 2,841 distinct values
but 217 templates, and 93% of rows are in one of the 120 templates held by 5 rows or more (27% are in a raw value
held so often).

So such a column is a categorical column flagged ``templated`` (:attr:`synth.schema.ColumnSpec.templated`): every
run of :data:`MIN_FILLED_DIGITS` or more digits becomes as many :data:`PLACEHOLDER` characters (a width
placeholder), and the column is read, modelled and compared as those templates. Shorter runs (a day, a month, an
instalment) stay words of the template: their few values are categories, held by many rows or pooled as rare ones
are. Templates hold no digit run that long, so a template is never a real number; the synthesizers' shared fit
keeps a template only when k people hold it, pools the rest as one "(other)" drawn as a regenerated identifier,
and fills each placeholder with digits no real value of that template has
(:mod:`synth.synthesizers.text_templates`).

Reading a template again gives the same template (no digits are left to replace), so a table read twice, or a
synthetic one read back, compares template to template.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_shapes import same_width_format

#: Digit runs at least this long are placeholders; shorter ones are words of the template (the day in "Rate 7").
MIN_FILLED_DIGITS = 3
#: What a placeholder digit is written as in a template.
PLACEHOLDER = "#"
#: The k of detection: the default ``min_category_rows``, so that what detection counts is what a default fit keeps
#: (whole at 4k rows, or drawn from a frame: :mod:`synth.synthesizers.template_frames`; the fit counts people where
#: it knows them).
TEMPLATE_MIN_ROWS = 5
#: Detection: at least this share of present rows is in a template a fit keeps (k = :data:`TEMPLATE_MIN_ROWS`).
TEMPLATE_SHARE = 0.5
#: Detection: templates keep at least this many more rows (a share) than the raw values do: a column of product
#: names whose numbers are part of the name ("iPhone 128GB" held by many) stays a plain category.
TEMPLATE_GAIN = 0.2
#: Detection: short texts only, at most this many words on average (the ledger's purposes: 2.0)...
MAX_TEMPLATE_WORDS = 6.0
#: ... and at most this many characters on average (longer text with spaces is free text).
MAX_TEMPLATE_LENGTH = 40.0
#: Detection: at least this share of sampled values have a space and a word of two letters or more: keys
#: ("ORD-104999", one layout) have neither, and stay identifiers.
MIN_WORDED_SHARE = 0.5
#: The longest template a model file may hold.
MAX_TEMPLATE_CHARS = 200
#: Between a template and the letter naming one of its layouts, in the label a fit learns for a template whose
#: values mix layouts (:func:`layout_labels`: "Ticket #####\u241fa" for "Ticket #4711", "...\u241fb" for
#: "Ticket 12345"); never written to a table (:func:`base_template`).
LAYOUT_MARK = "\u241f"
#: The layouts one template may be split into (a letter each).
MAX_LAYOUTS = 26

_DIGIT_RUN = re.compile(f"[0-9]{{{MIN_FILLED_DIGITS},}}")
_WORD = re.compile(r"[^\W\d_]{2,}")


def templates_of(values: pd.Series) -> pd.Series:
    """Each value's template: runs of :data:`MIN_FILLED_DIGITS` or more ASCII digits replaced by as many
    :data:`PLACEHOLDER` characters; missing values stay missing, the index is kept (an object column)."""
    out = pd.Series(values, dtype=object, copy=True)
    present = out.notna().to_numpy()
    if present.any():
        text = out[present].astype(str)
        out[present] = text.str.replace(_DIGIT_RUN, lambda m: PLACEHOLDER * len(m.group()), regex=True)
    return out


def placeholder_share(values: pd.Series) -> float:
    """The share of ``values`` (present, as text) with a digit run a template replaces."""
    if not len(values):
        return 0.0
    return float(values.astype(str).str.contains(_DIGIT_RUN).mean())


def is_template(text: object) -> bool:
    """Whether ``text`` could be a template a fit wrote (a model file is input): a string of at most
    :data:`MAX_TEMPLATE_CHARS` printable characters with no run of :data:`MIN_FILLED_DIGITS` digits (such a run is
    a real number: templates hold placeholders in its place)."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= MAX_TEMPLATE_CHARS
        and text.isprintable()
        and _DIGIT_RUN.search(text) is None
    )


def detect_templates(present: pd.Series, sample: pd.Series) -> str | None:
    """Why ``present`` (a text column's present values) is short text best learned as its templates, or None.

    Short (at most :data:`MAX_TEMPLATE_WORDS` words and :data:`MAX_TEMPLATE_LENGTH` characters on average in
    ``sample``), worded (:data:`MIN_WORDED_SHARE` of ``sample`` with a space and a word), and templates that
    help: at least :data:`TEMPLATE_SHARE` of all rows in templates a fit keeps (:func:`_kept_templates`),
    :data:`TEMPLATE_GAIN` more than the raw values held by :data:`TEMPLATE_MIN_ROWS` rows keep. Personal data is
    found before this (a column of names or e-mails stays PII).
    """
    text = sample.astype(str).str.strip()
    if not len(text) or float(text.str.len().mean()) > MAX_TEMPLATE_LENGTH:
        return None
    if float(text.str.split().str.len().mean()) > MAX_TEMPLATE_WORDS:
        return None
    worded = text.str.contains(" ", regex=False) & text.str.contains(_WORD)
    if float(worded.mean()) < MIN_WORDED_SHARE or placeholder_share(text) == 0.0:
        return None
    values = present.astype(str)
    held = _kept_templates(values, templates_of(values))
    kept_templates = float(held.sum() / max(len(values), 1))
    gain = kept_templates - _held_share(values)
    if kept_templates < TEMPLATE_SHARE or gain < TEMPLATE_GAIN:
        return None
    from synth.synthesizers.template_frames import whole_people  # (imported here: the fit imports this module)

    example = base_template(next((t for t in held.index if PLACEHOLDER * MIN_FILLED_DIGITS in t), held.index[0]))
    return (
        f"short texts whose numbers vary: {kept_templates:.0%} of values are in {len(held):,} word patterns held by "
        f"{whole_people(TEMPLATE_MIN_ROWS)} rows or more or drawn from a frame (e.g. {example!r}, # a digit), "
        f"{values.nunique():,} distinct values; learned as their patterns, numbers redrawn"
    )


def _held_share(values: pd.Series) -> float:
    """The share of ``values`` whose value :data:`TEMPLATE_MIN_ROWS` rows or more hold."""
    counts = values.value_counts()
    return float(counts[counts >= TEMPLATE_MIN_ROWS].sum() / max(len(values), 1))


def layout_labels(values: pd.Series, templates: pd.Series) -> pd.Series:
    """``templates`` (of ``values``, as text) with each template whose values mix layouts split into one label a
    layout: a layout is the set of its placeholder places where a value writes a literal ``#``.

    "Ticket #4711" and "Ticket 12345" are both "Ticket #####", and no digit format fits both (a ``#`` where the other
    has a digit), so the whole pattern was pooled as "(other)" though each layout alone is held by many people.
    Split, they are "Ticket #####\u241fa" and "Ticket #####\u241fb" (:data:`LAYOUT_MARK`, a letter in the order of
    the layouts' first rows), each counted, kept or pooled and redrawn on its own; :func:`base_template` is the
    template again. A template of one layout, or of more than :data:`MAX_LAYOUTS`, keeps its label."""
    out = pd.Series(templates, dtype=object, copy=True)
    present = out.notna().to_numpy()
    text = values.astype(str)
    hashed = present & out.astype(str).str.contains(PLACEHOLDER * MIN_FILLED_DIGITS, regex=False).to_numpy()
    if not hashed.any():
        return out
    for template, rows in out[hashed].groupby(out[hashed], sort=False).indices.items():
        positions = digit_positions(str(template))
        inside = text[hashed].iloc[np.asarray(rows)]
        if not len(positions) or not inside.str.len().eq(len(str(template))).all():
            continue
        codes = np.array(inside.tolist(), dtype=f"<U{len(str(template))}").view(np.uint32)
        masks = codes.reshape(len(inside), -1)[:, positions] == ord(PLACEHOLDER)
        layouts, first, which = np.unique(masks, axis=0, return_index=True, return_inverse=True)
        if not 1 < len(layouts) <= MAX_LAYOUTS:
            continue
        letters = np.empty(len(layouts), dtype=object)
        letters[np.argsort(first, kind="stable")] = [chr(ord("a") + i) for i in range(len(layouts))]
        out.loc[inside.index] = [f"{template}{LAYOUT_MARK}{letter}" for letter in letters[np.ravel(which)]]
    return out


def base_template(label: str) -> str:
    """The template of a label :func:`layout_labels` gives (the label itself where it names no layout)."""
    return label.split(LAYOUT_MARK, 1)[0]


def _kept_templates(values: pd.Series, templates: pd.Series) -> pd.Series:
    """The rows of each template (each layout of one that mixes them, :func:`layout_labels`) a default fit keeps:
    held by 4 × :data:`TEMPLATE_MIN_ROWS` rows or more, or the rows of a frame a rarer one is drawn from
    (:func:`synth.synthesizers.template_frames.compose_tail`), and, where it has placeholders, with digits that can
    be redrawn (:func:`redrawable`, the fit's own test). Counted on held templates alone, the messy walk table's
    ``city 123`` promised 94% of its rows in patterns and the fit pooled 65% into "(other)": all 900 three-digit
    numbers were taken, so no ending was free for ``city ###``."""
    # The fit's own rule (imported here: the fit imports this module): a pattern is kept whole at 4k rows, a rarer
    # one drawn from its frame (synth.synthesizers.template_frames); k is TEMPLATE_MIN_ROWS.
    from synth.synthesizers.template_frames import compose_tail, whole_people

    templates, frames = compose_tail(layout_labels(values, templates), TEMPLATE_MIN_ROWS, None)
    framed = {label for label, _, _ in frames}
    counts = templates.value_counts()
    whole = counts >= whole_people(TEMPLATE_MIN_ROWS)
    held = counts[whole | (counts.index.isin(framed) & (counts >= TEMPLATE_MIN_ROWS))]
    placeheld = [t for t in held.index if len(digit_positions(str(t)))]
    if not placeheld:
        return held
    inside = templates.isin(placeheld).to_numpy()
    candidates = values[inside]
    rows = candidates.groupby(templates[inside], sort=False).indices
    stuck = [t for t in placeheld if not redrawable(candidates.iloc[np.asarray(rows[t])], base_template(str(t)))]
    return held.drop(stuck)


def digit_positions(template: str) -> np.ndarray:
    """Where ``template`` holds a :data:`PLACEHOLDER` in a run of :data:`MIN_FILLED_DIGITS` or more (the places a
    digit was, or a literal ``#`` beside them: "Ticket #4711" is "Ticket #####"); a literal ``#`` on its own
    ("Ticket #") is no placeholder."""
    runs = re.finditer(f"{re.escape(PLACEHOLDER)}{{{MIN_FILLED_DIGITS},}}", template)
    return np.array([i for m in runs for i in range(m.start(), m.end())], dtype=np.int64)


def placeholder_positions(template: str, literal: Sequence[int] = ()) -> np.ndarray:
    """The places of ``template`` a digit is drawn for: :func:`digit_positions` but the ``literal`` ones, where
    every real value holds a ``#`` of its own (the "#" of "Ticket #4711")."""
    positions = digit_positions(template)
    return positions[~np.isin(positions, np.asarray(literal, dtype=np.int64))] if len(literal) else positions


def digit_format(values: pd.Series, template: str) -> dict[str, Any] | None:
    """How the digits of ``template`` are redrawn, from ``values`` (its real values, as text), or None when they
    cannot be: the same-width format of the digits the values hold at its placeholders, with endings none of them
    has (:func:`synth.generated_shapes.same_width_format`: ``{"template": "9999", "tail", "suffixes"}``), and
    ``"literal"``, the places where every value holds a ``#`` of its own ("Ticket #4711": one ``#`` and four
    digits under "Ticket #####"), when there are any.

    None when a value holds something else at a placeholder ("Ticket #4711" beside "Ticket 12345": one template, a
    ``#`` where the other has a digit), or no ending is free (every 3-digit number of ``city ###`` taken). The fit
    (:func:`synth.synthesizers.text_templates.pool_templates`) keeps a template's digits so; detection asks
    :func:`redrawable`, the same answer without choosing the endings.
    """
    found = _digit_columns(values, template)
    if found is None:
        return None
    digits, literal = found
    fill = same_width_format(_as_text(digits), base="9" * digits.shape[1])
    if fill is None:
        return None
    out = {key: fill[key] for key in ("template", "tail", "suffixes")}
    if literal:
        out["literal"] = literal
    return out


def redrawable(values: pd.Series, template: str) -> bool:
    """Whether :func:`digit_format` finds a way to redraw ``template``'s digits from ``values``, without its cost
    (11 ms a template, 2.6 s of the walk ledger's schema): a free ending of one digit leaves the endings of two
    with it free too, so when the longest ending :func:`~synth.generated_shapes.same_width_format` enumerates (up
    to four digits, one digit always random) has one no value holds, it finds one; when every such ending is held
    and the template has no more digits, it finds none. Wider templates whose every 4-digit ending is held (10,000
    values or more) ask it."""
    found = _digit_columns(values, template)
    if found is None:
        return False
    digits = found[0]
    tail = min(digits.shape[1] - 1, _ENUMERATED_TAIL)
    endings = (digits[:, -tail:] - ord("0")).astype(np.int64) @ (10 ** np.arange(tail - 1, -1, -1, dtype=np.int64))
    if len(np.unique(endings)) < 10**tail:
        return True
    return tail < digits.shape[1] - 1 and digit_format(values, template) is not None


#: The longest ending :func:`synth.generated_shapes.same_width_format` enumerates for digits (10⁴ endings, within
#: its 16,384): :func:`redrawable` counts those held.
_ENUMERATED_TAIL = 4


def _digit_columns(values: pd.Series, template: str) -> tuple[np.ndarray, list[int]] | None:
    """The code points of the digits ``values`` hold at ``template``'s placeholders (rows × digits) and the places
    where every value holds a literal ``#``; None when a place holds a digit in some values and not in others, or
    fewer than :data:`MIN_FILLED_DIGITS` places hold digits."""
    positions = digit_positions(template)
    if not len(positions) or not len(values):
        return None
    text = values.astype(str)
    if not text.str.len().eq(len(template)).all():  # (a template keeps its values' length)
        return None
    codes = np.array(text.tolist(), dtype=f"<U{len(template)}").view(np.uint32).reshape(len(text), -1)[:, positions]
    digits = ((codes >= ord("0")) & (codes <= ord("9"))).all(axis=0)
    hashes = (codes == ord(PLACEHOLDER)).all(axis=0)
    if not np.all(digits | hashes) or digits.sum() < MIN_FILLED_DIGITS:
        return None
    return np.ascontiguousarray(codes[:, digits]), positions[hashes].tolist()


def _as_text(codes: np.ndarray) -> pd.Series:
    """Rows of code points as strings."""
    return pd.Series(np.ascontiguousarray(codes).view(f"<U{codes.shape[1]}").ravel(), dtype=object)
