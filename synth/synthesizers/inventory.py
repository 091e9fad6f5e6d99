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

from dataclasses import dataclass, field
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
        held_in: the fitted attributes that hold it; a fitted model whose fit left them all empty holds nothing
            of the kind (a table with no date has no time-of-day item). Empty: every fitted model holds it.
    """

    name: str
    content: str
    derivation: Derivation
    protection: str
    held_in: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The four fields a reader sees (``held_in`` names code, not content)."""
        return {
            "name": self.name,
            "content": self.content,
            "derivation": self.derivation,
            "protection": self.protection,
        }

    def as_text(self) -> str:
        """One line of plain text: ``name (derivation): content. protection``."""
        return f"{self.name} ({self.derivation}): {self.content}. {self.protection}"


#: What a fit learns of datetime columns' clocks and weekdays (:class:`synth.synthesizers.base.Synthesizer`).
TIME_ATTRIBUTES = ("times_", "weekdays_", "time_orders_", "time_zones_", "time_offsets_", "offset_zones_")

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
        held_in=("generated_",),
    ),
    ArtifactItem(
        "Pooled categories and fit warnings",
        "for each categorical column with categories held by fewer than min_category_rows rows (people when the fit "
        "knows the person), the column's name and the share of its rows pooled as '(other)' (a share of 20% or more "
        "is a fit warning); with a person column, the names of number, date and constant columns fewer than 5 "
        "people hold, learned as missing",
        "aggregates",
        "One share per column, over all its rows, and column names; no category is named.",
        held_in=("bucketed_", "few_people_"),
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
        held_in=TIME_ATTRIBUTES,
    ),
    ArtifactItem(
        "Person columns",
        "for a table whose rows repeat a person (a patient_id, a customer's e-mail), that column's name and the "
        "names of the columns at least 99% of the real people's rows hold one value in, and of each age computed "
        "again from a held date of birth; for a person named by "
        "personal data, its numbers of distinct values and of rows and a few quantiles of rows per person",
        "structure",
        "Names and counts, as a repeated key keeps them: no value of any row; a model with a privacy guarantee "
        "keeps none.",
        held_in=("people_",),
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


#: What a generated column's plan keeps, by the key its fit stores it under (:class:`synth.generated.GeneratedColumns`),
#: in the order a reader meets them.
_GENERATED_PARTS: tuple[tuple[str, str], ...] = (
    ("value", "the constant"),
    ("start", "the first new numeric key"),
    ("template", "a format template"),
    ("same_width", "the layout new values are written in"),
    ("above", "the bound new sequential keys continue from"),
    ("layouts", "its other common layouts with their shares"),
    ("ibans", "IBAN countries' layouts by share"),
    ("cards", "card networks and layouts by share"),
    ("ip_ranges", "kinds of IP range, with blocks no real address is in"),
    ("locales", "Faker locales by share"),
    ("locale_levels", "a category column's name with each level's locale shares"),
    ("whole_addresses", "the share of addresses written whole"),
    ("email_names", "how local parts follow the row's name"),
    ("domains", "reserved e-mail domains the real addresses do not use"),
    ("hyphenated", "the share of double-barrelled family names"),
    ("cases", "the shares written in capitals or lower case"),
    ("distinct", "its numbers of distinct values and rows and a few quantiles of rows per key"),
    ("references", "the key column it points at and the share of its values inside it"),
    ("max_chars", "the typical text length"),
)
_KIND_WORDS = {"identifier": "key", "pii": "personal data", "text": "free text", "constant": "constant"}


def _filled(value: Any) -> bool:
    """Whether a fitted attribute holds anything: None and empty collections hold nothing; generated columns
    hold their plans."""
    value = getattr(value, "plans", value)
    if value is None:
        return False
    try:
        return len(value) > 0
    except TypeError:
        return True  # a fitted object (a refiner)


def is_held(item: ArtifactItem, model: object) -> bool:
    """Whether ``model``'s fit filled ``item`` (an item with no ``held_in`` is always held)."""
    return not item.held_in or any(_filled(getattr(model, name, None)) for name in item.held_in)


def _generated_content(plans: Any) -> str:
    """'customer_id (key): the first new numeric key; email (personal data, email): …': what the file keeps for
    each generated column of this fit, by the parts its plan stores."""
    columns = []
    for plan in plans:
        detail = plan.detail
        kind = _KIND_WORDS.get(str(plan.kind), str(plan.kind))
        if detail.get("pii_type"):
            kind = f"{kind}, {detail['pii_type']}"
        parts = [words for key, words in _GENERATED_PARTS if detail.get(key) is not None]
        if plan.kind == "constant" and detail.get("value") is None:
            parts.append("no value (fewer than 5 rows held it)")
        if plan.missing_rate:
            parts.append(f"its missing rate ({plan.missing_rate:.0%})")
        columns.append(f"{plan.name} ({kind}): {', '.join(parts) or 'its kind only'}")
    return f"for this table's {'column' if len(columns) == 1 else f'{len(columns)} columns'} — " + "; ".join(columns)


def _here(item: ArtifactItem, model: Any) -> str:
    """The columns a fitted model's time-of-day or person item holds, as ' (here: …)'; '' for other items."""
    if item.held_in == TIME_ATTRIBUTES:
        names = dict.fromkeys(
            [s[0] for s in model.times_]
            + [w[0] for w in model.weekdays_]
            + [c for pair in model.time_orders_ for c in pair[:2]]
            + [*model.time_zones_, *model.time_offsets_, *model.offset_zones_]
        )
        return f" (here: {', '.join(map(str, names))})"
    if item.held_in == ("people_",):
        return f" (here: {model.people_.entity})"
    return ""


def held_items(model: object) -> tuple[ArtifactItem, ...]:
    """What ``model``'s file holds: for a fitted model, the items its fit filled (a table with no date holds no
    time-of-day item), its generated columns named with what each keeps; for a model not yet fitted, every item its
    class declares (what a file of it may hold)."""
    items = artifact_inventory(type(model))
    if getattr(model, "schema_", None) is None:
        return items
    out = []
    for item in items:
        if not is_held(item, model):
            continue
        held: Any = model
        content = _generated_content(held.generated_.plans) if item.held_in == ("generated_",) else item.content
        out.append(ArtifactItem(item.name, content + _here(item, held), item.derivation, item.protection, item.held_in))
    return tuple(out)


def absent_items(model: object) -> tuple[str, ...]:
    """The names of the items ``model``'s class may hold that its fit left empty (nothing of the kind in the
    table); empty for a model not yet fitted."""
    if getattr(model, "schema_", None) is None:
        return ()
    return tuple(item.name for item in artifact_inventory(type(model)) if not is_held(item, model))
