"""The shadow-model membership attack: refit the synthesizer on data the attacker holds and learn what membership
looks like in its output (Shokri et al. 2017; for synthetic data TAPAS, Houssiau et al. 2022).

The attacker holds reference rows (half the holdout) and knows the synthesizer and its settings. For each shadow
fit the reference rows are split at random into *in* (trained on) and *out*; the synthesizer is refitted on *in*
and sampled at the real synthetic-to-train size ratio. Every reference row then gets features from that shadow
output — the log distances to its two nearest shadow-synthetic rows, to its nearest *out* row (itself left
out) and their ratio, and whether it has an exact copy — labelled by whether it was *in*. A logistic
meta-classifier trained on all shadow fits is then applied to the real targets' features against the real
synthetic table. A linear meta-classifier ranks the real targets the same whatever shift the smaller shadow
tables put on the features, so the attack's AUC and TPR are not distorted by the shadow tables' size.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.neighbors import euclidean_neighbors
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, ColumnSpec, Schema

EPS = 1e-3
MIN_REFERENCE = 50
#: The person codes' column in a shadow fit's table (the real person column is not among the learned columns).
SHADOW_PERSON = "__shadow_person__"
#: At most this many nearest out rows are looked through for one of another person.
MAX_OWN_ROWS = 256


class ShadowError(PrivacyInputError):
    """The shadow-model attack cannot run (the message says why)."""


def features(d_syn: np.ndarray, d_ref: np.ndarray) -> np.ndarray:
    """Meta-classifier features from distances to the two nearest synthetic rows and the nearest reference row."""
    l1, l2, lr = np.log(d_syn[:, 0] + EPS), np.log(d_syn[:, 1] + EPS), np.log(d_ref + EPS)
    return np.column_stack([l1, l2, lr, l1 - lr, l1 - l2, (d_syn[:, 0] == 0).astype(float)])


def _shadow_split(n: int, persons: np.ndarray | None, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The reference rows a shadow fit trains on and the rest: half the rows, or the rows of half the people."""
    if persons is None:
        order = rng.permutation(n)
        return np.sort(order[: n // 2]), np.sort(order[n // 2 :])
    people = rng.permutation(np.unique(persons))
    chosen = np.isin(persons, people[: len(people) // 2])
    return np.flatnonzero(chosen), np.flatnonzero(~chosen)


def _nearest_other(x_ref: np.ndarray, outside: np.ndarray, persons: np.ndarray | None) -> np.ndarray:
    """Each reference row's distance to its nearest *out* row that is not itself, nor, with people, one of its own
    person's rows: a real non-member's nearest reference row is never its own (the halves take people whole)."""
    if persons is None:
        d_out, i_out = euclidean_neighbors(x_ref, x_ref[outside], 2)
        own = outside[i_out[:, 0]] == np.arange(len(x_ref))  # an out row finds itself first: skip it
        return np.where(own, d_out[:, -1], d_out[:, 0])
    _, rows = np.unique(persons[outside], return_counts=True)
    # Past every row of one's own person, up to a bound: a person of more rows is rare, and the last distance looked
    # at stands in for theirs.
    k = min(len(outside), int(rows.max()) + 1, MAX_OWN_ROWS)
    d_out, i_out = euclidean_neighbors(x_ref, x_ref[outside], k)
    other = persons[outside][i_out] != persons[:, None]
    first = np.argmax(other, axis=1)  # the nearest of another person (all are of one's own: the last one)
    first = np.where(other.any(axis=1), first, d_out.shape[1] - 1)
    return d_out[np.arange(len(x_ref)), first]


def shadow_scores(
    inputs: PrivacyInputs, n_shadow: int, seed: int, progress: ProgressCallback | None = None
) -> tuple[np.ndarray, np.ndarray, str]:
    """Scores of the membership targets (members, non-members) from the shadow meta-classifier.

    Raises:
        ShadowError: when the synthesizer cannot be created or refitted, or the reference data is too small.
    """
    from synth.synthesizers.registry import create, label_of

    report = ensure(progress)
    assert inputs.synthesizer is not None
    name, params = inputs.synthesizer
    label = label_of(name)  # what the pages call it: the California walk's bar read "shadow fit 2 of 4: pruned_cart"
    t = inputs.tables
    ref_rows, _ = inputs.holdout_halves
    if len(ref_rows) < MIN_REFERENCE:
        raise ShadowError(f"only {len(ref_rows)} reference rows; at least {MIN_REFERENCE} are needed for shadow fits")
    reference = t.holdout.iloc[ref_rows].reset_index(drop=True)
    x_ref = inputs.encoded("holdout")[ref_rows]
    # With a person column the shadow fits take whole people, as the real fit and split did: each row its own
    # person, a patient's visits fell on both sides of a shadow split, an out row's nearest other out row was often
    # its own visit, and the meta-classifier learned a signal the real targets (split by person) never show.
    persons = None if inputs.people is None else inputs.people.holdout[ref_rows]
    ratio = len(t.synthetic) / len(t.train)
    rng = np.random.default_rng([seed, 11])
    xs, ys = [], []
    fitted_rows, sampled_rows = [], []
    for s in range(n_shadow):
        inside, outside = _shadow_split(len(reference), persons, rng)
        n_sample = max(2, round(len(inside) * ratio))
        report(s / (n_shadow + 1), f"shadow fit {s + 1} of {n_shadow}: {label} on {len(inside):,} reference rows")
        try:
            model = create(name, **{**params, "random_state": int(rng.integers(2**31))})
            frame, schema = reference.iloc[inside].reset_index(drop=True), t.schema
            if persons is None:
                model.fit(frame, schema, person_column=None)
            else:
                frame[SHADOW_PERSON] = persons[inside]
                schema = Schema((*t.schema, ColumnSpec(SHADOW_PERSON, ColumnKind.IDENTIFIER)))
                model.fit(frame, schema, person_column=SHADOW_PERSON)
            shadow_syn = model.sample(n_sample, seed=int(rng.integers(2**31)))
        except Exception as exc:  # any failure of a refit only disables this attack, with the reason shown
            raise ShadowError(f"refitting {label} on reference rows failed ({type(exc).__name__}: {exc})") from exc
        fitted_rows.append(len(inside))
        sampled_rows.append(n_sample)
        x_shadow = inputs.mixed_encoder.transform(shadow_syn[list(t.columns)], inputs.kinds)
        d_syn = euclidean_neighbors(x_ref, x_shadow, 2)[0]
        if d_syn.shape[1] == 1:
            d_syn = np.hstack([d_syn, d_syn])
        xs.append(features(d_syn, _nearest_other(x_ref, outside, persons)))
        ys.append(np.isin(np.arange(len(reference)), inside).astype(int))
    report(n_shadow / (n_shadow + 1), "training the meta-classifier")
    meta = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    meta.fit(np.vstack(xs), np.concatenate(ys))
    feats = inputs.target_features()
    pos = meta.decision_function(features(*feats["members"]))
    neg = meta.decision_function(features(*feats["non_members"]))
    report(1.0, "done")
    whole = "" if persons is None else ", whole people"
    note = (
        f"{n_shadow} shadow fits of {label} on about {round(np.mean(fitted_rows)):,} of the attacker's reference rows "
        f"each{whole}, sampled at the real synthetic-to-train ratio (about {round(np.mean(sampled_rows)):,} rows); a "
        "logistic meta-classifier on distance features."
    )
    return np.asarray(pos), np.asarray(neg), note
