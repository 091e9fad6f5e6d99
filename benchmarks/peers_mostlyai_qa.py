"""mostlyai-qa's headline metrics for synthetic tables, computed with mostlyai-qa's own functions; JSON out.

Runs in the peers venv (benchmarks/.venv, see requirements-peers.txt), never in the project's .venv: mostlyai-qa
pulls in torch and transformers. Called by bench_frontier.py:

    benchmarks/.venv/bin/python benchmarks/peers_mostlyai_qa.py spec.json

``spec.json`` names the ``train`` and ``holdout`` files and a list of ``synthetic`` files (CSV or Parquet), and
optionally ``parts`` ("all", "accuracy" or "privacy"), ``full_report`` (default false) and ``seed``. Every
synthetic table is cut to the training table's size, as MOSTLY AI's published benchmarks do.

Why not ``mostlyai.qa.report`` itself: it also draws every plot and writes an HTML page, about ten minutes for one
Adult table on a loaded 2-core machine. The metrics come from the same calls ``report`` makes, in the same order
with the same arguments (``prepare_data_for_accuracy`` → ``binning_data`` → ``calculate_{uni,bi,tri}variates``;
``prepare_data_for_embeddings`` → ``calculate_discriminator_auc`` → ``_distances.calculate_distances``) and the
same aggregation as ``reporting._calculate_metrics``; ``full_report: true`` runs ``report`` instead, to check
that both agree. mostlyai-qa seeds nothing (its random column groups for the DCR share and its discriminator's
folds use numpy's global generator); the global generator is seeded here so a rerun gives the same figures.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def read(path: str) -> pd.DataFrame:
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


def harmonise(syn: pd.DataFrame, trn: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The training table's columns and dtypes, cut to its number of rows."""
    syn = syn[list(trn.columns)].copy()
    for c in trn.columns:
        syn[c] = pd.to_numeric(syn[c], errors="coerce") if pd.api.types.is_numeric_dtype(trn[c]) else syn[c]
    if len(syn) > len(trn):
        syn = syn.sample(len(trn), random_state=seed).reset_index(drop=True)
    return syn


def metrics(
    syn: pd.DataFrame, trn: pd.DataFrame, hol: pd.DataFrame, seed: int, parts_wanted: str = "all"
) -> dict[str, Any]:

    np.random.seed(seed)  # noqa: NPY002 (mostlyai-qa draws from the global generator)
    start = time.perf_counter()
    out: dict[str, Any] = {}
    if parts_wanted in ("all", "accuracy"):
        out |= accuracy(syn, trn, hol)
    if parts_wanted in ("all", "privacy"):
        out |= privacy(syn, trn, hol)
    return {**out, "seconds": time.perf_counter() - start}


def accuracy(syn: pd.DataFrame, trn: pd.DataFrame, hol: pd.DataFrame) -> dict[str, float]:
    from mostlyai.qa._accuracy import binning_data, calculate_bivariates, calculate_trivariates, calculate_univariates
    from mostlyai.qa._common import NXT_COLUMN
    from mostlyai.qa._filesystem import Statistics
    from mostlyai.qa._sampling import prepare_data_for_accuracy

    a_trn = prepare_data_for_accuracy(df_tgt=trn, setup="1:1")
    dtypes = a_trn.dtypes.to_dict()
    a_hol = prepare_data_for_accuracy(df_tgt=hol, setup="1:1", ori_dtypes=dtypes)
    a_syn = prepare_data_for_accuracy(df_tgt=syn, setup="1:1", ori_dtypes=dtypes)
    ori = pd.concat([a_trn, a_hol], axis=0, ignore_index=True)
    with tempfile.TemporaryDirectory() as tmp:
        ori_bin, syn_bin = binning_data(ori=ori, syn=a_syn, statistics=Statistics(path=Path(tmp)))
    uni = calculate_univariates(ori_bin, syn_bin)
    biv = calculate_bivariates(ori_bin, syn_bin)
    biv = biv.loc[biv.type != NXT_COLUMN]
    tri = calculate_trivariates(ori_bin, syn_bin)
    parts = [uni.accuracy.mean(), biv.accuracy.mean(), tri.accuracy.mean()]
    parts_max = [uni.accuracy_max.mean(), biv.accuracy_max.mean(), tri.accuracy_max.mean()]
    return {
        "accuracy": float(np.mean(parts)),
        "univariate": float(parts[0]),
        "bivariate": float(parts[1]),
        "trivariate": float(parts[2]),
        "accuracy_max": float(np.mean(parts_max)),
        "trivariate_max": float(parts_max[2]),
    }


