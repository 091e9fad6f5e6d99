"""The audit's checks of the table as a whole and of each column's values (kinds, missing values, skew, personal
data); the checks on a column's levels and on pairs of columns are in :mod:`synth.audit.levels`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synth.audit.findings import (
    _SAMPLE,
    MISSING_SHARE,
    SKEWNESS,
    Finding,
)
from synth.audit.levels import _category_checks, _Column
from synth.audit.wording import _pct
from synth.schema import (
    ColumnKind,
    integer_date_format,
    parse_datetimes,
    read_numbers,
)
from synth.schema.pii import pii_shares

# ------------------------------------------------------------------------------------------------ helpers


def _fake_promise(pii_type: str | None) -> str:
    """What the fakes of a PII type promise, in the audit's words (see :mod:`synth.generated_pii`)."""
    if pii_type in ("name", "first_name", "last_name", "address"):
        return (
            " (drawn from Faker's public lists of the real values' locales, each locale held by 20 rows or more by "
            "its share, or English (US) lists when the locale is unknown or mixed; a fake may share a common name "
            "or street with a real person by chance, as any 'John Smith' would)"
        )
    if pii_type == "phone":
        return (
            " and none equal to a real one (the real numbers' own layout and width with random digits, ending in "
            "digits no real number ends in; fictional 555-01xx lines when the layout is too short for a phone)"
        )
    if pii_type == "email":
        return (
            " and none equal to a real one (reserved e-mail domains the real column does not use; where the real "
            "addresses follow their row's name, the part before the @ is made from the row's generated name in the "
            "real patterns' shares, e.g. anna.schmidt: the model file keeps only those pattern names and shares)"
        )
    if pii_type == "ip":
        return (
            " and none equal to a real one (the real column's mix of private, public and IPv6 addresses, each drawn"
            " from blocks no real address is in; public ones from documentation and benchmarking ranges)"
        )
    if pii_type == "card":
        return " (random Luhn-valid numbers: a chance match with a real card is about 1 in 10¹⁵ per pair)"
    return (
        " and none equal to a real one (reserved e-mail domains the real column does not use, fictional phone "
        "lines, never-issued numbers, or a format no real value has)"
    )


def _sample(series: pd.Series, k: int = _SAMPLE) -> pd.Series:
    """Up to about ``k`` non-missing values, drawn at random (seeded)."""
    if len(series) <= 2 * k:
        return series.dropna()
    rows = np.random.default_rng(0).choice(len(series), size=k, replace=False)
    picked = series.iloc[np.sort(rows)].dropna()
    return picked if len(picked) else series.dropna().iloc[:k]


def _table_checks(n_rows: int, specs: list[Any]) -> list[Finding]:
    out = []
    if n_rows < 2:
        out.append(
            Finding(
                "error",
                (),
                "Too few rows",
                f"the table has {n_rows} row(s); fitting needs at least 2",
                "Upload a table with more rows.",
                "too_few_rows",
            )
        )
    elif n_rows < 100:
        out.append(
            Finding(
                "warning",
                (),
                "Few rows",
                f"the table has only {n_rows} rows: synthesizers learn little from it, and each row is a large "
                "share of what they learn (a privacy risk)",
                "Use a larger table if you can; treat scores on this one as rough.",
                "few_rows",
            )
        )
    if len(specs) == 1:
        out.append(
            Finding(
                "warning",
                (specs[0].name,),
                "A single column",
                "the table has one column: a synthesizer can copy its distribution, but there are no "
                "relationships between columns to learn or to check",
                "If the file has more columns, check its delimiter.",
                "single_column",
            )
        )
    if specs and not any(s.kind.is_modelled for s in specs):
        generated = [s.name for s in specs if s.kind in (ColumnKind.PII, ColumnKind.IDENTIFIER)]
        every = (
            "every column was found to be personal data or an identifier"
            if len(generated) == len(specs)
            else ("no column is numeric, categorical, boolean or a date")
        )
        out.append(
            Finding(
                "warning",
                tuple(generated),
                "Nothing to learn",
                f"{every}: every column will be generated (identifiers, fake personal data, placeholder text, "
                "constants) and the synthetic table will carry no information from the real one",
                "If some columns carry information (categories, amounts, dates), change their kind on the Data "
                "page; each personal-data and identifier finding says why its column was flagged.",
                "nothing_modelled",
            )
        )
    return out


