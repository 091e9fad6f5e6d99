"""``synth evaluate``'s privacy part: the distances, rare values, membership and the WP216 attacks (singling out,
linkability, inference), judged by the dashboard's verdict.

The attacks run as the Privacy page runs them, so the same tables, schema and seed give the same figures on both:
singling out with no attacker model (it needs none), then linkability and inference for the page's default
attacker model (the schema's quasi-identifier and sensitive flags, else the demographic-looking columns and a
target-looking secret), each with :data:`~synth.evaluation.privacy.wp216.DEFAULT_N_ATTACKS` attacks against the
training rows (main), the holdout (control) and at random (baseline), sharing one set of prepared tables.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from synth.cli import console
from synth.cli.console import Progress, UserError, note

#: The verdict's criteria that the attacks measure (the others come from the distances and rare values).
ATTACK_CRITERIA = frozenset(("singling_out", "linkability", "inference"))


@dataclass(frozen=True)
class Attacks:
    """The WP216 attacks of one evaluation: their results, the attacker model, and why a criterion was not run."""

    results: tuple[Any, ...] = ()
    attacker: Any = None
    n_attacks: int = 0
    seed: int = 0
    not_run: dict[str, str] = field(default_factory=dict)  # criterion → why it was not measured

    def to_dict(self) -> dict[str, Any]:
        return {
            "attacker": self.attacker.to_dict() if self.attacker is not None else None,
            "n_attacks": self.n_attacks,
            "seed": self.seed,
            "results": [r.to_dict() for r in self.results],
            "not_run": dict(self.not_run),
        }


def run_attacks(real: Any, syn: Any, holdout: Any, schema: Any, inputs: Any, seed: int, quiet: bool) -> Attacks:
    """Singling out, then linkability and inference, as the Privacy page runs them (see the module docstring)."""
    from synth.evaluation.privacy.attacks import (
        AttackerModel,
        AttackerModelError,
        default_attacker_model,
        evaluate_attacks,
    )
    from synth.evaluation.privacy.wp216 import DEFAULT_N_ATTACKS
    from synth.progress import scaled

    # The page's default model: every learned column is in the synthetic table here (checked before), so its
    # choice among them is default_attacker_model's, and it links the known columns (an empty link_a means them)
    # with every other learned column but the secret.
    attacker = default_attacker_model(schema, real)
    not_run: dict[str, str] = {}
    with Progress("attacks: singling out, linkability, inference", quiet=quiet) as bar:
        # Weighted by their steps: two singling-out modes; linkability, inference and inference on the rare.
        alone = evaluate_attacks(
            real,
            syn,
            holdout=holdout,
            attacker=AttackerModel((), ""),
            criteria=("singling_out",),
            n_attacks=DEFAULT_N_ATTACKS,
            seed=seed,
            progress=scaled(bar, 0.0, 0.4),
            inputs=inputs,
        )
        results = list(alone.results)
        try:
            attacker.validate(schema, real)
        except AttackerModelError as exc:
            reason = f"no attacker model the attacks can use: {exc}"
            not_run.update(linkability=reason, inference=reason)
        else:
            linked = evaluate_attacks(
                real,
                syn,
                holdout=holdout,
                attacker=attacker,
                criteria=("linkability", "inference"),
                n_attacks=DEFAULT_N_ATTACKS,
                seed=seed,
                progress=scaled(bar, 0.4, 1.0),
                inputs=inputs,
            )
            results += linked.results
    return Attacks(tuple(results), attacker, DEFAULT_N_ATTACKS, seed, not_run)


def measure(args: argparse.Namespace, real: Any, syn: Any, holdout: Any, schema: Any) -> tuple[Any, Any, Any]:
    """The privacy measures, the attacks (None with ``--no-attacks``) and the dashboard's verdict on them all."""
    import synth
    from synth.evaluation.privacy.common import PrivacyInputError
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.rare_values import evaluate_rare_values
    from synth.evaluation.privacy.verdict import privacy_verdict
    from synth.schema.entities import FIND_PERSON

    try:
        # One set of prepared tables (encoders, neighbour searches) for the distances and every attack.
        inputs = PrivacyInputs(
            real, holdout, syn, schema, seed=args.seed, person_column=FIND_PERSON if args.by is None else args.by
        )
        with Progress("measuring privacy", quiet=args.quiet) as bar:
            privacy = synth.evaluate_privacy(
                real, syn, holdout=holdout, schema=schema, progress=bar, seed=args.seed, inputs=inputs
            )
        rare = evaluate_rare_values(real, syn, holdout, schema=schema, columns=schema.modelled)
        attacks = None if args.no_attacks else run_attacks(real, syn, holdout, schema, inputs, args.seed, args.quiet)
    except PrivacyInputError as exc:
        raise UserError(f"privacy cannot be measured: {exc}", console.BAD_INPUT) from exc
    verdict = privacy_verdict(
        privacy,
        attacks.results if attacks is not None else (),
        quasi_identifiers=attacks.attacker.known if attacks is not None else (),
        rare_values=rare,
    )
    return privacy, attacks, verdict


