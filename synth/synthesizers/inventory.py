"""What a saved model file holds that came from the real data: the inventory each synthesizer declares.

A model file (``model.save(path)``) is as sensitive as what it holds. Every file holds the items of
:data:`COMMON_ITEMS` (written by the shared base); each synthesizer adds its own in its ``artifacts`` class
attribute. :func:`artifact_inventory` joins them, and the Synthesize page shows them next to the download.

What no file holds, for any synthesizer (pinned by ``tests/unit/test_model_files.py``, which scans the bytes of
saved files): an identifier or personal-data value, or its unkeyed hash; a category held by fewer than
``min_category_rows`` training rows; the largest real numeric key; a column's exact extremes; the order of the
training rows (every stored list is sorted).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Derivation = Literal["values", "aggregates", "structure"]


@dataclass(frozen=True)
class ArtifactItem:
    """One kind of content in a model file.

    Attributes:
        name: a short title ("Donor values").
        content: what exactly is stored, and for which columns.
        derivation: ``"values"`` (real values, as they are), ``"aggregates"`` (counts, shares, quantiles,
            correlations: each computed from many rows) or ``"structure"`` (names, kinds, formats, sizes).
        protection: what limits it (thresholds, rounding, sorting), in words a reviewer can check.
    """

    name: str
    content: str
    derivation: Derivation
    protection: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_text(self) -> str:
        """One line of plain text: ``name (derivation): content. protection``."""
        return f"{self.name} ({self.derivation}): {self.content}. {self.protection}"


COMMON_ITEMS: tuple[ArtifactItem, ...] = (
    ArtifactItem(
        "Schema",
        "column names, kinds, dtypes, the attacker-model flags and the reason each kind was inferred",
        "structure",
        "Reasons give shares and counts of distinct values; a measured column's range in them ends inside its 10 "
        "most extreme values at each end and is rounded outward to two significant digits (a key's whole range is "
        "given); a constant's value is shown only when at least 5 rows hold it.",
    ),
    ArtifactItem(
        "Column domains",
        "per column, the category labels that may be asked for in conditions, the numeric or date range, and "
        "whether values were missing",
        "aggregates",
        "Labels are sorted (never in order of appearance) and each is held by at least min_category_rows "
        "training rows, or is the '(other)' bucket; each end of a range is the mean of the 5 values inside the 4 "
        "most extreme (no range for a column with fewer than 5 values), never one row's value.",
    ),
    ArtifactItem(
        "Generated columns",
        "for identifier, personal-data, free-text and constant columns: a format template with endings no real "
        "value has, the bound new sequential text keys continue from, the missing rate, the first new numeric "
        "key and its column's lane, the typical text length and the constant; and, as shares rounded to 1%: the "
        "Faker locales of names and addresses (and, where a category column's levels predict them, that column's "
        "name with each level's locale shares: a level of 20 rows or more, a label the file holds anyway), the "
        "share of addresses written whole (with their line separator), "
        "how e-mails' local parts follow the row's name, phone numbers' and postcodes' layouts and country codes, "
        "IBAN countries' layouts, card networks and layouts, IP addresses' "
        "kinds of range with blocks no real address is in, the share of double-barrelled family names; for a key "
        "repeated across rows, its numbers of distinct values and rows and a few quantiles of rows per key",
        "structure",
        "No real value and no hash of one: templates are widened until no real value matches them, new "
        "sequential text keys and numeric keys start above the largest real key rounded to two significant "
        "digits (never that key nor the next one), missing rates are rounded to 1%, a "
        "constant is kept only when at least 5 rows hold it; each locale, pattern, layout, code or network kept is "
        "one that about 20 rows or more hold, and an IP block holds no real address.",
    ),
    ArtifactItem(
        "Fit warnings",
        "for each categorical column whose categories held by fewer than min_category_rows rows make up at least "
        "20% of its rows, the column's name and that share",
        "aggregates",
        "One share per column, over all its rows; no category is named.",
    ),
    ArtifactItem(
        "Time-of-day columns",
        "for each datetime column with a time part, the name of the hidden column its time of day is learned as "
        "(the model's own items cover what it learned of it, as of any number) and the grain the times are written "
        "at; for each date whose real weekdays are patterned (for a DP model: whose noisy weekday counts were), "
        "the name of its hidden day-of-week column (learned as any category of seven fixed labels); the pairs of "
        "datetime columns whose order held on every row; for a column written at one UTC offset or stored with a "
        "time zone, that offset or zone (its times of day are learned on that local clock); for a column written "
        "at several offsets (winter and summer time), the name of the time zone whose offset every row is written "
        "at, or where no zone's is, the share of its values written at each offset in each calendar month (each "
        "row's time of day is learned on its own clock)",
        "structure",
        "Names, whole numbers of seconds and column pairs: no time or date of any row; offsets' shares are over all "
        "of a month's rows, a zone is one of the public time-zone database's, and a model with a privacy guarantee "
        "keeps neither. A DP model's choice of dates is "
        "covered by ε (the 'weekday tests' of its ledger).",
    ),
    ArtifactItem(
        "Person columns",
        "for a table whose rows repeat a person (a patient_id, a customer's e-mail), that column's name and the "
        "names of the columns at least 99% of the real people's rows hold one value in; for a person named by "
        "personal data, its numbers of distinct values and of rows and a few quantiles of rows per person",
        "structure",
        "Names and counts, as a repeated key keeps them: no value of any row; a model with a privacy guarantee "
        "keeps none.",
    ),
    ArtifactItem(
        "Size and sampling state",
        "the number of training rows, the parameters, and the random generator's state after fitting",
        "structure",
        "The generator state makes a loaded model sample exactly what the saved one would; it encodes no value.",
    ),
)

UNDECLARED = ArtifactItem(
    "Model state (not itemised)",
    "this synthesizer does not declare what its learned state holds",
    "aggregates",
    "Treat the file as carefully as the training data.",
)


def artifact_inventory(cls: type) -> tuple[ArtifactItem, ...]:
    """The items a saved model of synthesizer class ``cls`` holds: the common ones, then its own."""
    own = getattr(cls, "artifacts", None)
    return COMMON_ITEMS + (tuple(own) if own else (UNDECLARED,))