def _column_checks(series: pd.Series, spec: Any, col: _Column | None, n_rows: int, rare_rows: int) -> list[Finding]:
    name = spec.name
    out: list[Finding] = []
    n_missing = int(series.isna().sum())
    n_present = n_rows - n_missing
    kind = spec.kind
    if n_rows and n_missing == n_rows:
        return [
            Finding(
                "warning",
                (name,),
                "Entirely missing",
                f"{name} has no value in any row",
                "Drop the column; it carries no information (it will be generated as empty).",
                "all_missing",
            )
        ]
    if n_rows and n_missing / n_rows > MISSING_SHARE:
        out.append(
            Finding(
                "warning",
                (name,),
                "Many missing values",
                f"{_pct(n_missing / n_rows)} of {name} is missing ({n_missing:,} rows)",
                "Synthesizers reproduce the missing rate and its link to other columns; check whether "
                "'missing' has a meaning here (not asked, not applicable) before comparing.",
                "missing",
            )
        )
    sample = _sample(series)
    if kind is ColumnKind.CONSTANT:
        out.append(
            Finding(
                "info",
                (name,),
                "Constant column",
                f"{name} holds a single value; it will be copied, not learned",
                "Drop it if it carries no information.",
                "constant",
            )
        )
    elif kind is ColumnKind.IDENTIFIER:
        out.append(
            Finding(
                "info",
                (name,),
                "Identifier",
                f"{name} is a key, judged by its values whatever its name ({spec.reason}); it is regenerated in "
                "the real keys' character pattern and width (one more digit only when that pattern cannot hold "
                "enough new keys), never equal to a real key, with the real share of missing keys, unique or, for "
                "a key repeated across rows, about as many distinct keys; no real key (nor a hash of one) is kept "
                "in a model file",
                "Nothing to do. If it carries information shared by many rows (a product line, a region code), "
                "change its kind to categorical on the Data page: values held by fewer than 5 rows are then "
                "learned only as '(other)'.",
                "identifier",
            )
        )
    elif kind is ColumnKind.PII:
        out.append(
            Finding(
                "info",
                (name,),
                "Personal data",
                f"{name} holds personal data ({spec.pii_type or 'unknown type'}), judged by its values whatever "
                f"its name: {spec.reason}. It is replaced by realistic fake values, never learned from the real "
                f"ones{_fake_promise(spec.pii_type)}, and no real value nor a hash of one is kept in a model file",
                "Nothing to do; drop the column if the synthetic table does not need it. If the values only look "
                "like personal data, change its kind on the Data page: it is then learned, with values held by "
                "fewer than 5 rows hidden as '(other)'.",
                "pii",
            )
        )
    elif kind is ColumnKind.TEXT:
        out.append(
            Finding(
                "info",
                (name,),
                "Free text",
                f"{name} is free text; it is replaced by placeholder sentences (free text can name people)",
                "Nothing to do; extract categories from it first if they matter.",
                "text",
            )
        )
    if kind.is_numeric and not pd.api.types.is_numeric_dtype(series.dtype) and len(sample):
        bad = float(read_numbers(sample, spec).isna().mean())  # "$1,234.50" in its number_format
        if bad > 0.05:
            out.append(
                Finding(
                    "error" if bad > 0.5 else "warning",
                    (name,),
                    "Values are not numbers",
                    f"{_pct(bad)} of sampled values of {name} do not read as numbers and would become missing",
                    "Change the column's kind (categorical or text), or fix the values.",
                    "kind_mismatch",
                )
            )
    if kind is ColumnKind.DATETIME and not pd.api.types.is_datetime64_any_dtype(series.dtype) and len(sample):
        bad = float(parse_datetimes(sample, spec.datetime_format).isna().mean())
        if bad > 0.05:
            out.append(
                Finding(
                    "error" if bad > 0.5 else "warning",
                    (name,),
                    "Values are not dates",
                    f"{_pct(bad)} of sampled values of {name} do not read as dates"
                    + (f" in the format {spec.datetime_format}" if spec.datetime_format else "")
                    + " and would become missing",
                    "Change the column's kind or its date format.",
                    "kind_mismatch",
                )
            )
        elif pd.api.types.is_numeric_dtype(series.dtype):
            out.append(
                Finding(
                    "info",
                    (name,),
                    "Dates stored as numbers",
                    f"{name} holds dates encoded as numbers ({spec.datetime_format}); they are modelled as dates "
                    "and written back as numbers in the same encoding",
                    "Nothing to do.",
                    "integer_dates",
                )
            )
    if kind.is_numeric and pd.api.types.is_numeric_dtype(series.dtype) and n_present:
        values = series.dropna().to_numpy(dtype=float)
        if np.all(np.isfinite(values)) and np.all(np.floor(values) == values):
            dates = integer_date_format(name, values, sample.to_numpy(dtype=float))
            if dates is not None:
                out.append(
                    Finding(
                        "warning",
                        (name,),
                        "Dates stored as integers",
                        f"{name} looks like dates encoded as numbers ({dates[1]}); as a number, a synthesizer "
                        "can produce impossible dates such as 20230231",
                        "Mark the column as a datetime.",
                        "integer_dates",
                    )
                )
        out += _skew(series, name)
    elif kind.is_numeric and spec.number_format is not None and n_present:
        out += _skew(read_numbers(series, spec), name)  # "$1,234.50": skewed like the numbers it holds
    if not pd.api.types.is_numeric_dtype(series.dtype) and len(sample):
        text = sample.astype(str)
        if text.str.fullmatch(r"\d+").mean() >= 0.9 and text.str.fullmatch(r"0\d+").any():
            out.append(
                Finding(
                    "info",
                    (name,),
                    "Leading zeros",
                    f"{name} holds digit codes with leading zeros (such as zip or account numbers); they are kept "
                    "as text so that 02134 stays 02134",
                    "Keep the column as text (categorical or identifier); do not treat it as a number.",
                    "leading_zeros",
                )
            )
    if spec.templated and kind is ColumnKind.CATEGORICAL and n_present:
        out.append(_templated(series, spec, rare_rows))
    elif col is not None and kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        out += _category_checks(name, col, n_present, rare_rows)
    if kind is ColumnKind.CATEGORICAL and len(sample):
        out += _personal_values(name, sample, rare_rows)
    return out