def _pct(x: float) -> str:
    from synth.evaluation.results import percent

    return percent(x)


def attack_summary(attacks: Attacks | None) -> dict[str, Any]:
    """Each attack's risk and interval for the JSON summary (an empty dict when the attacks were skipped)."""
    if attacks is None:
        return {}
    out: dict[str, Any] = {}
    for r in attacks.results:
        out[r.name] = {
            "label": r.label,
            "criterion": r.criterion,
            "measured": r.measured,
            "risk": r.risk.value if r.measured else None,
            "risk_low": r.risk.low if r.measured else None,
            "risk_high": r.risk.high if r.measured else None,
            "main": r.main.value,
            "control": r.control.value,
            "baseline": r.baseline.value,
            "not_measured_because": r.not_run_reason,
        }
    return out


def grey_reasons(verdict: Any, attacks: Attacks | None) -> tuple[dict[str, str], dict[str, str]]:
    """The verdict's grey criteria, each with why, in two parts: those not measured (skipped with
    ``--no-attacks``, no attacker model the attacks can use, no attack could be made, too few values to judge)
    and those measured but set aside (a synthetic table under
    :data:`~synth.evaluation.privacy.verdict.MIN_SYNTHETIC_ROWS` rows: figures of its size, not of what it
    reveals). Keyed by criterion (``singling_out``, ``membership``, ``rare_values``, ...).

    An attack that never ran is not measured on a table of any size. The verdict words every attack criterion
    of a 60-row table "too few synthetic rows to judge", run or not: with ``--no-attacks`` the JSON listed the
    three attacks beside the measured membership as one list, and the printed lines said "too few rows" for
    attacks that were skipped."""
    not_measured: dict[str, str] = {}
    set_aside: dict[str, str] = {}
    for c in verdict.criteria:
        if c.level != "grey":
            continue
        why = _why_not_run(c.key, attacks)
        if why is not None:
            not_measured[c.key] = why
        elif c.unjudged:
            set_aside[c.key] = c.value
        else:
            not_measured[c.key] = c.value
    return not_measured, set_aside


def _why_not_run(key: str, attacks: Attacks | None) -> str | None:
    """Why the attacks of criterion ``key`` were not measured, or None when one was (or ``key`` is no attack's)."""
    if key not in ATTACK_CRITERIA:
        return None
    if attacks is None:
        return "skipped (--no-attacks)"
    if key in attacks.not_run:
        return str(attacks.not_run[key])
    ran = [r for r in attacks.results if r.criterion == key]
    if any(r.measured for r in ran):
        return None
    return "; ".join(f"{r.label}: {r.not_run_reason}" for r in ran) or "no attack could be made"


def verdict_summary(verdict: Any, attacks: Attacks | None) -> dict[str, Any]:
    flagged = [c for c in verdict.criteria if c.level in ("red", "amber")]
    not_measured, set_aside = grey_reasons(verdict, attacks)
    return {
        "privacy_level": verdict.level,
        "privacy_unsettled": [c.key for c in verdict.unsettled],
        "privacy_headline": verdict.headline,
        "privacy_flagged": [
            {"criterion": c.key, "label": c.label, "level": c.level, "value": c.value} for c in flagged
        ],
        "privacy_not_measured": not_measured,
        "privacy_set_aside": set_aside,
        "attacks": attack_summary(attacks),
    }