def privacy(syn: pd.DataFrame, trn: pd.DataFrame, hol: pd.DataFrame) -> dict[str, Any]:
    from mostlyai.qa import _distances, _similarity
    from mostlyai.qa._sampling import prepare_data_for_embeddings

    syn_e, trn_e, hol_e = prepare_data_for_embeddings(syn_tgt_data=syn, trn_tgt_data=trn, hol_tgt_data=hol)
    _, auc = _similarity.calculate_discriminator_auc(syn_embeds=syn_e, trn_embeds=trn_e, hol_embeds=None)
    dist = _distances.calculate_distances(syn_embeds=syn_e, trn_embeds=trn_e, hol_embeds=hol_e)
    return {
        "discriminator_auc": None if auc is None else float(auc),
        "dcr_share": float(_distances.calculate_dcr_share(dist["dcr_syn_trn"], dist["dcr_syn_hol"])),
        "ims_training": float(_distances.calculate_ims(dist["dcr_syn_trn"])),
        "ims_holdout": float(_distances.calculate_ims(dist["dcr_syn_hol"])),
        "ims_training_vs_holdout": float(_distances.calculate_ims(dist["dcr_trn_hol"])),
    }


def full_report(syn: pd.DataFrame, trn: pd.DataFrame, hol: pd.DataFrame, seed: int) -> dict[str, Any]:
    from mostlyai import qa

    np.random.seed(seed)  # noqa: NPY002
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        _, m = qa.report(syn_tgt_data=syn, trn_tgt_data=trn, hol_tgt_data=hol, report_path=Path(tmp) / "r.html")
    assert m is not None
    return {
        "accuracy": m.accuracy.overall,
        "univariate": m.accuracy.univariate,
        "bivariate": m.accuracy.bivariate,
        "trivariate": m.accuracy.trivariate,
        "accuracy_max": m.accuracy.overall_max,
        "trivariate_max": m.accuracy.trivariate_max,
        "discriminator_auc": m.similarity.discriminator_auc_training_synthetic,
        "dcr_share": m.distances.dcr_share,
        "ims_training": m.distances.ims_training,
        "ims_holdout": m.distances.ims_holdout,
        "ims_training_vs_holdout": m.distances.ims_trn_hol,
        "seconds": time.perf_counter() - start,
    }


def main(path: str) -> None:
    spec = json.loads(Path(path).read_text())
    seed = int(spec.get("seed", 0))
    warnings.simplefilter("ignore")
    trn, hol = read(spec["train"]), read(spec["holdout"])
    hol = harmonise(hol, trn, seed)
    parts = str(spec.get("parts", "all"))

    def run(syn: pd.DataFrame, trn: pd.DataFrame, hol: pd.DataFrame, seed: int) -> dict[str, Any]:
        if spec.get("full_report"):
            return full_report(syn, trn, hol, seed)
        return metrics(syn, trn, hol, seed, parts)

    out: dict[str, Any] = {"mostlyai_qa": importlib.metadata.version("mostlyai-qa"), "results": {}}
    for syn_path in spec["synthetic"]:
        out["results"][syn_path] = run(harmonise(read(syn_path), trn, seed), trn, hol, seed)
        print(json.dumps({"done": syn_path, **out["results"][syn_path]}), file=sys.stderr, flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
