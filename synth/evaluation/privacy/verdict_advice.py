"""What the privacy verdict advises: the chosen synthesizer's own settings that lower memorisation, differential
privacy, coarser quasi-identifiers, and the record inspector (:func:`advice`, read by
:func:`~synth.evaluation.privacy.verdict.privacy_verdict`)."""

from __future__ import annotations

from collections.abc import Sequence

#: What lowers memorisation, in each synthesizer's own settings (“label” (parameter), as the Synthesize page and
#: ``synth fit --param`` name them; tests/unit/test_privacy.py checks every one against the model's parameters).
KNOB_ADVICE = {
    "cart": (
        "Raise Sequential CART's “Minimum rows per leaf” (min_samples_leaf) and keep “Smooth values rarer than” "
        "(smooth_below) above 0: every synthetic value then comes from a leaf of more real people and rare values "
        "are not copied."
    ),
    "pruned_cart": (
        "Raise Pruned CART's “Minimum rows per leaf” (min_samples_leaf) or “Pruning per row” (prune_per_row), and "
        "keep “Smooth values rarer than” (smooth_below) above 0: every synthetic value then comes from a leaf of "
        "more real people, fewer splits single out small groups, and rare values are not copied."
    ),
    "gaussian_copula": (
        "Lower the Gaussian copula's “Quantile knots” (n_knots) and raise its “Rows per mixture component (at "
        "least)” (min_stratum_rows) and “Hide categories rarer than” (min_category_rows): each column's shape is "
        "then read off more rows, no small group gets a copula of its own, and rare categories are pooled."
    ),
    "independent": (
        "Raise the independent marginals' “Hide categories rarer than” (min_category_rows): the model learns no "
        "row, only each column's values, and rare categories are then pooled instead of copied."
    ),
}
#: For a model without its own entry (a peer such as SDV's, or none named).
GENERIC_KNOB_ADVICE = (
    "Raise the synthesizer's privacy settings, or fit CART or Pruned CART with a larger “Minimum rows per leaf” "
    "(min_samples_leaf) and “Smooth values rarer than” (smooth_below) above 0: every synthetic value then comes "
    "from a leaf of more real people and rare values are not copied."
)


def advice(
    flagged: set[str], model: str | None, quasi_identifiers: Sequence[str], *, unsettled: Sequence[str] = ()
) -> tuple[str, ...]:
    """What to do about the ``flagged`` criteria (keys of the amber and red ones), for ``model`` (a registry name)
    and the attacker's ``quasi_identifiers``; with none flagged, about the ``unsettled`` ones (labels of the green
    criteria past the amber line within noise), which need more real people to judge, not another model."""
    # Plain text, as every other part of the verdict: the page shows it escaped and the report as HTML, so
    # Markdown here came out as its asterisks and backticks.
    steps: list[str] = []
    memorised = flagged & {"copies", "rare_values", "closeness", "membership", "singling_out"}
    if memorised:
        dp = (
            "Use the DP Bayesian network (privbayes): differential privacy bounds how much any one person can "
            "change the synthetic table"
            + (" — lower its ε (epsilon) for stronger protection." if model == "privbayes" else ".")
        )
        # The chosen model's own settings first: the session-28 walk's copula was told to raise CART's leaf size.
        own = KNOB_ADVICE.get(model or "", GENERIC_KNOB_ADVICE)
        steps += [dp] if model == "privbayes" else [own, dp]
    if flagged & {"linkability", "inference", "singling_out"}:
        qi = list(quasi_identifiers)
        example = f" (e.g. {', '.join(repr(c) for c in qi[:3])})" if qi else ""
        steps.append(
            f"Drop or coarsen a quasi-identifier{example}: bin ages or dates into bands, group rare categories, "
            "truncate postcodes — fewer distinct combinations leave fewer people alone in their group."
        )
    if flagged:
        steps.append(
            "Check the record inspector on the closest synthetic rows, then rerun these checks on the new "
            "synthetic table."
        )
    elif unsettled:
        names = listed(unsettled)
        steps.append(
            f"Nothing is flagged, but {names} could not be judged either way: the interval is too wide. Hold out "
            "more real rows (the Data page's “Holdout share (%)”, or synth split --holdout-share), fit again and "
            "sample at least as many synthetic rows as training rows, then rerun these checks; until then treat "
            f"{names} as a possible risk."
        )
    else:
        steps.append(
            "No change needed at these thresholds. Keep the holdout out of every fit, and rerun the checks after "
            "changing the model or its settings."
        )
    return tuple(steps)


def listed(names: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"; empty for none."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
