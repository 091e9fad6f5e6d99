"""Short free text learned as its templates, written back with digits no real value has.

A categorical column flagged ``templated`` (:mod:`synth.schema.text_templates`: a ledger's purpose of payment) is
read as its templates, "Rechnung 4711" as "Rechnung ####". The shared fit of every model without a privacy
guarantee (:meth:`synth.synthesizers.base.Synthesizer._fit_all`) then, before anything is learned:

* keeps a template only when at least k people hold it (k = ``min_category_rows``; rows where the fit knows no
  person, :func:`synth.synthesizers.rare_categories.rare_categories`), and only when its digits can be redrawn
  (:func:`synth.schema.text_templates.digit_format`, which detection asks too: every real value of it has digits
  where it has placeholders, or every one a literal "#" there, as "Ticket #4711" does, and unused endings exist);
  every other value becomes one "(other)" (:data:`RARE_LABEL`), so a value held by one person ("Überweisung an
  J. Meier", "Zahlung an Dr. Xaver Quandt 99812") reaches neither the model nor its file;
* for each kept template with placeholders, a same-width format of its digits with endings no real value of that
  template has (:func:`synth.generated_shapes.same_width_format`, the generated keys' scheme): the file keeps the
  width, the ending length and some unused endings, nothing a real value holds;
* for "(other)", identifier plans (:class:`synth.generated_keys._Plan`) avoiding every real value of the column,
  one for each layout k people hold among the pooled values ("Überweisung an Jonas" is "Üaaaaaaaaaa aa Aaaaa"),
  drawn at its share with what all of its values share ("Überweisung an Xbdqe"); with no layout so held, one in
  the pooled values' shape, no letter or digit of theirs (:func:`_other_plans`).

A template whose values write a literal "#" in some rows only ("Ticket #4711" beside "Ticket 12345") is one label a
layout (:func:`synth.schema.text_templates.layout_labels`), each counted, kept and redrawn on its own.

The model learns the template column as a category, so "Miete ####" follows ``channel = transfer`` as the real rows
do. At sample time (:func:`fill_templates`, called on the conformed rows before people are held) each placeholder
is filled with random digits ending in one of the template's unused endings, so no synthetic value equals a real
one: a filled value's template is its own, and its digits are none of that template's real digits. The DP network
never gets a templated column: under its guarantee the column is regenerated as an identifier, as before
(:func:`as_identifiers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_formats import _sample_text, _shape, _shape_template, _template, disjoint_template
from synth.generated_keys import _Plan, draw_keys
from synth.generated_shapes import UNIQUE_SHARE, draw_by_share, fill_same_width, same_width_format
from synth.schema import ColumnKind, Schema
from synth.schema.text_templates import (
    LAYOUT_MARK,
    MIN_FILLED_DIGITS,
    base_template,
    digit_format,
    digit_positions,
    is_template,
    layout_labels,
    placeholder_positions,
    templates_of,
)
from synth.synthesizers import persist
from synth.synthesizers.rare_categories import RARE_LABEL, rare_categories
from synth.synthesizers.template_frames import SLOT, Frame, compose_tail, fill_frames, whole_people

_DIGITS = frozenset("0123456789")
#: The keys of a stored digit format (:func:`synth.generated_shapes.same_width_format` without slot characters)...
_FILL_KEYS = frozenset({"template", "tail", "suffixes"})
#: ... and the one it has when some places of its template are a literal "#" ("Ticket #4711").
_LITERAL_KEY = "literal"
#: The keys of the stored "(other)" plan (an identifier plan's, :meth:`synth.generated.GeneratedColumns.fit`; a
#: repeated key's count of distinct values and rows).
_OTHER_KEYS = frozenset({"numeric", "template", "same_width", "above", "distinct", "rows"})
#: The most layouts "(other)" is drawn in (the commonest): a plan each costs about 5 ms at fit (the ledger's 18
#: took 80 ms) and a few hundred bytes of the model file.
MAX_OTHER_LAYOUTS = 100


@dataclass(frozen=True)
class TextTemplates:
    """What a fit keeps of one templated column.

    Attributes:
        name: the column.
        templates: its kept templates with placeholders ("Rechnung #####"); templates without are categories the
            model draws as they are.
        fills: for each of ``templates``, the same-width format of its digits: ``{"template": "99999", "tail",
            "suffixes"}``, the endings no real value of that template has, and ``"literal"``, the places of the
            template that are a ``#`` of the text's own ("Ticket #4711"), when it has any
            (:func:`synth.schema.text_templates.digit_format`).
        other: how "(other)" is regenerated (an identifier plan in the pooled values' shape alone), or None when
            no value was pooled or ``other_layouts`` draw it.
        other_layouts: the layouts "(other)" is drawn in when the pooled values have layouts held by k people
            (:func:`_other_plans`), an identifier plan each; ``other_rows``: the pooled rows of each, the shares.
        frames: the frames rarer patterns are drawn from (:mod:`synth.synthesizers.template_frames`): each a label
            with one slot ("Miete \u2420"), the words of its slot and the people holding each.
    """

    name: str
    templates: tuple[str, ...] = ()
    fills: tuple[dict[str, Any], ...] = ()
    other: _Plan | None = None
    other_layouts: tuple[_Plan, ...] = ()
    other_rows: tuple[int, ...] = ()
    frames: tuple[Frame, ...] = ()


persist.register_state_type(TextTemplates)  # saved in model files; loading builds only registered types


def as_identifiers(schema: Schema) -> Schema:
    """``schema`` with each templated column an identifier again, as a model with a privacy guarantee gets it: the
    templates' shares and the rare rule are the rows', without noise."""
    for spec in schema:
        if spec.templated:
            reason = f"{spec.reason}; regenerated as an identifier under the model's privacy guarantee"
            schema = schema.with_column(spec.name, kind=ColumnKind.IDENTIFIER, reason=reason)
    return schema


def pool_templates(
    df: pd.DataFrame, schema: Schema, k: int, people: np.ndarray | None = None
) -> tuple[pd.DataFrame, tuple[TextTemplates, ...], tuple[tuple[str, float], ...]]:
    """``df`` with each templated column as its kept templates, the rest "(other)"; what sampling needs of each
    (:class:`TextTemplates`); and (column, share of its present rows pooled) for those that pooled any.

    ``k``: templates held by fewer rows (people, with ``people``: each row's person) are pooled; 1 keeps every
    template whose digits can be redrawn. A template is kept whole when :func:`~synth.synthesizers.template_frames.
    whole_people` (4k) hold it; a rarer one is drawn from its frame where it has one
    (:func:`~synth.synthesizers.template_frames.compose_tail`), pooled otherwise.
    """
    out = df.copy(deep=False)
    states, shares = [], []
    for spec in schema:
        if not spec.templated or spec.name not in df.columns:
            continue
        raw = df[spec.name].astype(object)
        templates, frames = compose_tail(layout_labels(raw.astype(str), templates_of(raw)), k, people)
        framed = {label for label, _, _ in frames}
        # Frames are held through their parts; as categories they keep the rare rule's k like any other value.
        rare = (set(rare_categories(templates, whole_people(k), people)) - framed) | (
            framed & set(rare_categories(templates, k, people))
        )
        frames = tuple(f for f in frames if f[0] not in rare)
        kept, fills, unfillable = [], [], set()
        present = templates.notna().to_numpy()
        for template, rows in templates[present].groupby(templates[present], sort=True).groups.items():
            if template in rare or template == RARE_LABEL or not len(digit_positions(str(template))):
                continue
            fill = digit_format(raw.loc[rows].astype(str), base_template(str(template)))  # (detection asks it too)
            if fill is None:
                unfillable.add(template)
                continue
            kept.append(str(template))
            fills.append(fill)
        pooled = templates.isin(rare | unfillable).to_numpy() & present
        out[spec.name] = templates.where(~pooled, RARE_LABEL)
        other, layouts, rows_of = _other_plans(spec.name, raw[pooled], raw[present], k, _people_at(people, pooled))
        states.append(TextTemplates(spec.name, tuple(kept), tuple(fills), other, layouts, rows_of, frames))
        if pooled.any():
            shares.append((spec.name, float(pooled.sum() / present.sum())))
    return out, tuple(states), tuple(shares)


def with_pooled(
    bucketed: tuple[tuple[str, float], ...], pooled: tuple[tuple[str, float], ...]
) -> tuple[tuple[str, float], ...]:
    """The fit's pooled shares (:func:`synth.synthesizers.rare_categories.bucketed_shares`) with each templated
    column's own (from :func:`pool_templates`: its rare templates are "(other)" before the rare rule reads them),
    largest first as there."""
    if not pooled:
        return bucketed
    mine = dict(pooled)
    merged = [(c, s) for c, s in bucketed if c not in mine] + list(pooled)
    return tuple(sorted(merged, key=lambda x: (-x[1], x[0])))


def _people_at(people: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if people is None else np.asarray(people)[rows]


def _other_plans(
    name: str, pooled: pd.Series, present: pd.Series, k: int, people: np.ndarray | None
) -> tuple[_Plan | None, tuple[_Plan, ...], tuple[int, ...]]:
    """How "(other)" is drawn: ``(plan, (), ())`` in one layout, or ``(None, plans, rows)`` in several.

    A pooled value's layout is its shape (``generated_formats._shape``: "Überweisung an Jonas" is "Üaaaaaaaaaa aa
    Aaaaa", "Darlehen Rate 12" is "Aaaaaaaa Aaaa 99"). Each layout held by k people (rows, without ``people``) gets
    a plan of its own, learned from its values alone (literal characters only where every one of them agrees: text
    k people hold), drawn at its share of those layouts' rows; values in layouts fewer people hold say nothing,
    not even their shape, which with a name's length can single its holder out. With no layout so held, one plan
    in the pooled values' shape, letters and digits all slots: before, literal characters came from any five
    values of the usual width, which may all be one person's. The walk ledger's 272 pooled rows were all drawn as
    "Darlehen Rate 999", their "Überweisung an Jonas" too; 78% of them are in 18 layouts held by 5 holders."""
    if not len(pooled):
        return None, (), ()
    text = pooled.astype(str).reset_index(drop=True)
    shapes = text.map(_shape)
    rare = set(rare_categories(shapes, k, people))
    counts = shapes[~shapes.isin(rare)].value_counts().sort_index().sort_values(ascending=False, kind="stable")
    counts = counts.iloc[:MAX_OTHER_LAYOUTS]
    if not len(counts):
        return _other_plan(name, text, present, literal=False), (), ()
    plans = tuple(_other_plan(name, text[shapes == shape], present, literal=True) for shape in counts.index)
    return None, plans, tuple(int(c) for c in counts)


def _other_plan(name: str, pooled: pd.Series, present: pd.Series, literal: bool) -> _Plan:
    """How "(other)" is drawn: as an identifier in the pooled values' format, none of the column's real values, and
    repeated as the pooled values are (a repeated key's ``distinct`` and ``rows``, counts only). Drawn unique, the
    ledger's 283 "(other)" rows of a 4,000-row sample needed more values than "Darlehen Rate 999" holds, and the
    format was widened to "Darlehen Rate 636-9" on every one of them."""
    pooled_text, real = pooled.astype(str), present.astype(str)
    sample = _sample_text(pooled_text)
    base = _template(sample) if literal else _shape_template(sample)
    detail: dict[str, Any] = {
        "numeric": False,
        "template": disjoint_template(pooled_text, real, literal=literal),
        "same_width": same_width_format(pooled_text, real, base=base),
        "above": None,
    }
    distinct = int(pooled_text.nunique())
    if distinct < UNIQUE_SHARE * len(pooled_text):
        detail.update(distinct=distinct, rows=len(pooled_text))
    return _Plan(name, ColumnKind.IDENTIFIER, 0.0, detail)


def fill_templates(frame: pd.DataFrame, states: Sequence[TextTemplates], rng: np.random.Generator) -> pd.DataFrame:
    """``frame`` (conformed rows) with each templated column's placeholders filled with digits no real value of the
    template has, and "(other)" drawn as an identifier; templates without placeholders stay as drawn, missing values
    missing. A drawn value with placeholders the fit kept no digits for (a model file's leaf naming one) is
    "(other)" too: no placeholder reaches a table."""
    if not states:
        return frame
    out = frame.copy(deep=False)
    for state in states:
        if state.name not in out.columns:
            continue
        values = out[state.name].to_numpy(dtype=object).copy()
        codes = pd.Categorical(values, categories=list(state.templates)).codes
        for j, (template, fill) in enumerate(zip(state.templates, state.fills, strict=True)):
            rows = np.flatnonzero(codes == j)
            if len(rows):
                values[rows] = _filled(template, fill, len(rows), rng)
        fill_frames(values, state.frames, rng)  # (before the strays: a frame's label holds no placeholder)
        strays = {v for v in pd.unique(values[codes < 0]) if isinstance(v, str) and len(digit_positions(v))}
        other = np.flatnonzero(pd.Series(values).isin({RARE_LABEL, *strays}).to_numpy() & (codes < 0))
        if len(other) and state.other_layouts:
            values[other] = _draw_layouts(state.other_layouts, state.other_rows, len(other), rng)
        elif len(other) and state.other is not None:
            values[other] = draw_keys(state.other, len(other), rng)
        elif len(other):  # nothing was pooled at fit: a stray placeholder is left missing
            values[other] = None
        out[state.name] = pd.Series(values, index=out.index, dtype=object)
    return out


def _draw_layouts(plans: Sequence[_Plan], rows: Sequence[int], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` "(other)" values, each row in one of the layouts ``plans`` at their shares (``rows``)."""
    return draw_by_share(plans, rows, n, rng, draw_keys)


def _filled(template: str, fill: dict[str, Any], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` copies of ``template`` with its placeholders replaced by digits drawn from ``fill`` (its literal
    ``#`` kept)."""
    positions = placeholder_positions(template, fill.get(_LITERAL_KEY, ()))
    digits = np.array(fill_same_width(fill, n, rng).tolist(), dtype=f"<U{len(positions)}")
    template = base_template(template)  # a layout's label ("Ticket #####\u241fa") is written as its template
    chars = np.full(n, template, dtype=f"<U{len(template)}").view(np.uint32).reshape(n, len(template)).copy()
    chars[:, positions] = digits.view(np.uint32).reshape(n, len(positions))
    return np.ascontiguousarray(chars).view(f"<U{len(template)}").ravel().astype(object)


def check_templates(model: Any) -> None:
    """Raise :class:`~synth.synthesizers.persist.ModelFileError` for a ``templates_`` a fit could not have written:
    each names a templated column once, each template is one (:func:`~synth.schema.text_templates.is_template`: no
    run of digits, which would be a real number) with placeholders, and each digit format's endings are digits
    of its width."""
    states = getattr(model, "templates_", ())
    if not isinstance(states, tuple):
        raise persist.ModelFileError("its text templates are not what a fit writes")
    templated = {spec.name for spec in model.schema_ if spec.templated}
    seen: set[str] = set()
    for state in states:
        if not isinstance(state, TextTemplates) or state.name not in templated or state.name in seen:
            raise persist.ModelFileError("its text templates name a column that is not a templated category")
        seen.add(state.name)
        ok = isinstance(state.templates, tuple) and isinstance(state.fills, tuple)
        ok = ok and len(state.templates) == len(state.fills) and len(set(state.templates)) == len(state.templates)
        for template, fill in zip(state.templates, state.fills, strict=False) if ok else ():
            if not (_is_label(template) and len(digit_positions(template)) >= MIN_FILLED_DIGITS):
                raise persist.ModelFileError(f"{state.name}: {template!r:.80} is not a template a fit writes")
            if not _is_fill(fill, template):
                raise persist.ModelFileError(f"{state.name}: the digits of {template!r:.80} are not what a fit keeps")
        if not ok or not _is_other(state.other, state.name) or not _are_layouts(state) or not _are_frames(state):
            raise persist.ModelFileError(f"{state.name}: its text templates are not what a fit writes")


def _are_frames(state: TextTemplates) -> bool:
    """Frames as :func:`~synth.synthesizers.template_frames.compose_tail` writes them: distinct labels with one
    slot and no placeholder, none a kept template; each with words (no slot, no run of digits) and whole counts."""
    frames = state.frames
    if not isinstance(frames, tuple):
        return False
    labels = [f[0] if isinstance(f, tuple) and len(f) == 3 else None for f in frames]
    if len(set(labels)) != len(labels) or set(labels) & set(state.templates):
        return False
    return all(_is_frame(frame) for frame in frames)


def _is_frame(frame: Any) -> bool:
    if not (isinstance(frame, tuple) and len(frame) == 3):
        return False
    label, words, counts = frame
    if not (is_template(label) and label.count(SLOT) == 1 and not len(digit_positions(label))):
        return False
    if LAYOUT_MARK in label or not (isinstance(words, tuple) and isinstance(counts, tuple)):
        return False
    if not words or len(words) != len(counts) or len(set(words)) != len(words):
        return False
    plain = all(isinstance(w, str) and SLOT not in w and (w == "" or is_template(w)) for w in words)
    return plain and all(type(c) is int and c >= 1 for c in counts)


def _is_label(label: Any) -> bool:
    """A template, or a template's layout as :func:`~synth.schema.text_templates.layout_labels` names it (the
    template, :data:`~synth.schema.text_templates.LAYOUT_MARK` and one letter a–z)."""
    if not is_template(label):
        return False
    template, mark, layout = label.partition(LAYOUT_MARK)
    return bool(template) and (not mark or (len(layout) == 1 and "a" <= layout <= "z"))


def _is_fill(fill: Any, template: str) -> bool:
    """A digit format :func:`~synth.schema.text_templates.digit_format` writes for ``template``: its literal places,
    if any, are places of its placeholder runs, at least :data:`MIN_FILLED_DIGITS` left for digits."""
    if not isinstance(fill, dict) or set(fill) not in (_FILL_KEYS, _FILL_KEYS | {_LITERAL_KEY}):
        return False
    literal = fill.get(_LITERAL_KEY, ())
    positions = digit_positions(template)
    if _LITERAL_KEY in fill and not (
        isinstance(literal, list)
        and literal
        and all(type(i) is int for i in literal)
        and literal == sorted(set(literal))
        and set(literal) <= set(positions.tolist())
    ):
        return False
    width = len(positions) - len(literal)
    if width < MIN_FILLED_DIGITS or fill["template"] != "9" * width:
        return False
    tail, suffixes = fill["tail"], fill["suffixes"]
    if isinstance(tail, bool) or not isinstance(tail, int) or not 1 <= tail < width:
        return False
    return (
        isinstance(suffixes, list)
        and 0 < len(suffixes) < 10**tail
        and len(set(suffixes)) == len(suffixes)
        and all(isinstance(s, str) and len(s) == tail and set(s) <= _DIGITS for s in suffixes)
    )


def _are_layouts(state: TextTemplates) -> bool:
    """No "(other)" layouts, or as :func:`_other_plans` writes them: instead of ``other``, plans for the column
    with a whole number of rows each, one or more."""
    layouts, rows = state.other_layouts, state.other_rows
    if not (isinstance(layouts, tuple) and isinstance(rows, tuple) and len(layouts) == len(rows)):
        return False
    if not layouts:
        return True
    if len(layouts) > MAX_OTHER_LAYOUTS:
        return False
    whole = all(type(r) is int and r >= 1 for r in rows)
    return state.other is None and whole and all(_is_other(plan, state.name) for plan in layouts)


def _is_other(plan: Any, name: str) -> bool:
    """None or an identifier plan :func:`_other_plan` writes for column ``name``."""
    if plan is None:
        return True
    if not isinstance(plan, _Plan) or plan.name != name or plan.kind is not ColumnKind.IDENTIFIER:
        return False
    detail = plan.detail
    return (
        isinstance(detail, dict)
        and set(detail) <= _OTHER_KEYS
        and detail.get("numeric") is False
        and isinstance(detail.get("template"), str)
        and detail.get("above") is None
        and (detail.get("same_width") is None or isinstance(detail["same_width"], dict))
        and _is_repeat(detail)
    )


def _is_repeat(detail: dict[str, Any]) -> bool:
    """No repeat counts, or both as :func:`_other_plan` writes them: whole numbers, 1 ≤ distinct ≤ rows."""
    if "distinct" not in detail and "rows" not in detail:
        return True
    distinct, rows = detail.get("distinct"), detail.get("rows")
    whole = all(type(v) is int for v in (distinct, rows))
    return whole and 1 <= int(distinct) <= int(rows)  # type: ignore[arg-type]
