"""A differentially private Bayesian network: PrivBayes (Zhang et al., SIGMOD 2014; TODS 2017), in the manner
of DataSynthesizer, with the guarantee covering the whole learned model.

The model
    Every modelled column becomes a discrete attribute: categories (plus a code for missing and one for
    "(other)", none for a yes/no column whose kind rules it out), and numbers and dates cut into at most ``bins``
    bins (plus a code for missing; no bin when the noise hid the range: missing in every row). "(other)" and
    a missing code whose noisy count is only noise are dropped from the tables (post-processing). A Bayesian
    network of degree ``degree`` is built greedily: starting from an attribute with the fewest codes (drawn
    among them; a function of the released domains, :func:`~synth.synthesizers.dp.network.root_candidates`), or
    from the user's ``key_column``, then a parent of every attribute whose table stays useful (a public choice
    that costs no budget), each step adds one (attribute, parent set) pair chosen by the exponential mechanism
    with the L1 dependence n · R(X, Π) (``structure_score``; or n · I(X; Π)) as score. Then the joint counts of every
    attribute with its parents get Laplace noise; the noisy counts, clipped at zero and shrunk towards the
    child's overall distribution, are the conditional probability tables. Sampling is ancestral
    (:mod:`synth.synthesizers.dp.sampling`), every row drawn independently; ``draws="balanced"`` (the default
    until session 9) rounds each parent configuration's expected counts systematically instead, which lowers
    sampling noise but makes the rows dependent, so held-out checks
    read such a table as less distinguishable than its rows are (dashboard discriminator at ε = 3 on 1,000 rows:
    0.768 against 0.786 for a 1,000-row subsample of a ten times larger balanced draw; independent draws 0.813 /
    0.814). A numeric bin becomes a value drawn within the bin: uniformly, or for whole numbers
    (ranges of at most 2,000 values) by the bin's fine cells, weights from the noisy per-value counts the spikes
    were found with (:func:`~synth.synthesizers.dp.domains.fine_cells`).

Privacy: what is covered
    Neighbouring tables differ by one row added or removed. Everything the fitted model holds about the
    modelled columns is released by a DP mechanism or is public by the user's declaration:

    * the number of rows: Laplace noise (2% of ε); the saved row count is the noisy one;
    * the UTC offset of each text datetime column written with one: the exponential mechanism over a public grid
      of offsets (:mod:`synth.synthesizers.dp.clocks`, ``OFFSET_SHARE`` of ε, only when the schema has one);
    * the domains (category labels, numeric and date ranges, spikes, bins): declared public, or bought with
      ``domain_share`` of ε (see :mod:`synth.synthesizers.dp.domains`); labels under a noisy threshold become
      "(other)", which makes the label lists (ε, δ)-DP with δ = :attr:`PrivBayes.delta` (δ = 0 when every
      categorical column's labels are declared public); stored orders are sorted, never first-appearance;
    * the structure: exponential mechanism, ``structure_share`` of the rest; the sensitivity of n · R(X, Π) is
      below 2 for every table (:func:`~synth.synthesizers.dp.mechanisms.l1_dependence_sensitivity`), that of
      n · I(X; Π) below ln(N + 1) + 1 for tables up to N = 10⁹ rows (:func:`~synth.synthesizers.dp.mechanisms.
      mi_count_sensitivity`);
    * a date's hidden day of week (:mod:`synth.synthesizers.weekdays`): every date is a candidate (the schema
      decides), and keeps the column when a noisy test of its seven weekday counts finds a pattern
      (:mod:`synth.synthesizers.dp.patterns`: ``WEEKDAY_TEST_SHARE`` of ε, "weekday tests" in the ledger, only
      when the table has dates); the seven labels and missing are a public domain that reads no row (no labels
      budget, no δ); its counts are in the tables below, noisy like any column's;
    * a datetime whose format does not say whether it holds times (stored as datetimes, zone-aware or not): a
      noisy test of four disjoint counts (midnight, whole hours, whole minutes, finer) keeps its hidden time of day
      and chooses its grain (:func:`~synth.synthesizers.dp.patterns.timed_grains`: ``TIME_TEST_SHARE`` of ε,
      "time-of-day tests" in the ledger, only when the schema has such a column); the kept time of day is one more
      column of the tables below, its range [0, 86,400) seconds public (it reads no row; its bins and spikes are
      bought like any declared range's);
    * the root: drawn among the attributes with the fewest codes, read from the released domains (post-processing,
      no budget; :func:`~synth.synthesizers.dp.network.root_candidates`);
    * the fine cells of whole-number columns: a function of the spikes' noisy per-value counts, already
      released and paid for by the domain's budget, and of the released bins (post-processing, no budget);
    * the tables: Laplace noise on every count, table i getting ε_i ∝ √(its cells) with Σ ε_i = ε_tables
      (one row changes one cell of each table by one);
    * sampling (balanced or independent draws) reads the released model and the seed only: post-processing;
    * the budget adds up by sequential composition (:class:`~synth.synthesizers.dp.accountant.Budget`);
      :attr:`PrivBayes.ledger_` lists every spending.

    All DP randomness comes from a generator seeded with fresh OS entropy for each fit
    (:func:`~synth.synthesizers.dp.mechanisms.private_rng`), independent of ``random_state`` and never stored:
    two fits with the same seed give different noisy models, and a model file cannot be used to replay the
    noise. ``random_state`` governs sampling only, so a loaded model and a seed give the same table.

Privacy: what is not covered
    With ``public_domain="categories"`` (or ``"categories and ranges"``) the category labels (and the
    minimum and maximum) seen in the training data are *treated* as public: the user asserts that they are
    known anyway (a codebook), and ε does not protect them. Identifier, PII, free-text and constant columns
    are never learned by the network; the shared base regenerates them from their format, missing rate and
    (for constants) value, which are outside ε. The schema (column names, kinds and dtypes) is public input;
    the file drops the reasons an inferred schema gives, which quote the data. So is the time zone of a column
    stored as zone-aware datetimes (its dtype). The UTC offset a text column is read and written at is not read
    from the rows: the exponential mechanism chooses it (:mod:`synth.synthesizers.dp.clocks`, "UTC offsets" in the
    ledger).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback, scaled
from synth.schema import Schema
from synth.synthesizers.base import Synthesizer, SynthesizerError, register_state
from synth.synthesizers.calendar_pairs import check_calendar, public_calendar_pairs
from synth.synthesizers.cart import MISSING as MISSING  # re-exported
from synth.synthesizers.column_order import to_gaps
from synth.synthesizers.declared_orders import check_declared_orders, declared_gaps
from synth.synthesizers.dp import clocks, mechanisms, notices, patterns
from synth.synthesizers.dp import domains as dpd
from synth.synthesizers.dp.accountant import Budget
from synth.synthesizers.dp.encoding import DOMAIN_WEIGHTS, BinnedColumn, domain_plan, encode_column, faint_code
from synth.synthesizers.dp.encoding import is_bool as _is_bool
from synth.synthesizers.dp.network import NoisyTable, learn_network, noisy_tables, root_candidates
from synth.synthesizers.dp.network import candidate_parents as candidate_parents  # re-exported
from synth.synthesizers.dp.network import conditional_cdf as conditional_cdf  # re-exported
from synth.synthesizers.dp.network import configurations as configurations  # re-exported
from synth.synthesizers.dp.network import count_table as count_table  # re-exported
from synth.synthesizers.dp.network import mutual_information as mutual_information  # re-exported
from synth.synthesizers.dp.options import ARTIFACTS, PARAMS
from synth.synthesizers.dp.options import PUBLIC_DOMAIN_CHOICES as PUBLIC_DOMAIN_CHOICES  # re-exported
from synth.synthesizers.dp.released import gapped_domains, released_domains
from synth.synthesizers.dp.sampling import NetworkSampling
from synth.synthesizers.params import column_names
from synth.synthesizers.people import FIND_PERSON, PersonColumn
from synth.synthesizers.registry import register
from synth.synthesizers.time_of_day import (
    DAY_S,
    Split,
    Zone,
    column_zones,
    is_time_of_day,
    is_untested,
    writes_offset,
)
from synth.synthesizers.weekdays import WEEKDAYS, is_hidden_weekday

#: Share of ε spent on the noisy row count.
COUNT_SHARE = 0.02


register_state(BinnedColumn, NoisyTable)


@register
class PrivBayes(NetworkSampling, Synthesizer):
    """PrivBayes: a degree-k Bayesian network whose every learned part is released under differential privacy."""

    name = "privbayes"
    label = "DP Bayesian network"
    main_params: ClassVar[tuple[str, ...] | None] = ("epsilon", "degree", "public_domain")
    description = (
        "A Bayesian network whose domains, structure and probability tables are learned under differential "
        "privacy (PrivBayes). A formal guarantee for the whole model; fidelity grows with ε and the table size."
    )
    #: δ of the noisy category thresholds (shared by the categorical columns whose labels are not public).
    delta: ClassVar[float] = 1e-6
    # Likelihood-weighted candidates cost well under a microsecond each (1M in ~0.5 s CPU), but their weights
    # are skewed: a parent configuration the noise left with only the rare class's count gives it weight 1
    # while the rest give ~0.005, so a 0.5% flag keeps about 1 candidate in 100. Measured on the transactions
    # table, 3 of 4 fits at ε = 1 needed 0.75M to 1.1M candidates for 10,000 fraud rows: more than the shared
    # default budget (50 per row), not more than 3M.
    max_condition_draws: ClassVar[int] = 3_000_000
    guarantee = (
        "(ε, δ)-differential privacy for the whole learned model, for tables that differ by one row added or "
        "removed (a person with r rows is covered as a group of r rows: at r·ε, with a larger δ): the row count, "
        "every column's domain (category labels under a noisy threshold become "
        "'(other)'; numeric and date ranges and bins come from noisy histograms), the network structure and "
        "every probability table. δ = 1e-6, only for category labels not declared public; ε = the epsilon you "
        "choose. The noise comes from fresh OS entropy, never from the seed, and is never saved. Not covered: "
        "what you declare public (with 'Treat as public', the labels and ranges seen in the data; the orders you "
        "declare, which are never checked against the data), and the identifier, personal-data, free-text and "
        "constant columns, which are regenerated from their format. The UTC offset a text date column is written at is "
        "chosen under the same ε (among every quarter hour), never read from the rows."
    )
    artifacts = ARTIFACTS
    params = PARAMS

    epsilon: float
    degree: int
    bins: int
    structure_share: float
    domain_share: float
    public_domain: str
    usefulness: float
    key_column: str
    structure_score: str
    draws: str

    columns_: tuple[BinnedColumn, ...]
    tables_: tuple[NoisyTable, ...]
    noise_scale_: float
    noisy_rows_: float
    ledger_: tuple[tuple[str, float, float], ...]
    public_columns_: tuple[str, ...]

    #: The Synthesize and Race pages offer declared orders (kept on every row, never read from the data).
    declares_orders: ClassVar[bool] = True
    #: It takes public domains a user declares per column (``public_domains``); the Race page offers them.
    declares_domains: ClassVar[bool] = True

    def __init__(
        self,
        *,
        random_state: int | None = 0,
        public_domains: Mapping[str, Any] | None = None,
        declared_orders: Sequence[tuple[str, str]] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(random_state=random_state, **params)
        self.public_domains = public_domains
        self.declared_orders = declared_orders

    @classmethod
    def changed_params(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        """The declared parameters changed from their defaults, and the public domains and orders when any are
        declared: two DP models fitted with and without a declared range read "seed 0; defaults" alike."""
        out = super().changed_params(params)
        out.update({name: params[name] for name in ("public_domains", "declared_orders") if params.get(name)})
        return out

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        rest = dict(params)
        declared = rest.pop("public_domains", None)
        if declared is not None and not isinstance(declared, Mapping):
            raise dpd.PublicDomainError(
                "public_domains maps column names to their public domain, e.g. {'sex': ['F', 'M'], 'age': (0, 120)}"
            )
        orders = rest.pop("declared_orders", None)

        def pair(o: Any) -> bool:
            names = isinstance(o, Sequence) and not isinstance(o, str) and len(o) == 2
            return names and all(isinstance(c, str) for c in o)

        if orders is not None and (isinstance(orders, str | bytes) or not all(pair(o) for o in orders)):
            raise SynthesizerError(
                "declared_orders lists (lower, higher) pairs of column names, e.g. [('signup', 'last_order')]"
            )
        super().check_params(rest)

    def _check_state(self) -> None:
        from synth.synthesizers.state_checks import (
            check_privbayes,
        )  # a loaded file's arrays, before sampling reads them

        check_privbayes(self)
        check_calendar(self, {c.name for c in self.columns_})

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        df: pd.DataFrame,
        schema: Schema | None = None,
        *,
        progress: ProgressCallback | None = None,
        person_column: PersonColumn = FIND_PERSON,
    ) -> PrivBayes:
        """Learn ``df`` under (ε, δ)-DP (see the module docstring); the base's exact domains are replaced. The
        person column is checked like any fit's, and no person is held: it would be read outside the budget."""
        super().fit(df, schema, progress=progress, person_column=person_column)
        self._release_private_metadata()
        # A day past its month's length (31 jun) is drawn again (synth.synthesizers.calendar_pairs): the calendar is
        # public, the columns' roles come from the schema's names and the labels from the released domains, so this
        # reads no row (post-processing, no budget).
        self.calendar_pairs_ = public_calendar_pairs(self.schema_, self.domain_)
        return self

    def _release_private_metadata(self) -> None:
        # The base reads each column's exact values, range and missingness for checking conditions, the exact
        # row count, and the real dtypes (a categorical dtype lists the real labels): replace all of it, for
        # the modelled columns, by what the DP fit released.
        domain = released_domains(self.domain_, self.columns_, self.time_zones_)
        kinds = {c.name: c.kind for c in self.schema_}
        self.domain_ = gapped_domains(domain, kinds, getattr(self, "order_gaps_", ()))
        self.n_train_rows_ = max(2, round(self.noisy_rows_))
        # An inferred schema's reasons quote the data ("two values that read as yes/no (no, yes)", shares of
        # rows): the file keeps the kinds and dtypes (public input) but not the reasons.
        self.schema_ = Schema(tuple(dataclasses.replace(c, reason="") for c in self.schema_))
        for col in self.columns_:  # (a hidden column, synth.synthesizers.weekdays, has no real dtype)
            if (
                col.categorical
                and col.name in self.reference_
                and isinstance(self.reference_[col.name].dtype, pd.CategoricalDtype)
            ):
                self.reference_[col.name] = self.reference_[col.name].astype(object)

    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        # ``rng`` (from random_state) is deliberately unused: every draw here is a DP mechanism's, from ``noise``.
        key = self._key_index(schema)  # before any budget is spent
        self.declared_orders_ = check_declared_orders(self.declared_orders, schema)  # public input: no data read
        # A declared date order is learned as the later date's gap from the earlier one (a public, per-row
        # transform before any mechanism: neighbouring tables still differ in one row), so it holds on every row
        # and the network models how long after, not two dates it cannot tie together under the noise.
        self.order_gaps_ = declared_gaps(self.declared_orders_, schema)
        data, schema = to_gaps(data, schema, self.order_gaps_)
        gapped = {later for later, _, _ in self.order_gaps_}
        noise = mechanisms.private_rng()
        progress(0.0, "checking declared domains")
        # A declared public range of a date drawn as a gap is a range of dates, not of the gap: the gap's range is
        # learned privately (the date's range is then the anchor's moved by it; see _gapped_domains).
        declared_public = {k: v for k, v in (self.public_domains or {}).items() if k not in gapped}
        # A date's hidden weekday (synth.synthesizers.weekdays) has seven fixed labels: public, read from no row.
        weekdays = {s.name for s in schema if is_hidden_weekday(s)}
        declared_public.update({name: [*WEEKDAYS, None] for name in weekdays})
        # A hidden time of day (synth.synthesizers.time_of_day) lies in [0, 86,400) seconds whatever the rows hold: a
        # public range that reads no row. Left private, its noisy range was lost in most ε = 1 fits of a 600-row
        # clinic (every time at 00:00), and an end whose time was lost came out before its start.
        clocks_of_day = {s.name for s in schema if is_time_of_day(s)}
        declared_public.update({name: (0.0, float(DAY_S)) for name in clocks_of_day if name not in declared_public})
        declared = dpd.normalise_public(declared_public, schema)
        eps = float(self.epsilon)
        n_private_cat = sum(
            1
            for s in schema
            if s.kind in dpd.CATEGORICAL
            and s.name not in declared
            and self.public_domain == "none"
            and not _is_bool(data[s.name])
        )
        budget = Budget(eps, self.delta if n_private_cat else 0.0)
        noisy_rows = max(2.0, mechanisms.noisy_count(len(data), budget.spend("row count", COUNT_SHARE * eps), noise))
        offsets_epsilon = self.__dict__.pop("_offsets_epsilon", 0.0)  # spent by _local_clocks, before this
        if offsets_epsilon:
            budget.spend("UTC offsets", offsets_epsilon)
        if weekdays:  # a date keeps its hidden weekday only when a noisy test of its weekdays finds a pattern
            hidden = [s.name for s in schema if s.name in weekdays]
            eps_week = budget.spend("weekday tests", patterns.WEEKDAY_TEST_SHARE * eps)
            flat = weekdays - patterns.patterned_weekdays(data, hidden, WEEKDAYS, eps_week, noise)
            data, schema = data.drop(columns=sorted(flat)), schema.select(n for n in schema.names if n not in flat)
            weekdays -= flat
        # A datetime whose format does not say whether it holds times came split into its day and a candidate time
        # of day: a noisy test keeps the time (and chooses its grain) or drops it, inside the budget.
        untested = [s.name for s in schema if is_untested(s)]
        self._time_grains: dict[str, int | None] = {}
        if untested:
            eps_time = budget.spend("time-of-day tests", patterns.TIME_TEST_SHARE * eps)
            self._time_grains = patterns.timed_grains(data, untested, eps_time, noise)
            flat = {name for name, grain in self._time_grains.items() if grain is None}
            data, schema = data.drop(columns=sorted(flat)), schema.select(n for n in schema.names if n not in flat)

        # The tests above may drop a date's hidden weekday or candidate time of day, so the key's position is read
        # again from the columns left (the position taken before them pointed past the last column or at another).
        key = self._key_index(schema)
        progress(0.02, "private domains")
        plans = [self._domain_plan(spec, declared) for spec in schema]
        # Budget weights: a private domain costs 1, a number or date with a declared or seen range only needs its
        # bin edges, spikes and missing code (½), a declared or seen label list nothing. ``domain_share`` is the share
        # when every domain is private, scaled down by the weights otherwise.
        weights = [
            0.0 if spec.kind in dpd.CATEGORICAL and plan == "seen" else DOMAIN_WEIGHTS[plan]
            for spec, plan in zip(schema, plans, strict=True)
        ]
        total_weight = sum(weights)
        # (A hidden weekday never has a private domain: counted here, it would thin every other column's share.)
        share = float(self.domain_share) * total_weight / max(len(plans) - len(weekdays), 1)
        eps_domain = budget.spend("domains", share * eps, budget.delta) if total_weight else 0.0
        delta_column = budget.delta / max(n_private_cat, 1)
        # The count a private label needs (every private label list weighs 1): said by the fit warning when most
        # of a column fell into "(other)". A function of ε, δ and the public plans only.
        self.label_threshold_ = (
            mechanisms.threshold(eps_domain / total_weight, delta_column) if n_private_cat and total_weight else 0.0
        )
        columns, codes_list, public = [], [], []
        for spec, plan, weight in zip(schema, plans, weights, strict=True):
            eps_column = eps_domain * weight / total_weight if total_weight else 0.0
            # A declared order's gap is never below 0 (public: the declaration says so). A private range trims
            # the sparse low cells of its log grid (gaps spread evenly over 0-300 days started at 31.6 days), so a
            # gap's range is extended down to 0: public knowledge, no budget.
            floor = 0.0 if spec.name in gapped else None
            column, codes = encode_column(
                data[spec.name],
                spec.kind,
                plan,
                declared.get(spec.name),
                eps_column,
                delta_column,
                noisy_rows,
                int(self.bins),
                noise,
                floor=floor,
            )
            columns.append(column)
            codes_list.append(codes)
            if plan != "private" and spec.name not in weekdays | clocks_of_day:  # declared, or the labels / range seen
                public.append(spec.name)
        codes = np.column_stack(codes_list) if codes_list else np.zeros((len(data), 0), dtype=np.int64)
        sizes = tuple(c.size for c in columns)
        d = codes.shape[1]
        rest = eps - budget.spent_epsilon
        eps_structure = budget.spend("structure", rest * float(self.structure_share)) if d > 1 else 0.0
        eps_tables = budget.spend("tables", eps - budget.spent_epsilon)
        noise_scale = max(d, 1) / eps_tables  # add/remove one row: one cell of each of the d tables moves by 1
        max_cells = max(1.0, noisy_rows / (float(self.usefulness) * noise_scale))
        network = learn_network(
            codes,
            sizes,
            int(self.degree),
            eps_structure,
            max_cells,
            noise,
            scaled(progress, 0.1, 0.7),
            key,
            str(self.structure_score),
            root_candidates(sizes, tuple(c.value_codes >= 2 for c in columns)),
        )
        names = [c.name for c in columns]
        faint = [faint_code(column, plan) for column, plan in zip(columns, plans, strict=True)]
        tables = noisy_tables(codes, network, sizes, faint, eps_tables, noise, scaled(progress, 0.7, 1.0), names)
        progress(1.0, "network fitted")
        self.columns_ = tuple(columns)
        self.tables_ = tables
        self.noise_scale_ = noise_scale
        self.noisy_rows_ = noisy_rows
        self.ledger_ = budget.ledger()
        self.public_columns_ = tuple(public)

    def _local_clocks(self, raw: pd.DataFrame, schema: Schema) -> dict[str, Zone]:
        """Zone-aware columns keep their zone (their dtype: schema, public); a text column written with offsets is
        read on one chosen by the exponential mechanism (:mod:`synth.synthesizers.dp.clocks`), never on one read
        from the rows; its ε is entered in the ledger by :meth:`_fit`."""
        written = [s.name for s in schema if s.name in raw.columns and writes_offset(s)]
        self._offsets_epsilon = clocks.OFFSET_SHARE * float(self.epsilon) if written else 0.0
        if not written:  # (no generator drawn: the fit's only one is _fit's)
            return column_zones(raw, schema)
        each, noise = self._offsets_epsilon / len(written), mechanisms.private_rng()
        return column_zones(raw, schema, pick=lambda offsets: clocks.noisy_offset(offsets, each, noise))

    def _kept_times(self, splits: tuple[Split, ...]) -> tuple[Split, ...]:
        """The time-of-day splits :meth:`_fit` kept, each candidate's at the grain its noisy test chose."""
        grains = self.__dict__.pop("_time_grains", {})  # (never saved: a leading underscore)
        return tuple((n, h, int(grain)) for n, h, g in splits if (grain := grains.get(h, g)) is not None)

    def _kept_weeks(self, weeks: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """The dates whose hidden weekday passed the noisy test in :meth:`_fit` (those among the network's)."""
        names = {c.name for c in self.columns_}
        return tuple(w for w in weeks if w[1] in names)

    def _key_index(self, schema: Schema) -> int | None:
        """The position of ``key_column`` among the modelled columns (None for 'none'); a clear error otherwise."""
        if self.key_column == "none":
            return None
        names = [s.name for s in schema]
        wanted = column_names(self.key_column)
        if len(wanted) != 1 or wanted[0] not in names:
            raise SynthesizerError(
                f"key_column must name one modelled column ({', '.join(map(repr, names))}) or be 'none', "
                f"got {self.key_column!r}"
            )
        return names.index(wanted[0])

    def _domain_plan(self, spec: Any, declared: Mapping[str, Any]) -> str:
        """How a column's domain is obtained (see :func:`~synth.synthesizers.dp.encoding.domain_plan`)."""
        return domain_plan(spec, declared, self.public_domain)

    def network(self) -> list[tuple[str, list[str]]]:
        """The learned network in sampling order: (column, its parent columns)."""
        names = [c.name for c in self.columns_]
        return [(names[t.child], [names[p] for p in t.parents]) for t in self.tables_]

    def privacy_statement(self) -> str:
        """What this fitted model's guarantee covers, in words: the budget spent and the public columns."""
        if not self.is_fitted:
            raise SynthesizerError(f"{self.label} is not fitted yet: fit(train) first")
        return notices.privacy_statement(self)

    def collapsed_columns(self) -> dict[str, Any]:
        """Columns whose private domain came out as one value (or only "(other)"), with that value (a date as a
        Timestamp; None: missing in every row). At a small ε (or a small table) the noise can hide every cell of a
        column's range or every label: the model then writes that one value in every synthetic row (an age of 0 for
        everybody). Computed from the released domains only, so saying it costs no privacy."""
        return notices.collapsed_columns(self)

    def fit_warnings(self) -> tuple[str, ...]:
        return notices.fit_warnings(self)
