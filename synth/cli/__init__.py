"""The ``synth`` command line: split, fit, sample (streamed, any size), schema, evaluate and race without a browser.

    synth split real.csv --holdout-share 0.2 --seed 0 -o train.csv --holdout holdout.csv
    synth schema adult.csv -o schema.json
    synth fit adult.csv --synthesizer gaussian_copula --schema schema.json -o model.synth
    synth sample model.synth --rows 100000000 --seed 1 -o out.parquet --where 'sex = Female' \\
        --rebalance 'income=>50K:0.5,<=50K:0.5'
    synth sample model.synth --rows 1000000000 --seed 1 -o out_dir/ --engine dask --scheduler tcp://host:8786
    synth evaluate train.csv out.parquet --holdout holdout.csv -o report.json
    synth race train.csv --holdout holdout.csv -s gaussian_copula -s cart:min_samples_leaf=40 -o race.html

User mistakes end with one line on stderr and an exit code (see :mod:`synth.cli.console`), never a traceback.
Set ``SYNTH_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from synth.cli import console
from synth.cli.console import UserError
from synth.cli.inputs import DefaultRows

OVERWRITE_HELP = "replace the output file if it exists (never an input: that is refused even so)"
SHEET_HELP = "the Excel sheet to read: its name, or its position counting from 0 (default: the first, named)"
#: Stands in a help text for the registered synthesizers' names, filled in only when that help is shown.
SYNTHESIZERS = "{synthesizers}"


class _Help(argparse.HelpFormatter):
    """Fills :data:`SYNTHESIZERS` in when a help text is shown. Listing the synthesizers imports every one of them
    (pandas, numpy: most of a second), which ``synth --help``, the other commands' help and parsing any command's
    arguments need not pay (``tests/unit/test_lazy_imports.py``)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        return text.replace(SYNTHESIZERS, ", ".join(_synthesizers())) if text and SYNTHESIZERS in text else text


