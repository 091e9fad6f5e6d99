"""Generated IBANs: every one passes the mod-97 check, in the real countries and layouts by share, none real."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.generated import GeneratedColumns
from synth.generated_ibans import iban_layouts, ibans_at, stored_ibans, with_check_digits
from synth.generated_keys import keys_at
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.pii import iban_ok

#: Faker locales whose IBANs differ in country, length and letters: DE 22 digits, GB 4 bank letters, FR 27 with
#: letters late, NL 18, PL 28.
LOCALES = ("de_DE", "en_GB", "fr_FR", "nl_NL", "pl_PL")


def _spaced(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def _real_ibans(counts: dict[str, int], spaced_share: float, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = []
    for locale, count in counts.items():
        faker = Faker(locale)
        faker.seed_instance(seed)
        values += [faker.iban() for _ in range(count)]
    spaced = rng.random(len(values)) < spaced_share
    out = pd.Series([_spaced(v) if s else v for v, s in zip(values, spaced, strict=True)], name="iban")
    return out.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _sample(real: pd.Series, n: int, seed: int) -> pd.Series:
    schema = Schema((ColumnSpec("iban", ColumnKind.IDENTIFIER),))
    fitted = GeneratedColumns.fit(real.to_frame(), schema)
    return fitted.sample(n, np.random.default_rng(seed))["iban"]


def test_the_check_digits_are_those_of_iso_13616() -> None:
    # Published examples (ISO 13616, the ECBS register): the account with its check digits blanked gets them back.
    for iban in ("GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "FR1420041010050500013M02606"):
        blanked = iban[:2] + "00" + iban[4:]
        assert with_check_digits(np.array([blanked], dtype=object))[0] == iban
        assert iban_ok(iban) and not iban_ok(iban[:2] + "00" + iban[4:])


@settings(max_examples=15, deadline=None)
@given(
    picked=st.lists(st.sampled_from(LOCALES), min_size=1, max_size=4, unique=True),
    spaced_share=st.sampled_from([0.0, 0.3, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_every_generated_iban_passes_its_check_and_none_is_real(
    picked: list[str], spaced_share: float, seed: int
) -> None:
    # Attack: real IBANs of several countries, spaced and not; a sample five times the real size must hold no real
    # one, and every value must pass the check a bank's form applies.
    real = _real_ibans({locale: 150 for locale in picked}, spaced_share, seed)
    out = _sample(real, 3_000, seed)
    assert out.is_unique
    assert out.map(iban_ok).all(), out[~out.map(iban_ok)].head().tolist()
    assert not set(out) & set(real)
    assert not set(out.str.replace(" ", "")) & set(real.str.replace(" ", ""))
    assert set(out.str[:2]) == set(real.str[:2]), "every country of 20 rows or more comes back"


def test_countries_lengths_and_the_spaced_form_keep_their_shares() -> None:
    real = _real_ibans({"de_DE": 600, "fr_FR": 300, "nl_NL": 100}, 0.4, 3)
    out = _sample(real, 10_000, 4)
    for form in (lambda s: s.str[:2], lambda s: s.str.len(), lambda s: s.str.contains(" ")):
        want = form(real).value_counts(normalize=True)
        got = form(out).value_counts(normalize=True).reindex(want.index, fill_value=0.0)
        assert (got - want).abs().max() < 0.04, (want.to_dict(), got.to_dict())
    # Each layout keeps where the real values put letters and digits: a French account's letters stay letters.
    for country, pattern in (("DE", r"DE\d{20}"), ("NL", r"NL\d{2}[A-Z]{4}\d{10}")):
        plain = out[out.str.startswith(country)].str.replace(" ", "")
        assert plain.str.fullmatch(pattern).all(), plain.head().tolist()


def test_a_country_of_few_rows_is_drawn_among_the_others() -> None:
    # Twelve Dutch accounts: too few to say where accounts are held without pointing at those people.
    real = _real_ibans({"de_DE": 800, "nl_NL": 12}, 0.0, 5)
    layouts = iban_layouts(real)
    assert layouts is not None and [f["template"][:2] for _, f in layouts] == ["DE"]
    assert set(_sample(real, 2_000, 0).str[:2]) == {"DE"}


def test_a_column_that_is_not_ibans_keeps_its_key_scheme() -> None:
    real = pd.Series([f"DE{i:020d}" for i in range(500)], name="iban")  # shaped like IBANs, failing the check
    assert iban_layouts(real) is None
    assert not _sample(real, 500, 0).map(iban_ok).all()


def test_a_streamed_table_gets_the_same_valid_ibans_in_any_block() -> None:
    real = _real_ibans({"de_DE": 300, "en_GB": 300}, 0.5, 6)
    plan = next(
        p for p in GeneratedColumns.fit(real.to_frame(), Schema((ColumnSpec("iban", ColumnKind.IDENTIFIER),))).plans
    )
    whole = keys_at(plan, np.arange(5_000, dtype=np.uint64), 5_000, 17)
    parts = np.concatenate(
        [keys_at(plan, np.arange(a, a + 1_000, dtype=np.uint64), 5_000, 17) for a in range(0, 5_000, 1_000)]
    )
    assert list(whole) == list(parts)
    assert pd.Series(whole).is_unique and all(iban_ok(v) for v in whole) and not set(whole) & set(real)


@pytest.mark.parametrize(
    "stored",
    [
        None,
        [],
        [[1.0, {"template": "GB99AAAA99999999999999", "tail": 3, "suffixes": ["123"]}]],  # check digits drawn
        [[1.0, {"template": "9900AAAA99999999999999", "tail": 3, "suffixes": ["123"]}]],  # no country
        [[2.0, {"template": "GB00AAAA99999999999999", "tail": 3, "suffixes": ["123"]}]],  # a share above 1
        [[1.0, {"template": "GB00AAAA9", "tail": 1, "suffixes": ["1"]}]],  # shorter than any IBAN
        [[True, {"template": "GB00AAAA99999999999999", "tail": 3, "suffixes": ["123"]}]],
    ],
)
def test_crafted_iban_layouts_are_refused(stored: object) -> None:
    assert stored_ibans(stored) is None
    with pytest.raises(ValueError):
        ibans_at(stored, np.arange(3, dtype=np.uint64), 0)


def _accounts_table(seed: int) -> pd.DataFrame:
    """Card transactions of 300 British and Dutch accounts: one account on about 40% of the rows, a few dozen on 5
    rows or more (the session-40 walk's export). Neither country's IBAN reads as a code to the key rules (letters
    after the check digits), and no account is a tenth of nothing: the rules that make codes keys did not apply."""
    rng = np.random.default_rng(seed)
    accounts = _real_ibans({"en_GB": 150, "nl_NL": 150}, 0.0, seed).tolist()
    weights = 1.0 / np.arange(1, len(accounts) + 1) ** 1.6
    picked = rng.choice(len(accounts), size=3_000, p=weights / weights.sum())
    return pd.DataFrame(
        {
            "account": [accounts[i] for i in picked],
            "amount": np.round(rng.lognormal(3.0, 0.8, 3_000), 2),
            "category": rng.choice(["groceries", "fuel", "travel"], 3_000),
        }
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_repeated_ibans_are_keys_and_no_real_account_reaches_a_sample_or_a_model_file(
    seed: int, tmp_path: Path
) -> None:
    # Attack: an export where accounts repeat, one on most rows. Read as a category (before session 40), every IBAN on
    # 5 rows or more was learned and sampled as it was: a real bank account in the synthetic table and the model file.
    import synth
    from tests.model_files import read

    table = _accounts_table(seed)
    counts = table["account"].value_counts()
    assert counts.iloc[0] / len(table) > 0.3 and (counts >= 5).sum() >= 10, "the attack needs accounts on many rows"
    schema = synth.infer_schema(table)
    assert schema["account"].kind is ColumnKind.IDENTIFIER, schema["account"]
    assert "IBANs with valid check digits" in schema["account"].reason
    model = synth.create("pruned_cart", random_state=seed).fit(table, schema)
    out = model.sample(len(table), seed=seed)["account"]
    assert out.map(iban_ok).all() and not set(out) & set(counts.index)
    assert out.value_counts().iloc[0] / len(out) > 0.2, "the busiest account keeps about its share of rows"
    path = tmp_path / "accounts.synth"
    model.save(path)
    manifest, arrays = read(path)
    held = json.dumps(manifest) + " ".join(
        " ".join(map(str, a.ravel().tolist())) for a in arrays.values() if a.dtype.kind in "OUS"
    )
    plain = {v.replace(" ", "") for v in counts.index}
    assert not [v for v in plain if v in held or v[4:] in held], "a real account number is in the model file"


def _customers(seed: int = 1) -> pd.DataFrame:
    """One account a customer, each IBAN of the customer's country."""
    rng = np.random.default_rng(seed)
    rows = []
    for locale, country, count in (("en_GB", "GB", 900), ("fr_FR", "FR", 700), ("nl_NL", "NL", 400)):
        faker = Faker(locale)
        faker.seed_instance(seed)
        rows += [{"iban": faker.iban(), "country": country} for _ in range(count)]
    table = pd.DataFrame(rows)
    table["balance"] = np.round(rng.lognormal(8, 1, len(table)), 2)
    return table.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("name", ["pruned_cart", "gaussian_copula", "independent"])
def test_each_ibans_country_follows_the_rows_country(name: str) -> None:
    # Session 40: drawn by the column's shares alone, two synthetic IBANs in three named another country than their
    # row's; the model now keeps each country level's layout shares (aggregates of 20 rows or more).
    import synth

    real = _customers()
    model = synth.create(name, random_state=0).fit(real)
    out = model.sample(2_000, seed=1)
    assert (out["iban"].str[:2] == out["country"]).all(), pd.crosstab(out["iban"].str[:2], out["country"])
    assert out["iban"].map(iban_ok).all() and out["iban"].is_unique and not set(out["iban"]) & set(real["iban"])


def test_the_dp_network_keeps_no_country_table_for_its_ibans() -> None:
    import synth

    model = synth.create("privbayes", random_state=0).fit(_customers())
    assert all("iban_levels" not in p.detail for p in model.generated_.plans)


def test_an_accounts_repeated_iban_follows_the_country_its_rows_hold() -> None:
    """Card payments of accounts, the IBAN the person: each synthetic account's rows hold one country, and its IBAN
    is drawn in that country's layout (before: any layout, by the column's shares)."""
    import synth
    from benchmarks.walk_tables import card_transactions

    real = card_transactions(n=3_000, accounts=350)
    model = synth.create("pruned_cart", random_state=0).fit(real, person_column="account.iban")
    out = model.sample(3_000, seed=1)
    assert (out["account.iban"].str[:2] == out["account.country"]).all()
    assert out.groupby("account.iban")["account.country"].nunique().max() == 1
    assert abs(out["account.iban"].nunique() - real["account.iban"].nunique()) <= 0.1 * real["account.iban"].nunique()
    assert out["account.iban"].map(iban_ok).all() and not set(out["account.iban"]) & set(real["account.iban"])


@pytest.mark.parametrize(
    "crafted",
    [None, "GB", {"column": "country"}, {"column": "country", "levels": {"GB": {"9": 1.0}}}, {"column": 3}],
)
def test_a_crafted_country_table_is_ignored(crafted: object, tmp_path: Path) -> None:
    import synth
    from tests.model_files import dataclasses_named, read, write

    model = synth.create("pruned_cart", random_state=0).fit(_customers())
    path = tmp_path / "m.synth"
    model.save(path)
    manifest, arrays = read(path)

    def encoded(value: object) -> object:  # as the model file writes a dict
        if isinstance(value, dict):
            return {"$": "dict", "v": [[k, encoded(v)] for k, v in value.items()]}
        return value

    plan = next(p for p in dataclasses_named(manifest, "_Plan") if p["name"] == "iban")
    items = plan["detail"]["v"]
    at = next(i for i, (k, _) in enumerate(items) if k == "iban_levels")
    items[at] = ["iban_levels", encoded(crafted)]
    out = synth.load_model(write(tmp_path / "crafted.synth", manifest, arrays)).sample(300, seed=0)
    assert out["iban"].map(iban_ok).all() and out["iban"].is_unique


def test_a_table_streamed_in_blocks_keeps_each_ibans_country_with_its_row() -> None:
    # A streamed table's unique keys are drawn again by position in each block (unique over the whole table): they
    # take their row's country layout there too, so a file written in blocks agrees with an in-memory sample.
    import synth
    from synth.sampling import SampleSpec, iter_rows

    model = synth.create("pruned_cart", random_state=0).fit(_customers())
    rows = pd.concat(iter_rows(model, SampleSpec(4_000, seed=3, block_rows=1_000)), ignore_index=True)
    assert (rows["iban"].str[:2] == rows["country"]).all()
    assert rows["iban"].is_unique and rows["iban"].map(iban_ok).all()