def membership_summary(privacy: Any) -> dict[str, Any] | None:
    """The strongest membership attack over rows and, when a column names whose row each row is, over people."""
    mia = None if privacy is None else privacy.membership
    if mia is None or mia.headline is None:
        return None
    row = mia.headline
    out: dict[str, Any] = {
        "rows": {"label": row.label, "auc": row.auc.value, "auc_low": row.auc.low, "auc_high": row.auc.high},
        "people": None,
        "people_not_run": next((w for w in mia.not_run if w.startswith("Membership over people")), None),
    }
    people = mia.people
    if people is not None and people.headline is not None:
        head = people.headline
        out["people"] = {
            "column": people.column,
            "label": head.label,
            "auc": head.auc.value,
            "auc_low": head.auc_boot_low,
            "auc_high": head.auc_boot_high,
            "advantage": head.advantage,
            "advantage_low": head.advantage_low,
            "advantage_high": head.advantage_high,
            "members": people.n_members,
            "non_members": people.n_non_members,
        }
    return out


def print_membership(privacy: Any, quiet: bool) -> None:
    """The strongest membership attack over rows, then over people (a person is all their rows), each named."""
    summary = membership_summary(privacy)
    if summary is None:
        return
    row = summary["rows"]
    note(
        f"  membership over rows (a member is a training row): AUC {row['auc']:.3f} (95% CI {row['auc_low']:.3f}–"
        f"{row['auc_high']:.3f}; 0.5 = no signal), {row['label']}",
        quiet=quiet,
    )
    people = summary["people"]
    if people is not None:
        note(
            f"  membership over people (a member is a {people['column']} with any row in training): AUC "
            f"{people['auc']:.3f} (95% CI {people['auc_low']:.3f}–{people['auc_high']:.3f}, people resampled), "
            f"advantage {people['advantage']:.3f}, {people['label']}; {people['members']:,} training vs "
            f"{people['non_members']:,} holdout people",
            quiet=quiet,
        )
    elif summary["people_not_run"] is not None:
        note(f"  {summary['people_not_run']}", quiet=quiet)


def print_privacy(verdict: Any, attacks: Attacks | None, quiet: bool, privacy: Any = None) -> None:
    """The verdict's light and headline, each criterion at the worst light (a risk prints even with -q), the
    membership attacks over rows and over people, then each attack's risk with its interval, and what was not
    measured and why."""
    risky = verdict.level in ("red", "amber")
    note(f"privacy {verdict.level.upper()}: {verdict.headline}", quiet=quiet and not risky)
    for c in verdict.criteria:
        if c.level == verdict.level and risky:
            note(f"  {c.level} {c.label}: {c.value}")
        elif c in verdict.unsettled:
            note(f"  {c.words} {c.label}: {c.value}", quiet=quiet)
    print_membership(privacy, quiet)
    if attacks is not None:
        for r in attacks.results:
            if r.measured:
                note(
                    f"  attack {r.label}: risk {_pct(r.risk.value)} (95% CI {_pct(r.risk.low)}–{_pct(r.risk.high)}); "
                    f"success {_pct(r.main.observed)} on training {r.unit}, {_pct(r.control.observed)} on holdout "
                    f"{r.unit} (control), {_pct(r.baseline.observed)} at random",
                    quiet=quiet,
                )
            else:
                note(f"  attack {r.label}: not measured: {r.not_run_reason}", quiet=quiet)
    not_measured, set_aside = grey_reasons(verdict, attacks)
    for c in verdict.criteria:
        if c.key in set_aside:  # measured, then set aside (a 60-row sample's attacks): not "no attack could be made"
            note(f"  {c.words}: {c.label.lower()}: {set_aside[c.key]}", quiet=quiet)
        elif c.key in not_measured:
            note(f"  not measured: {c.label.lower()}: {not_measured[c.key]}", quiet=quiet)