def _parser() -> argparse.ArgumentParser:
    # Only what building the parser needs: the commands module imports the package's heavy parts where a
    # command runs, not at the top.
    from synth.cli import commands
    from synth.cli import evaluate as evaluating
    from synth.cli import race as racing
    from synth.cli import split as splitting

    parser = argparse.ArgumentParser(
        prog="synth",
        description="Fit synthesizers and write synthetic tables of any size, without a browser.",
        epilog=console.EXIT_CODES_HELP,
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary line")
    # -q also after the command; SUPPRESS keeps the main parser's value when it is not given there.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    split = sub.add_parser(
        "split",
        parents=[common],
        help="split a table into a train file and a holdout file, as the dashboard splits it",
        epilog=console.EXIT_CODES_HELP,
    )
    split.add_argument("data", help="the real table (CSV, TSV, Parquet, Excel, JSON; a Parquet folder)")
    split.add_argument("--sheet", help=SHEET_HELP)
    split.add_argument(
        "--holdout-share",
        type=float,
        default=0.2,
        help="share of the rows kept out of training, strictly between 0 and 1 (default 0.2)",
    )
    split.add_argument("--seed", type=int, default=0, help="seed of the split: same seed, same rows (default 0)")
    split.add_argument(
        "--by",
        metavar="COLUMN",
        help="the column naming whose row each row is (e.g. patient_id): each value's rows go whole to one side, so "
        "no one in the holdout was seen in training (default: found from the table, as the dashboard finds it; "
        "none: every row is its own person, split row by row)",
    )
    split.add_argument("-o", "--output", required=True, help="the train file to write: train.csv or train.parquet")
    split.add_argument(
        "--holdout", required=True, help="the holdout file to write (holdout.csv or .parquet), for evaluate --holdout"
    )
    split.add_argument("--overwrite", action="store_true", help="replace output files that exist (never the input)")
    split.set_defaults(run=splitting.split)

    fit = sub.add_parser(
        "fit",
        parents=[common],
        help="fit a synthesizer on a table and save the model",
        epilog=console.EXIT_CODES_HELP,
        formatter_class=_Help,
    )
    fit.add_argument("data", help="the real table (CSV, TSV, Parquet, Excel, JSON; a Parquet folder)")
    fit.add_argument("--sheet", help=SHEET_HELP)
    fit.add_argument(
        "--synthesizer",
        "-s",
        default="pruned_cart",
        help=f"one of: {SYNTHESIZERS} (default pruned_cart)",
    )
    fit.add_argument("--param", "-p", action="append", default=[], metavar="K=V", help="a parameter, e.g. n_knots=50")
    fit.add_argument("--schema", help="a schema JSON written by `synth schema` (edited or not)")
    fit.add_argument(
        "--by",
        metavar="COLUMN",
        help="the column naming whose row each row is (an identifier or personal data, e.g. patient_id; the one the "
        "holdout is split by): rows of one synthetic person share what each real person's rows hold constant "
        "(default: found from the table; none: every row is its own person)",
    )
    fit.add_argument("--seed", type=int, default=0, help="random_state of the fit (default 0)")
    fit.add_argument(
        "--max-rows",
        type=int,
        default=DefaultRows(1_000_000),
        help="fit on a seeded sample of this many rows when the table is larger (default 1,000,000)",
    )
    fit.add_argument("-o", "--output", required=True, help="the model file to write (e.g. model.synth)")
    fit.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    fit.set_defaults(run=commands.fit)

    sample = sub.add_parser(
        "sample",
        parents=[common],
        help="stream synthetic rows to Parquet, CSV or a partitioned Parquet folder",
        epilog=console.EXIT_CODES_HELP,
    )
    sample.add_argument("model", help="a model file written by `synth fit` or the dashboard")
    sample.add_argument("--rows", "-n", type=int, required=True, help="number of rows (memory does not grow with it)")
    sample.add_argument("--seed", type=int, default=0, help="run seed: same seed, same rows (default 0)")
    sample.add_argument("-o", "--output", required=True, help="out.parquet, out.csv, or out_dir/ (a dataset)")
    # No default here: write_table's own (synth.sampling.writers) applies, and the parser need not import it.
    sample.add_argument("--chunk-rows", type=int, help="rows per Parquet row group (rows are the same)")
    sample.add_argument("--partition-rows", type=int, help="rows per file of a dataset folder")
    sample.add_argument("--where", default="", help="conditions, e.g. 'state = \"OH\" and age >= 30'")
    sample.add_argument("--rebalance", default="", help="column=value:share,..., e.g. 'income=>50K:0.5,<=50K:0.5'")
    sample.add_argument("--engine", choices=("local", "dask"), default="local", help="where to run (default local)")
    sample.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (else a LocalCluster)")
    sample.add_argument("--workers", type=int, help="LocalCluster worker processes (default: one per core)")
    sample.add_argument("--overwrite", action="store_true", help="replace an existing output file or dataset folder")
    sample.set_defaults(run=commands.sample)

    schema = sub.add_parser(
        "schema",
        parents=[common],
        help="infer column kinds and write them as editable JSON",
        epilog=console.EXIT_CODES_HELP,
    )
    schema.add_argument("data", help="the real table")
    schema.add_argument("--sheet", help=SHEET_HELP)
    schema.add_argument(
        "--max-rows", type=int, default=DefaultRows(1_000_000), help="infer from a seeded sample this large"
    )
    schema.add_argument("-o", "--output", default="-", help="the JSON file to write (default: stdout)")
    schema.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    schema.set_defaults(run=commands.schema)

    evaluate = sub.add_parser(
        "evaluate",
        parents=[common],
        help="score fidelity and privacy of a synthetic table against the real one",
        epilog=console.EXIT_CODES_HELP,
    )
    evaluate.add_argument("real", help="the real (training) table")
    evaluate.add_argument("--sheet", help="the real table's Excel sheet: name or position from 0")
    evaluate.add_argument("--synthetic-sheet", help="the synthetic table's Excel sheet")
    evaluate.add_argument("--holdout-sheet", help="the holdout's Excel sheet")
    evaluate.add_argument("synthetic", help="the synthetic table (a file or a dataset folder)")
    evaluate.add_argument("--holdout", help="real rows not used for fitting (makes privacy scores meaningful)")
    evaluate.add_argument("--schema", help="a schema JSON (default: inferred from the real table)")
    evaluate.add_argument(
        "--by",
        metavar="COLUMN",
        help="the column naming whose row each real row is (the one the holdout was split by, e.g. patient_id): "
        "membership is then also judged over people and classifier folds keep a person's rows together "
        "(default: found from the table; none: every row is its own person)",
    )
    evaluate.add_argument(
        "--max-rows",
        type=int,
        default=DefaultRows(100_000),
        help="score seeded samples of at most this many rows per table",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="seed of those samples")
    evaluate.add_argument("--no-privacy", action="store_true", help="skip the privacy evaluation (faster)")
    evaluate.add_argument(
        "--no-attacks",
        action="store_true",
        help="skip the singling-out, linkability and inference attacks (faster; the verdict then says they were "
        "not measured)",
    )
    evaluate.add_argument(
        "--real-examples",
        action="store_true",
        help="keep in the JSON the singling-out predicates that isolated one training person (they quote that "
        "person's values, e.g. salary == 66730); left out by default, as from the dashboard's report",
    )
    evaluate.add_argument("-o", "--output", required=True, help="report.json (or report.html when available)")
    evaluate.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    evaluate.set_defaults(run=evaluating.evaluate)

    race = sub.add_parser(
        "race",
        parents=[common],
        formatter_class=_Help,
        help="fit several synthesizers on one table, score each against a holdout, pick one (the Race page)",
        epilog=console.EXIT_CODES_HELP,
    )
    race.add_argument("train", help="the real rows to fit on (the train file of `synth split`)")
    race.add_argument("--holdout", required=True, help="real rows no run is fitted on: every run is scored on them")
    race.add_argument("--sheet", help=SHEET_HELP)
    race.add_argument("--holdout-sheet", help="the holdout's Excel sheet")
    race.add_argument(
        "--synthesizer",
        "-s",
        action="append",
        default=[],
        metavar="NAME[:K=V,...]",
        help=f"a run: one of {SYNTHESIZERS}, with settings after a colon (cart:min_samples_leaf=40); repeat for more "
        "runs, settings of one synthesizer too (default: every synthesizer the Race page races by default)",
    )
    race.add_argument("--schema", help="a schema JSON written by `synth schema` (edited or not)")
    race.add_argument(
        "--by",
        metavar="COLUMN",
        help="the column naming whose row each row is (the one the holdout was split by): every fit keeps a "
        "person's rows together and the privacy scores attack people (default: found from the table; none: every "
        "row is its own person)",
    )
    race.add_argument("--rows", type=int, help="synthetic rows per run (default: as many as training rows)")
    race.add_argument("--seed", type=int, default=1, help="the sample seed of every run, and of --max-rows samples")
    race.add_argument(
        "--max-rows",
        type=int,
        default=DefaultRows(100_000),
        help="race on seeded samples of at most this many rows of each input (privacy compares every synthetic row "
        "with every training row: time grows with rows squared)",
    )
    race.add_argument(
        "--no-attacks", action="store_true", help="skip the singling-out, linkability and inference attacks (faster)"
    )
    race.add_argument(
        "--k",
        type=int,
        default=10,
        help="in the report, real-data histogram bars and categories under this many rows (people) are suppressed; "
        "1 turns it off (default 10, the Report page's)",
    )
    race.add_argument(
        "--real-rows",
        action="store_true",
        help="print a few real training rows in the report and keep the attacks' examples (each quotes one training "
        "person's values) in it; left out by default, as from the Report page",
    )
    race.add_argument("-o", "--output", required=True, help="race.json (the metrics) or race.html (the report)")
    race.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    race.set_defaults(run=racing.race)
    return parser


def _synthesizers() -> list[str]:
    import synth

    return list(synth.available())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``python -m synth.cli`` and the ``synth`` script)."""
    args = _parser().parse_args(argv)
    try:
        with console.stop_on_signals():
            return int(args.run(args) or 0)
    except UserError as exc:
        return console.fail(str(exc), exc.code)
    except console.Stopped as exc:
        return console.fail(f"stopped by {exc.args[0]}; nothing was left half-written", exc.code)
    except KeyboardInterrupt:
        return console.fail("interrupted; nothing was left half-written", console.CANCELLED)
    except MemoryError:
        return console.fail("out of memory: lower --max-rows or --chunk-rows", console.OUTPUT)
    except Exception as exc:
        if os.environ.get("SYNTH_DEBUG"):
            raise
        return console.fail(
            f"unexpected {type(exc).__name__}: {exc} (a bug: rerun with SYNTH_DEBUG=1 and report the traceback)",
            console.INTERNAL,
        )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
