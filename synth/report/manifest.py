"""The run manifest: everything needed to make the same synthetic tables and the same scores again.

A manifest records the real table's fingerprint (a SHA-256 over its values, column names and dtypes, and its
shape), the schema, the split (holdout share and seed), each run's synthesizer, parameters and seeds, the
evaluation settings, the package versions, and each synthetic table's own fingerprint with its headline
scores. :func:`reproduce` takes the manifest and the same real table and redoes every run; each reproduced
table is checked against its recorded fingerprint (the SHA-256 of its CSV, so "the same" means byte for byte).

The manifest holds no real row: only hashes, the schema (column names, kinds and the flags set on the Data
page) and scores.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from synth.evaluation.reference import RealReference
from synth.evaluation.results import to_jsonable
from synth.progress import ProgressCallback
from synth.report.evaluation import EvaluationSettings
from synth.report.race import Contender, RaceResult, RunResult, race
from synth.schema import Schema
from synth.split import split
from synth.synthesizers.people import FIND_PERSON, PersonColumn

FORMAT = "synth-run-manifest"
FORMAT_VERSION = 1
PACKAGES = ("synth", "numpy", "pandas", "scikit-learn", "scipy")


class ManifestError(ValueError):
    """A manifest that cannot be read, or a table that is not the one the manifest was made from."""


def table_fingerprint(df: pd.DataFrame) -> dict[str, Any]:
    """SHA-256 over a table's values (row order included), column names and dtypes; plus its shape."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return {"sha256": digest.hexdigest(), "rows": int(df.shape[0]), "columns": int(df.shape[1])}


def csv_sha256(df: pd.DataFrame) -> str:
    """SHA-256 of the table as the dashboard downloads it (CSV, UTF-8, no index)."""
    return hashlib.sha256(df.to_csv(index=False).encode("utf-8")).hexdigest()


def _version(name: str) -> str:
    """The installed version of ``name``, a distribution or an import name (``synth`` is installed as the
    distribution ``synth-explorer``: looked up by its import name it read "not installed")."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
    # Only a name that is no distribution asks which distributions provide it: that reads every installed
    # package's file list (~0.2 s a call, ~1 s for the five names on a loaded 2-core machine, on every report).
    for candidate in metadata.packages_distributions().get(name, []):
        try:
            return metadata.version(candidate)
        except metadata.PackageNotFoundError:
            continue
    if name == "synth":  # run from a source tree that was never installed
        from synth import __version__

        return f"{__version__} (not installed)"
    return "not installed"


@functools.cache
def _installed_versions() -> tuple[tuple[str, str], ...]:
    """Read once per process: the Report page writes a manifest on every change of its options, and the
    installed packages do not change while the app runs."""
    return (("python", platform.python_version()), *((name, _version(name)) for name in PACKAGES))


def package_versions() -> dict[str, str]:
    return dict(_installed_versions())


def build_manifest(
    data: pd.DataFrame,
    schema: Schema,
    result: RaceResult,
    *,
    holdout: float,
    split_seed: int,
    split_by: str | None = None,
    name: str = "",
) -> dict[str, Any]:
    """The manifest of a race (or of a single run, as a race of one) on ``data`` split with (holdout, seed, by),
    each run fitted with ``person_column=by`` (as the dashboard fits them; None: no person held).

    Runs of external tables are listed with their fingerprint but cannot be reproduced (no model made them), and
    neither can differentially private fits: their noise comes from fresh OS entropy and is never saved, so a
    refit draws new noise by design (``reproducible`` is false with the reason in ``not_reproducible``). Their
    synthetic tables are reproduced from the saved model file instead.
    """
    runs = []
    for r in result.runs:
        entry: dict[str, Any] = {
            "label": r.label,
            "status": r.status,
            "synthesizer": r.contender.name,
            "params": to_jsonable(dict(r.contender.params)),
            "random_state": r.contender.random_state,
            "n_rows": r.n_rows,
            "sample_seed": r.sample_seed,
            "reproducible": r.contender.name != "external" and not _is_private(r.contender.name),
        }
        if r.contender.name == "external":
            entry["not_reproducible"] = "an uploaded table: no model made it"
        elif _is_private(r.contender.name):
            entry["not_reproducible"] = (
                "a differentially private fit: its noise is fresh OS entropy, never saved, so a refit differs by "
                "design; keep its model file to sample the same table again"
            )
        if r.synthetic is not None:
            entry["synthetic_csv_sha256"] = csv_sha256(r.synthetic)
        if r.evaluation is not None:
            entry["scores"] = r.evaluation.headline()
        runs.append(entry)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "data": {"name": name, **table_fingerprint(data), "column_names": [str(c) for c in data.columns]},
        "schema": schema.to_dict(),
        # fits_by: the runs' fits were told the split's column (None: no person); older manifests' fits found it.
        "split": {"holdout": holdout, "seed": split_seed, "by": split_by, "fits_by": True},
        "evaluation": result.settings.to_dict(),
        "runs": runs,
        "packages": package_versions(),
    }


def read_manifest(manifest: Mapping[str, Any] | str | bytes | Path) -> dict[str, Any]:
    """A manifest from a dict, JSON text or bytes, or a path to a JSON file; checked for its format."""
    if isinstance(manifest, Mapping):
        data: Any = dict(manifest)
    else:
        try:
            if isinstance(manifest, Path) or (isinstance(manifest, str) and not manifest.lstrip().startswith("{")):
                manifest = Path(manifest).read_text(encoding="utf-8")
            data = json.loads(manifest)
        except (OSError, ValueError, RecursionError) as exc:  # RecursionError: "[[[[…" thousands deep
            raise ManifestError(f"This is not a readable run manifest ({exc}). Download it again from Report.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError("This JSON file is not a synth run manifest (its 'format' is not synth-run-manifest).")
    if int(data.get("format_version", 0)) > FORMAT_VERSION:
        raise ManifestError(
            f"This manifest has format version {data['format_version']}; this synth reads up to {FORMAT_VERSION}. "
            "Upgrade synth."
        )
    return data


@dataclass(frozen=True, eq=False)
class Reproduction:
    """The reproduced race and, per run, whether its synthetic table matches the manifest byte for byte.

    Attributes:
        result: the reproduced race.
        matches: label → whether the reproduced table's CSV hash equals the recorded one.
        version_differences: packages whose version differs from the manifest's (a cause of mismatches).
    """

    result: RaceResult
    matches: dict[str, bool]
    version_differences: dict[str, tuple[str, str]]

    @property
    def identical(self) -> bool:
        return bool(self.matches) and all(self.matches.values())


def _is_private(name: str) -> bool:
    """Whether a synthesizer's fit carries a DP guarantee (and so private noise that no seed replays)."""
    from synth.synthesizers.registry import get

    try:
        return get(name).guarantee is not None
    except KeyError:  # an unknown name: treat as an ordinary, seeded fit
        return False


