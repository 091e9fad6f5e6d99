"""The synthetic-data card: one page that travels with a synthetic table and says what it is fit for.

Intended use, the source table's fingerprint (hash and shape, never a row), the synthesizer and its
parameters, ε where differential privacy was used, the scores with their intervals, the known limitations
(the worst columns, the privacy criteria flagged, parts that could not be measured) and what the model file
contains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from synth.evaluation.results import Interval, number, percent, to_jsonable
from synth.evaluation.utility.rare_class import gap_words
from synth.evaluation.utility.tstr import SAMPLING_NOTE
from synth.report.manifest import csv_sha256, table_fingerprint
from synth.report.markdown import literal
from synth.report.race import RunResult
from synth.synthesizers.inventory import ArtifactItem, artifact_inventory
from synth.synthesizers.registry import get

DEFAULT_USE = (
    "Exploration, prototyping, teaching and sharing the table's patterns with people who may not see the real "
    "data. Not for decisions about the individuals in the source table, and not a substitute for the real data "
    "where exact small-group figures matter."
)

# What every saved model holds besides its own learned state (see Synthesizer.save).
_DERIVED = {
    "values": "real values, as they are",
    "aggregates": "aggregates, each computed from many rows",
    "structure": "structure: names, kinds, formats and sizes",
}


def training_input(run: RunResult) -> str:
    """What the model was fitted on, in words: the whole training split, or a seeded sample of a larger input
    (recorded as ``training_input_`` by ``synth fit`` when the input is larger than it reads whole)."""
    model = run.model
    if model is None:
        return "not known: this table was made outside synth"
    n_rows = int(getattr(model, "n_train_rows_", 0))
    info = getattr(model, "training_input_", None)
    if isinstance(info, dict) and info.get("sampled"):
        how = "streamed" if info.get("streamed") else "read"
        return (
            f"a seeded sample of {int(info['rows_used']):,} of {int(info['source_rows']):,} rows of "
            f"{info.get('source') or 'the input'} ({how}, seed {info.get('seed')}); scores describe the sample"
        )
    if isinstance(info, dict):
        return f"all {int(info['rows_used']):,} rows of {info.get('source') or 'the input'}"
    return f"all {n_rows:,} rows of the training split"


def model_contents(run: RunResult) -> list[str]:
    """What the model file holds, in words: the synthesizer's own inventory (every synthesizer declares one: the
    items every file holds, then its own). A model whose inventory is empty gets its class's declared items (its
    own, or "not itemised"): the card's own listing for it said the minimum and maximum of numbers were kept "read
    without noise", which no file holds (a range's ends are means of 5 values,
    :data:`~synth.synthesizers.inventory.COMMON_ITEMS`)."""
    model = run.model
    if model is None:
        return ["no model file: this table was made outside synth"] if run.contender.name == "external" else []
    inventory = getattr(model, "artifact_inventory", None) or getattr(model, "inventory", None)
    if callable(inventory):
        inventory = inventory()
    items = (inventory.items() if isinstance(inventory, dict) else inventory) or artifact_inventory(type(model))
    out = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2:
            out.append(f"{item[0]}: {item[1]}")
        elif isinstance(item, ArtifactItem):
            # A sentence per item: its fields printed as "name: …, content: …, derivation: …" read as a raw dict.
            out.append(f"{item.name} — {item.content} ({_DERIVED[item.derivation]}). {item.protection}")
        else:
            out.append(str(item))
    return out


def params_text(params: dict[str, Any] | None) -> str:
    """'min_samples_leaf = 40, visit_order = binary_first, refine = off': a synthesizer's settings as a reader
    writes them (the card printed the raw dict, "{'min_samples_leaf': 40, ...}")."""
    if not params:
        return "defaults"

    def bound(v: Any) -> str:
        return f"{v:g}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)

    def domain(v: Any) -> str:  # a declared range "0–120", "2020-01-01 to 2024-12-31", or labels "F/M"
        if not isinstance(v, list | tuple):
            return str(v)
        if len(v) == 2 and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v):
            return f"{bound(v[0])}–{bound(v[1])}"  # (a label list of two numbers reads as a range: as readable)
        if len(v) == 2 and all(isinstance(x, str) and re.match(r"\d{4}-\d{2}-\d{2}", x) for x in v):
            return f"{v[0]} to {v[1]}"
        return "/".join("(missing)" if x is None else str(x) for x in v)

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "on" if v else "off"
        if isinstance(v, dict):  # public domains: "age 0–120; sex F/M" (a raw dict printed its braces)
            return "; ".join(f"{k} {domain(d)}" for k, d in v.items())
        if isinstance(v, list | tuple) and v and all(isinstance(o, list | tuple) and len(o) == 2 for o in v):
            return ", ".join(f"{a} ≤ {b}" for a, b in v)  # declared orders
        return str(v)

    return ", ".join(f"{name} = {value(v)}" for name, v in params.items())


@dataclass(frozen=True)
class DataCard:
    """A synthetic-data card (see the module docstring); :meth:`to_markdown` prints it."""

    title: str
    intended_use: str
    source: dict[str, Any]
    synthesizer: dict[str, Any]
    epsilon: float | None
    guarantee: str | None
    synthetic: dict[str, Any]
    scores: dict[str, Any]
    limitations: tuple[str, ...]
    model_file: tuple[str, ...]
    score_notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)

    def to_markdown(self) -> str:
        s = self.scores

        def fmt(x: Any, pct: bool = False) -> str:
            if x is None:
                return "not measured"
            return percent(x) if pct else number(x)

        def ci(pair: Any) -> str:
            return f" (95% CI {Interval(*pair).format()})" if pair else ""

        quality = fmt(s.get("quality")) + ci(s.get("quality_interval"))
        lines = [
            f"# {literal(self.title)}",
            "",
            "## Intended use",
            self.intended_use,
            "",
            "## Source",
            f"- Table: {literal(self.source.get('name') or '(unnamed)')}, {self.source['rows']:,} rows × "
            f"{self.source['columns']} columns",
            f"- Fingerprint (SHA-256 of values, names and dtypes): `{self.source['sha256']}`",
            f"- Split: {self.source.get('split', '')}",
            f"- Fitted on: {literal(self.source.get('training_input', 'not recorded'))}",
            "",
            "## Synthesizer",
            f"- {literal(self.synthesizer['label'])} (`{literal(self.synthesizer['name'])}`), "
            f"seed {self.synthesizer.get('random_state')}",
            f"- Parameters: {literal(params_text(self.synthesizer['params']))}",
            f"- Differential privacy: ε = {self.epsilon}"
            if self.epsilon is not None
            else "- Differential privacy: none",
        ]
        if self.guarantee:
            lines.append(f"- Guarantee: {literal(self.guarantee)}")
        lines += [
            "",
            "## Synthetic table",
            f"- {self.synthetic['rows']:,} rows, sample seed {self.synthetic.get('sample_seed')}, CSV SHA-256 "
            f"`{self.synthetic.get('csv_sha256', '')}`",
            "",
            "## Scores",
            *(
                f"- {order.capitalize()} accuracy: {fmt(s.get(f'{order}_accuracy'))}"
                + ci(s.get(f"{order}_interval"))
                + f"; fresh real data (the holdout): {fmt(s.get(f'{order}_ceiling'))}"
                for order in ("univariate", "bivariate", "trivariate")
            ),
            f"- Detection AUC, discriminator (0.5 = indistinguishable): {fmt(s.get('discriminator_auc'))}; "
            f"fresh real data: {fmt(s.get('discriminator_reference'))}",
            f"- Quality, sdmetrics-style (column shapes and pair trends): {quality}",
            f"- Pair trends: {fmt(s.get('pair_trends'))}",
            f"- ML utility (TSTR vs TRTR{', ' + literal(s['utility_measure']) if s.get('utility_measure') else ''}): "
            f"{fmt(s.get('tstr'))} vs {fmt(s.get('trtr'))}"
            + "".join(f"; {literal(note)}" for note in self.score_notes),
            # A race's screening verdict is named as one: it is not the verdict the Privacy page gives the run.
            f"- Privacy verdict{' (screening on a subsample)' if s.get('privacy_screening') else ''}: "
            f"{s.get('privacy_level', 'grey')}"
            + (f", set by {literal(', '.join(s['privacy_set_by']).lower())}" if s.get("privacy_set_by") else "")
            + (
                f", not settled on {literal(', '.join(s['privacy_unsettled']).lower())} (past the amber line within "
                "sampling noise: neither shown nor ruled out)"
                if s.get("privacy_unsettled")
                else ""
            )
            + f"; highest risk estimate over every check {fmt(s.get('privacy_risk'), True)}"
            + (
                f" (95% range {percent(s['privacy_risk_interval'][0])}–{percent(s['privacy_risk_interval'][1])}; "
                "a check whose interval includes no risk does not move the verdict)"
                if s.get("privacy_risk_interval") and s.get("privacy_risk") is not None
                else ""
            )
            + (f", {literal(s['privacy_risk_note'])}" if s.get("privacy_risk_note") else "")
            + (f". Privacy measured by {literal(s['privacy_source'])}" if s.get("privacy_source") else ""),
            "",
            "## Known limitations",
            *[f"- {literal(x)}" for x in self.limitations],
            "",
            "## What the model file contains",
            *[f"- {literal(x)}" for x in self.model_file],
            "",
        ]
        return "\n".join(lines)


def data_card(
    run: RunResult,
    data: pd.DataFrame,
    *,
    name: str = "",
    split: str = "",
    intended_use: str = DEFAULT_USE,
) -> DataCard:
    """The card of one race run (or an external table) made from the real table ``data``."""
    ev = run.evaluation
    params = dict(run.contender.params)
    try:
        cls = get(run.contender.name)
        label, guarantee = cls.label, cls.guarantee
        if run.model is not None:
            params = {k: v for k, v in run.model.get_params().items() if k != "random_state"}
    except KeyError:
        label, guarantee = run.label, None
    epsilon = float(params["epsilon"]) if guarantee and "epsilon" in params else None
    limitations: list[str] = []
    if ev is not None:
        lagging = ev.lagging_columns(3)
        if lagging:
            limitations.append(
                "Columns less faithful than fresh real data (beyond sampling noise): "
                + ", ".join(f"{c} ({number(v)} vs holdout {number(h)})" for c, v, h in lagging)
                + " (column shape score)."
            )
        worst = ev.worst_columns(3) if lagging is None else []
        if worst:
            limitations.append(
                "Least faithful columns: "
                + ", ".join(f"{c} ({number(v)})" for c, v in worst)
                + " (column shape score)."
            )
        if ev.verdict is not None:
            flagged = [c for c in ev.verdict.criteria if c.level in ("amber", "red")]
            limitations += [f"Privacy: {c.label} is {c.level} — {c.value}." for c in flagged]
            # Grey by why: "Not measured" for checks that never ran, "Too few rows" for attacks that ran on a
            # sample too small to judge (they read "Not measured" beside a 60-row sample), with the reason.
            grey = [c for c in ev.verdict.criteria if c.level == "grey"]
            for words in dict.fromkeys(c.words for c in grey):
                same = [c for c in grey if c.words == words]
                why = f" — {same[0].value}" if same[0].unjudged else ""
                limitations.append(f"{words.capitalize()}: {', '.join(c.label for c in same)}{why}.")
        limitations += [f"{part.capitalize()} could not be scored: {msg}" for part, msg in ev.errors.items()]
    # How ML utility was measured ("both models train on 1,940 rows…") describes the score, not a limitation of
    # the synthetic table: it goes beside the score (a missing class and the like stay limitations).
    notes = list(ev.utility.notes) if ev is not None and ev.utility is not None else []
    score_notes = [n for n in notes if n.startswith(SAMPLING_NOTE)]
    limitations += [n for n in notes if n not in score_notes]
    if ev is not None and ev.utility is not None:
        # The two scores alone read as a gap in either table's favour, also where neither beats chance or a class
        # is too rare to judge it: the judgement goes beside them, as the Compare page's card gives it.
        judged = gap_words(ev.utility.headline, ev.utility.shown_class, ev.utility.target)
        score_notes = ([judged] if judged else []) + score_notes
    if not limitations:
        limitations.append("None found at the thresholds used.")
    fp = table_fingerprint(data)
    return DataCard(
        title=f"Synthetic data card — {run.label}",
        intended_use=intended_use,
        source={"name": name, **fp, "split": split, "training_input": training_input(run)},
        synthesizer={
            "name": run.contender.name,
            "label": label,
            "params": to_jsonable(params),
            "random_state": run.contender.random_state,
        },
        epsilon=epsilon,
        guarantee=guarantee,
        synthetic={
            "rows": run.n_rows,
            "sample_seed": run.sample_seed,
            "csv_sha256": csv_sha256(run.synthetic) if run.synthetic is not None else "",
        },
        scores=ev.headline() if ev is not None else {},
        limitations=tuple(limitations),
        model_file=tuple(model_contents(run)),
        score_notes=tuple(score_notes),
    )