def _templated(series: pd.Series, spec: Any, rare_rows: int) -> Finding:
    """What happens to short text read as its word patterns (``ColumnSpec.templated``), in place of the level checks:
    counted on the raw values, they called the walk ledger's purpose a high-cardinality category of 2,841 values,
    2,747 of them rare, and suggested marking it an identifier, when the fit learns 120 patterns from it. The
    shares are the fit's own (:func:`~synth.synthesizers.text_templates.pool_templates`, counting rows: the fit
    counts people where a column names them)."""
    # Imported here: the audit loads without the synthesizers until a templated column asks for them.
    from synth.schema import Schema
    from synth.schema.text_templates import MIN_FILLED_DIGITS, PLACEHOLDER, templates_of
    from synth.synthesizers.rare_categories import RARE_LABEL
    from synth.synthesizers.template_frames import SLOT, whole_people
    from synth.synthesizers.text_templates import pool_templates

    name = spec.name
    pooled_frame, (state,), pooled = pool_templates(series.to_frame(name), Schema((spec,)), rare_rows)
    learned = pooled_frame[name].dropna()
    kept = learned[learned != RARE_LABEL]
    templates = templates_of(series).dropna()
    framed = f", {len(state.frames):,} drawn from frames such as '{state.frames[0][0]}'" if state.frames else ""
    with_digits = kept[kept.astype(str).str.contains(PLACEHOLDER, regex=False)]
    common = (with_digits if len(with_digits) else kept).value_counts()
    example = f" (e.g. '{common.index[0]}', {PLACEHOLDER} a digit)" if len(common) else ""
    share = dict(pooled).get(name, 0.0)
    return Finding(
        "info",
        (name,),
        "Short text in word patterns",
        f"{name} is short text whose numbers vary: it is learned as its word patterns{example}, not as its "
        f"{series.nunique():,} values. {templates[kept.index].nunique():,} of its {templates.nunique():,} patterns are "
        f"kept: held whole by {whole_people(rare_rows)} or more rows (4 × min_category_rows; a fit that knows the "
        f"person column counts people) and, where it has digits, with endings no real value uses, or drawn from a "
        f"frame, the pattern with one word open ({SLOT}), and the words that many hold in that place{framed}. The "
        f"other {_pct(share)} of rows are pooled as one "
        f"'(other)', drawn as regenerated text equal to no real value. Every run of {MIN_FILLED_DIGITS} or more "
        "digits in a kept pattern is redrawn with digits no real value of that pattern has",
        "Nothing to do if the synthetic table should keep these patterns. To keep none of its words, change its kind "
        "to identifier on the Data page: it is then regenerated in its values' character pattern (the DP network "
        "always does so).",
        "templated",
    )