def reproduce(
    manifest: Mapping[str, Any] | str | bytes | Path,
    data: pd.DataFrame,
    *,
    progress: ProgressCallback | None = None,
) -> Reproduction:
    """Redo every reproducible run of ``manifest`` on ``data`` (the same real table, as loaded).

    Raises:
        ManifestError: an unreadable manifest, or ``data`` whose fingerprint differs from the recorded one
            (a different table, or the same table edited or re-ordered).
    """
    m = read_manifest(manifest)
    recorded = m["data"]
    found = table_fingerprint(data)
    if found["sha256"] != recorded["sha256"]:
        raise ManifestError(
            f"This table is not the one the manifest was made from: it has {found['rows']:,} rows × "
            f"{found['columns']} columns, the manifest's had {recorded['rows']:,} × {recorded['columns']}"
            + (
                " (same shape, different values or dtypes)"
                if (found["rows"], found["columns"]) == (recorded["rows"], recorded["columns"])
                else ""
            )
            + ". Load the original table."
        )
    schema = Schema.from_dict(m["schema"])
    found = m["split"].get("by")  # manifests written before person splits have none: split by row, as they were
    by = None if found is None else str(found)
    train, holdout = split(data, holdout=float(m["split"]["holdout"]), seed=int(m["split"]["seed"]), by=by)
    person: PersonColumn = by if m["split"].get("fits_by") else FIND_PERSON
    settings = EvaluationSettings(**m["evaluation"])
    entries = [r for r in m["runs"] if r.get("reproducible", True) and r.get("status") == "ok"]
    contenders = [Contender(r["synthesizer"], dict(r["params"]), r["label"], int(r["random_state"])) for r in entries]
    # Every run of one race shares n_rows and the sample seed; reproduce each with its own to stay exact.
    runs: list[RunResult] = []
    reference = RealReference(train, holdout, schema, seed=settings.seed)  # real-only work once for every run
    for entry, contender in zip(entries, contenders, strict=True):
        one = race(
            train,
            holdout,
            [contender],
            schema=schema,
            n_rows=int(entry["n_rows"]),
            sample_seed=int(entry["sample_seed"]),
            settings=settings,
            progress=progress,
            reference=reference,
            person_column=person,
        )
        runs.extend(one.runs)
    from synth.report.race import finish

    result = finish(runs, settings)
    matches = {
        e["label"]: r.synthetic is not None and csv_sha256(r.synthetic) == e.get("synthetic_csv_sha256")
        for e, r in zip(entries, runs, strict=True)
    }
    now = package_versions()
    diffs = {k: (v, now.get(k, "")) for k, v in m.get("packages", {}).items() if now.get(k) != v}
    return Reproduction(result, matches, diffs)


def manifest_json(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, allow_nan=False)


def contenders_of(manifest: Mapping[str, Any]) -> Sequence[Contender]:
    """The reproducible runs of a manifest as contenders (the Race page pre-fills its choices with them)."""
    m = read_manifest(manifest)
    return [
        Contender(r["synthesizer"], dict(r["params"]), r["label"], int(r["random_state"]))
        for r in m["runs"]
        if r.get("reproducible", True)
    ]
