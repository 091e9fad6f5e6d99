"""TabularARGN straight through mostlyai-engine, without synth's adapter, on bench_frontier's split: a cross-check.

The table goes to the engine as it is (the engine picks every column's encoding itself; no renaming, no opaque
labels, no pooling of rare categories, dates as they are read), trained at the engine's defaults (at most 100
epochs, stopping when the validation loss stops improving; ``--minutes`` caps the training time), and a table of
the training half's size is generated (rare categories replaced by sampling, as the adapter asks). It is scored as
``bench_frontier`` scores every synthesizer: mostlyai-qa in the peers venv, TSTR against TRTR. If these figures
and the adapter's (``bench_frontier --only mostlyai_argn``) agree, the adapter is not what limits the peer.

Usage (in a venv with the ``mostlyai`` extra and mostlyai-qa, README "Peer synthesizers")::

    SYNTH_PEERS_PYTHON=.venv-peers/bin/python .venv-peers/bin/python -m benchmarks.bench_argn_direct \
        --data bank_marketing california_housing bike_sharing_hourly --seed 0
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from benchmarks import bench_frontier as frontier  # first: it sets the thread variables

ROOT = frontier.ROOT


def run(data: str, seed: int, minutes: float) -> dict[str, Any]:
    from mostlyai import engine

    import synth

    train, holdout, split = frontier.load(data)
    schema = synth.infer_schema(train)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        workspace = tmp / "engine"
        train_path, holdout_path, syn_path = tmp / "train.parquet", tmp / "holdout.parquet", tmp / "syn.parquet"
        train.to_parquet(train_path)
        holdout.to_parquet(holdout_path)
        engine.set_random_state(seed)
        start = time.perf_counter()
        engine.split(tgt_data=train, model_type="TABULAR", workspace_dir=workspace)
        engine.analyze(workspace_dir=workspace)
        engine.encode(workspace_dir=workspace)
        engine.train(max_training_time=minutes, device="cpu", workspace_dir=workspace)
        fit_s = time.perf_counter() - start
        encoding = json.loads((workspace / "OriginalData" / "tgt-meta" / "encoding-types.json").read_text())
        training = frontier.engine_training(SimpleNamespace(peer_model_=SimpleNamespace(path=workspace)))
        engine.set_random_state(seed + 1)
        engine.generate(
            sample_size=len(train), device="cpu", rare_category_replacement_method="SAMPLE", workspace_dir=workspace
        )
        files = sorted((workspace / "SyntheticData").glob("*.parquet"))
        syn = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)[list(train.columns)]
        for column in train.columns:  # the engine gives back its own dtypes (integers as Int64, ...)
            if syn[column].dtype != train[column].dtype:
                # missing values in an integer column: left as the engine gave them
                with contextlib.suppress(TypeError, ValueError):
                    syn[column] = syn[column].astype(train[column].dtype)
        syn.to_parquet(syn_path)
        tstr, trtr, task = frontier.utility(train, syn, holdout, schema)
        qa = frontier.mostlyai_qa(train_path, holdout_path, [str(syn_path)], tmp, seed)
    scores = {} if qa is None else qa["results"][str(syn_path)]
    return {
        "data": data,
        "split": split,
        "train_rows": len(train),
        "seed": seed,
        "label": "TabularARGN, engine direct",
        "fit_s": fit_s,
        "training": training,
        "encoding": encoding,
        "tstr": tstr,
        "trtr": trtr,
        "task": task,
        **scores,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", nargs="+", default=["bank_marketing"], help="shared tables' stems, or adult")
    parser.add_argument("--seed", type=int, default=0, help="engine seed (fit S, generation S + 1), qa's groups")
    parser.add_argument("--minutes", type=float, default=25.0, help="the engine's training-time cap")
    args = parser.parse_args(argv)
    for data in args.data:
        print(f"… {data}", file=sys.stderr, flush=True)
        row = run(data, args.seed, args.minutes)
        out = ROOT / "benchmarks" / "results" / f"argn_direct_{data}_seed{args.seed}.json"
        out.write_text(json.dumps(row, indent=2, default=float) + "\n")
        print(f"{row['split']}; {row['train_rows']:,} training rows")
        frontier.print_table([row])
        t = row["training"] or {}
        print(f"trained {t.get('epochs')} epochs in {t.get('training_s')} s, kept epoch {t.get('checkpoint_epoch')}")
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