#: A learned column where at least this share of sampled values is shaped like personal data gets a warning.
PERSONAL_VALUES_SHARE = 0.01


def _personal_values(name: str, sample: pd.Series, rare_rows: int) -> list[Finding]:
    """A warning for personal data mixed into a learned column, below the share that makes it PII."""
    values = [str(v).strip() for v in sample]
    shares = {k: v for k, v in pii_shares(name, values).items() if v >= PERSONAL_VALUES_SHARE}
    if not shares:
        return []
    kind, share = max(shares.items(), key=lambda kv: kv[1])
    what = {"email": "e-mail addresses", "ssn": "social security numbers", "card": "card numbers"}.get(
        kind, f"{kind} numbers" if kind == "phone" else "IP addresses"
    )
    return [
        Finding(
            "warning",
            (name,),
            "Personal data in a learned column",
            f"{_pct(share)} of sampled values of {name} are shaped like {what}, too few to treat the column as "
            "personal data: it is learned as a category",
            f"Values held by fewer than {rare_rows} rows are hidden as '(other)' when synthesizing; a value held by "
            "more rows is learned as it is. Mark the column as personal data on the Data page if every value "
            "should be replaced, or clean the values out of it.",
            "personal_values",
        )
    ]


def _skew(series: pd.Series, name: str) -> list[Finding]:
    values = pd.to_numeric(series, errors="coerce").dropna()
    if len(values) < 20 or values.nunique() <= 10:
        return []
    skew = float(np.asarray(values.skew(), dtype=float))
    if not np.isfinite(skew) or abs(skew) <= SKEWNESS:
        return []
    mode = float(values.mode().to_numpy(dtype=float)[0])
    mode_share = float((values == mode).mean())
    spike = f"; {_pct(mode_share)} of values are {mode:g}" if mode_share > 0.3 else ""
    return [
        Finding(
            "info",
            (name,),
            "Strongly skewed",
            f"{name} has a long {'right' if skew > 0 else 'left'} tail (skewness {skew:.1f}{spike})",
            "Quantile-based synthesizers keep the shape; check the tail on the Compare page. Correlations with "
            "this column are driven by a few extreme rows.",
            "skewed",
        )
    ]
