"""What a CART model file holds from the training data, item by item: the Synthesize page and ``synth fit`` list it
(:mod:`synth.synthesizers.inventory`), and ``tests/unit/test_model_files.py`` attacks each promise."""

from __future__ import annotations

from synth.synthesizers.calendar_pairs import CALENDAR_ARTIFACT
from synth.synthesizers.category_ranges import RANGES_ARTIFACT
from synth.synthesizers.derived import RULES_ARTIFACT
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.missing_together import GROUPS_ARTIFACT
from synth.synthesizers.zero_pairs import ZEROS_ARTIFACT

CART_ARTIFACTS = (
    ArtifactItem(
        "Donor values",
        "for every tree leaf, the training values of the column it draws: category codes, missing "
        "indicators, and numbers (dates as whole units; a date that never precedes an earlier date column "
        "as its gap from that date)",
        "values",
        "Each leaf holds at least min_samples_leaf training rows; numbers seen fewer than smooth_below times "
        "are stored only as a band shared by at least that many rows (no rare value, nor anything it can be "
        "solved from); within a leaf donors are sorted by value, never in training-row order.",
    ),
    ArtifactItem(
        "Trees",
        "for every column after the first, the split features and thresholds of its decision tree; with "
        "residual splits, the intercept and slope of each line a tree's residual predictors are measured "
        "from; with linear splits, a centre and a weight per earlier column of each weighted sum a tree splits on; "
        "with category grouping, each tree's order of a category predictor's labels",
        "aggregates",
        "A threshold is the midpoint between two neighbouring predictor values, with at least "
        "min_samples_leaf rows on each side; rare numbers are replaced by a draw from their band before the "
        "trees are fitted, so no threshold sits next to a rare value. A line is a least-squares fit on every "
        "complete training row, a weighted sum a least-squares fit on every training row (or 20,000 of them) "
        "kept only where it explains the column beyond chance; a label order comes from each label's mean over "
        "its rows, shrunk towards the overall mean.",
    ),
    ArtifactItem(
        "Refiner",
        "with refinement only, the boosted trees of a classifier telling the training rows from the model's own: "
        "split features and thresholds, a value per leaf, a baseline",
        "aggregates",
        "It reads the same predictors as the trees (rare numbers already replaced by a draw from their band); "
        "each leaf holds at least 400 rows, training and synthetic together, and its value is a gradient "
        "step over them.",
        held_in=("refiner_",),
    ),
    ArtifactItem(
        "Column coding",
        "per column: the category labels (sorted), the clip range of numbers, a date origin and grain; for a "
        "date or number never below (or above) an earlier column of its kind on the training rows (a number's "
        "on at least 99.9% of them), that column and the direction",
        "structure",
        "Labels are held by at least min_category_rows rows or are '(other)'; the clip range is that of the "
        "smoothed donors; the date origin is the earliest date rounded down to 1,000 grains. An order is kept "
        "only when random pairs of the two columns' values would break it on at least 1% of pairs.",
    ),
    RULES_ARTIFACT,
    RANGES_ARTIFACT,
    GROUPS_ARTIFACT,
    ZEROS_ARTIFACT,
    CALENDAR_ARTIFACT,
)
