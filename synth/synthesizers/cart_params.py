"""The parameters CART and Pruned CART share (draws, outcome-first trees, category grouping, residual splits,
classification of few-valued numbers), defined once so both models describe them alike."""

from __future__ import annotations

from synth.synthesizers.base import Param

DRAWS_PARAM = Param(
    "draws",
    "choice",
    "random",
    "How the rows that reach one tree leaf pick their donors. 'random' lets each row pick independently, as "
    "synthpop does: the synthetic rows are independent draws from the model. 'balanced' shares the leaf's donors "
    "out evenly (each row still gets a uniformly random donor, but no donor is used much more often than the "
    "others), so the table follows the model with less sampling noise; its rows are then not independent, and "
    "checks that fit on some synthetic rows and score the others (the discriminator, detection) read it as "
    "harder to tell from real data than its rows are.",
    label="Donor draws",
    choices=("random", "balanced"),
)


def split_first_param(default: bool) -> Param:
    return Param(
        "split_first",
        "bool",
        default,
        "Every tree first splits on the first visited column when it has two values (by default the table's last "
        "two-valued column, usually its outcome), and grows one subtree per value. Each later column then keeps "
        "its own distribution given the outcome, even where other columns would win every split: a model trained "
        "on the synthetic table predicts the outcome as well as one trained on real rows. Off, only a value of it "
        "with fewer rows than 'Minimum rows per leaf' (and at least 'Smooth values rarer than') is split off, as "
        "one leaf.",
        label="Split every tree on the first column",
    )


def category_splits_param(default: bool) -> Param:
    return Param(
        "category_splits",
        "bool",
        default,
        "Each tree orders a category predictor's values by the column it draws (its mean, or its shares along their "
        "main axis) before splitting, so one split can group any categories together (as rpart and synthpop do). "
        "Off, a split can only cut the labels' alphabetical order in two. Not used with predictor bins.",
        label="Group categories in splits",
    )


def residual_splits_param(default: bool) -> Param:
    return Param(
        "residual_splits",
        "bool",
        default,
        "Trees may also split on how far a number sits from its straight-line fit on a strongly correlated "
        "number (|r| ≥ 0.7), so a boundary along a diagonal (a felt temperature against the temperature, a "
        "coast across latitude and longitude) takes one split instead of a staircase. Not used with predictor "
        "bins.",
        label="Split on residuals of correlated numbers",
    )


def linear_splits_param(default: bool) -> Param:
    return Param(
        "linear_splits",
        "bool",
        default,
        "Trees for numbers and two-valued columns may also split on a weighted sum of the earlier numbers and "
        "two-valued columns (their least-squares fit to the column drawn), so a column tied a little to each of "
        "many earlier ones (items of one questionnaire) keeps those ties: one tree cannot add them up split by "
        "split. Not used with predictor bins.",
        label="Split on a weighted sum of earlier columns",
    )


def refine_param(default: bool) -> Param:
    return Param(
        "refine",
        "bool",
        default,
        "After the trees, a classifier learns to tell the training rows from the model's own rows, and each "
        "synthetic row is kept with a chance that grows with how real it looks (else drawn again): structure "
        "that no single tree holds (three columns together, a diagonal) comes back. Rows stay independent draws. "
        "Fitting takes longer, and sampling draws one to three rows per row kept. Not used with balanced draws.",
        label="Refine rows with a discriminator",
    )


CLASSIFY_PARAM = Param(
    "classify_up_to",
    "int",
    32,
    "Numeric columns with at most this many distinct values are predicted by a classification tree, one class "
    "per value (as categories are), so a tree follows how the whole distribution of the column shifts, not only "
    "its mean. Columns with more values get a regression tree. 0 uses regression trees for every number.",
    label="Classify numbers with at most … values",
    low=0,
    high=1_000,
)
