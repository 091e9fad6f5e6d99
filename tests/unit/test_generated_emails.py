"""Generated e-mails follow the generated name of their row in the real tables' pattern mix (anna.schmidt@,
aschmidt@, anna_schmidt12@), and learn nothing else: no name, address or real domain reaches the rows or the file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from benchmarks.bench_email_names import MIX, faker_table, following_share
from benchmarks.walk_tables import hr
from synth.audit.checks import _fake_promise
from synth.generated import REGENERATION_SUMMARY, GeneratedColumns
from synth.generated_emails import (
    MIN_PATTERN_ROWS,
    follows,
    known_patterns,
    name_parts,
    row_parts,
)
from synth.generated_pii import RESERVED_EMAIL_DOMAINS
from synth.schema import ColumnKind, ColumnSpec, Schema
from tests.unit.crafting import unpacked

SCHEMA = Schema(
    (
        ColumnSpec("name", ColumnKind.PII, pii_type="name"),
        ColumnSpec("email", ColumnKind.PII, pii_type="email"),
    )
)


def _fit(data: pd.DataFrame, schema: Schema = SCHEMA) -> GeneratedColumns:
    return GeneratedColumns.fit(data, schema)


def _email_plan(fitted: GeneratedColumns) -> dict:
    return next(p.detail for p in fitted.plans if p.detail.get("pii_type") == "email")


def test_a_faker_table_keeps_its_pattern_mix_and_the_rows_follow_their_names() -> None:
    real = faker_table(4_000, seed=0)[["name", "email"]]
    fitted = _fit(real)
    kept = _email_plan(fitted)["email_names"]
    assert kept["names"] == ["name"]
    assert set(kept["patterns"]) == set(MIX)
    assert all(abs(kept["patterns"][p] - MIX[p]) <= 0.03 for p in MIX), kept
    out = fitted.sample(5_000, np.random.default_rng(1))
    real_share, synthetic = following_share(real["email"], real["name"]), following_share(out["email"], out["name"])
    assert abs(real_share - 0.85) < 0.02 and abs(synthetic - real_share) < 0.03  # 84.5% real, 82.9% generated
    drawn = pd.Series([follows(e, n) for e, n in zip(out["email"], out["name"], strict=True)], dtype=object)
    drawn = drawn.value_counts(normalize=True, dropna=False)
    assert all(abs(drawn.get(p, 0.0) - MIX[p]) < 0.03 for p in MIX), drawn
    without = _fit(real.assign(email=real["email"].sample(frac=1.0, random_state=0).to_numpy()))  # names shuffled
    assert "email_names" not in _email_plan(without)  # addresses that follow no row's name keep no pattern


def test_the_hr_walk_table_follows_its_names_titles_and_double_names() -> None:
    real = hr()
    schema = Schema(
        (
            ColumnSpec("full_name", ColumnKind.PII, pii_type="name"),
            ColumnSpec("work_email", ColumnKind.PII, pii_type="email"),
        )
    )
    fitted = _fit(real[["full_name", "work_email"]], schema)
    kept = _email_plan(fitted)["email_names"]["patterns"]
    real_shares = pd.Series([follows(e, n) for e, n in zip(real["work_email"], real["full_name"], strict=True)])
    real_shares = real_shares.value_counts(normalize=True)  # every row: 72.7% {first}.{last}, 27.3% with a title
    assert set(kept) == {"{first}.{last}", "{title}.{first}.{last}"}
    assert all(abs(kept[p] - real_shares[p]) <= 0.02 for p in kept), (kept, real_shares)
    out = fitted.sample(3_000, np.random.default_rng(2))
    assert following_share(real["work_email"], real["full_name"]) == 1.0  # "ms.andrea.horton", "katy.robinson-hardy"
    assert following_share(out["work_email"], out["full_name"]) > 0.99  # 0% before session 23
    assert out["work_email"].str.contains(r"^[a-z]+(?:-[a-z]+)?\.[a-z]+(?:-[a-z]+)?@", regex=True).mean() > 0.99


def test_non_ascii_names_are_transliterated() -> None:
    names = ["Zoë Øster", "Łukasz Wójcik", "Jürgen Müller", "Иван Петров", "Mårten García", "Ærø Ångström"] * 10
    real = pd.DataFrame(
        {"name": names, "email": [f"{n.split()[0].lower()}.{n.split()[1].lower()}@x.org" for n in names]}
    )
    fitted = _fit(real)
    assert _email_plan(fitted)["email_names"]["patterns"] == {"{first}.{last}": 1.0}
    out = fitted.sample(2_000, np.random.default_rng(3))
    locals_ = out["email"].str.rsplit("@", n=1).str[0]
    assert locals_.str.fullmatch(r"[a-z0-9._-]+").all()
    assert following_share(out["email"], out["name"]) == 1.0
    assert name_parts("Zoë Øster")["first"] == "zoe" and name_parts("Иван Петров")["first"] == "ivan"
    assert name_parts("Łukasz Wójcik")["first"] == "lukasz"
    assert follows("juergen.mueller@x.de", "Jürgen Müller") == "{first}.{last}"  # German spelling counts too


def test_first_and_last_name_columns_are_followed() -> None:
    real = faker_table(1_000, seed=4)
    real[["first", "last"]] = real["name"].str.split(" ", n=1, expand=True)
    schema = Schema(
        (
            ColumnSpec("first", ColumnKind.PII, pii_type="first_name"),
            ColumnSpec("last", ColumnKind.PII, pii_type="last_name"),
            ColumnSpec("email", ColumnKind.PII, pii_type="email"),
        )
    )
    fitted = _fit(real[["first", "last", "email"]], schema)
    assert _email_plan(fitted)["email_names"]["names"] == ["first", "last"]
    out = fitted.sample(2_000, np.random.default_rng(5))
    share = np.mean(
        [follows(e, f, la) is not None for e, f, la in zip(out["email"], out["first"], out["last"], strict=True)]
    )
    assert share > 0.75


@pytest.mark.parametrize(("rows", "kept"), [(MIN_PATTERN_ROWS - 1, False), (MIN_PATTERN_ROWS, True)])
def test_a_pattern_of_fewer_than_20_rows_is_not_kept(rows: int, kept: bool) -> None:
    real = faker_table(600, seed=6)[["name", "email"]]
    first, last = real["name"].str.split().str[0].str.lower(), real["name"].str.split().str[-1].str.lower()
    real["email"] = "x" + real.index.astype(str) + "@x.org"  # no row follows its name ...
    real.loc[: rows - 1, "email"] = last[:rows] + "_" + first[:rows] + "@x.org"  # ... but these
    found = _email_plan(_fit(real)).get("email_names")
    assert (found is not None and "{last}_{first}" in found["patterns"]) is kept
    assert MIN_PATTERN_ROWS == 20 and "20 rows or more" in REGENERATION_SUMMARY


def test_a_table_without_names_draws_as_before() -> None:
    real = faker_table(500, seed=7)[["email"]]
    schema = Schema((ColumnSpec("email", ColumnKind.PII, pii_type="email"),))
    fitted = _fit(real, schema)
    assert "email_names" not in _email_plan(fitted)
    from synth.generated import fake_values

    out = fitted.sample(300, np.random.default_rng(8))["email"]
    expected = fake_values("email", 300, np.random.default_rng(8), domains=_email_plan(fitted)["domains"])
    assert list(out) == list(expected)


def test_no_real_name_address_or_domain_reaches_the_rows_or_the_model_file(tmp_path: Path) -> None:
    # Attack: invented names (in none of Faker's lists) whose addresses follow them, at real and rare domains.
    rng = np.random.default_rng(9)
    firsts = [f"Quorv{chr(97 + i % 26)}el" for i in range(300)]
    lasts = [f"Zabrow{chr(97 + i % 13)}tzki{i}" for i in range(300)]
    names = [f"{f} {la}" for f, la in zip(firsts, lasts, strict=True)]
    domains = ["zz-rare-domain.org", "gmail.com", "corp-quorvinel.com"]  # one row, a fifth, the rest
    emails = [
        f"{f.lower()}.{la.lower()}@{domains[0 if i == 0 else 1 if i % 5 == 0 else 2]}"
        for i, (f, la) in enumerate(zip(firsts, lasts, strict=True))
    ]
    real = pd.DataFrame({"name": names, "email": emails, "spend": np.round(rng.gamma(2.0, 40.0, 300), 2)})
    schema = Schema((*SCHEMA, ColumnSpec("spend", ColumnKind.CONTINUOUS)))
    model = synth.create("gaussian_copula", random_state=0).fit(real, schema)
    rows = model.sample(3_000, seed=1)
    assert following_share(rows["email"], rows["name"]) > 0.95  # the addresses follow the generated names ...
    text = " ".join(rows["name"].astype(str)) + " " + " ".join(rows["email"].astype(str))
    assert not re.search(r"(?i)quorv|zabrow|corp-quorvinel|gmail|zz-rare", text)  # ... never the real ones
    assert not rows["email"].isin(set(emails)).any()
    assert set(rows["email"].str.rsplit("@", n=1).str[1]) <= set(RESERVED_EMAIL_DOMAINS)
    model.save(tmp_path / "m.synth")
    blob = unpacked(tmp_path / "m.synth").lower()
    for word in ["quorv", "zabrow", "tzki", "corp-quorvinel", "gmail", "zz-rare", *[e.split("@")[0] for e in emails]]:
        assert word.encode() not in blob, word
    assert b"{first}.{last}" in blob  # what the file does say: the pattern's name and share
    pd.testing.assert_frame_equal(synth.load_model(tmp_path / "m.synth").sample(3_000, seed=1), rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    domains=st.lists(
        st.one_of(st.sampled_from(RESERVED_EMAIL_DOMAINS), st.from_regex(r"[a-z]{1,8}\.(com|org|de)", fullmatch=True)),
        min_size=1,
        max_size=8,
    ),
    seed=st.integers(0, 2**16),
)
def test_the_file_keeps_reserved_domains_only_whatever_the_real_ones(domains: list[str], seed: int) -> None:
    # A rare real domain (one row) is never stored nor drawn: the file lists only reserved names the column does
    # not use, and every generated address is at one of them.
    rng = np.random.default_rng(seed)
    names = [f"Anna{i} Schmidt" for i in range(40)]
    emails = [f"anna{i}.schmidt@{domains[rng.integers(0, len(domains))]}" for i in range(40)]
    fitted = _fit(pd.DataFrame({"name": names, "email": emails}))
    stored = _email_plan(fitted)["domains"]
    assert all(d in RESERVED_EMAIL_DOMAINS or re.fullmatch(r"m\d+\.invalid", d) for d in stored)
    assert not set(stored) & {e.rsplit("@", 1)[1] for e in emails}
    out = fitted.sample(200, rng)["email"]
    assert set(out.str.rsplit("@", n=1).str[1]) <= set(stored)


@settings(max_examples=25, deadline=None)
@given(
    stored=st.one_of(
        st.none(),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
        st.fixed_dictionaries(
            {
                "names": st.one_of(st.just(["name"]), st.just(["nope"]), st.lists(st.text(max_size=3), max_size=3)),
                "patterns": st.dictionaries(
                    st.one_of(st.sampled_from(sorted(known_patterns())[:20]), st.text(max_size=8)),
                    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3)),
                    max_size=4,
                ),
            }
        ),
    )
)
def test_a_tampered_pattern_list_falls_back_or_draws_valid_addresses(stored: object) -> None:
    fitted = _fit(faker_table(200, seed=10)[["name", "email"]])
    plans = tuple(
        type(p)(p.name, p.kind, p.missing_rate, {**p.detail, "email_names": stored}) if p.name == "email" else p
        for p in fitted.plans
    )
    out = GeneratedColumns(plans).sample(50, np.random.default_rng(11))["email"]
    assert out.str.fullmatch(r"[^@\s]+@[a-z.]+").all()


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(
        st.one_of(
            st.sampled_from(["Dr", "Ms", "Mr.", "J.", "K", "van", "O'Brien", "Robinson-Hardy", "Zoë", "Иван", "梁鑫"]),
            st.text(alphabet=st.characters(categories=["L", "Nd", "P"]), min_size=1, max_size=8),
        ),
        min_size=0,
        max_size=5,
    )
)
def test_the_rows_parts_are_the_single_names_parts(words: list[str]) -> None:
    # The million-row path (row_parts) reads a name as name_parts does, on which the fit's patterns are learned.
    name = " ".join(words)
    parts = name_parts(name)
    row = {k: v[0] for k, v in row_parts([np.array([name], dtype=object)]).items()}
    assert bool(row["ok"]) == (parts is not None)
    if parts is not None:
        assert {k: row[k] for k in parts} == parts


def test_the_summary_and_the_audit_say_so() -> None:
    assert "made from the row's generated name" in REGENERATION_SUMMARY
    assert "made from the row's generated name" in _fake_promise("email")


_WORDS = st.one_of(
    st.sampled_from(["Dr", "Ms", "Mr.", "J.", "K", "...", "van", "O'Brien", "Robinson-Hardy", "Zoë", "Иван", "\x00"]),
    st.text(alphabet=st.characters(categories=["L", "Nd", "P", "Zs"]), min_size=1, max_size=8),
)


@settings(max_examples=80, deadline=None)
@given(
    names=st.lists(
        st.one_of(st.none(), st.just(float("nan")), st.integers(), st.lists(_WORDS, max_size=6).map(" ".join)),
        max_size=8,
    )
)
def test_a_columns_rows_are_each_read_as_on_their_own(names: list[object]) -> None:
    # row_parts splits every name of a column at once: no row may take a word of the next, whatever the names hold
    # (missing values, numbers, a NUL word like the one that marks where a row ends, several kinds of space).
    full = row_parts([np.array(names, dtype=object)])
    pairs = row_parts([np.array(names, dtype=object), np.array(names[::-1], dtype=object)])
    for i, name in enumerate(names):
        last = names[::-1][i]
        pair = name_parts(name, last) if isinstance(last, str) else None  # name_parts reads a name alone without it
        for parts, single in ((full, name_parts(name)), (pairs, pair)):
            assert bool(parts["ok"][i]) == (single is not None)
            if single is not None:
                assert {k: parts[k][i] for k in single} == single


def test_a_word_is_transliterated_once_however_many_rows_hold_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Why a million addresses take about a second of CPU, not two and more: each distinct word is read once.
    import synth.generated_emails as emails

    calls: list[str] = []
    real = emails._ascii.__wrapped__
    monkeypatch.setattr(emails, "_ascii", lambda text, *a: calls.append(text) or real(text, *a))
    names = np.array(["Dr Anna J. Schmidt", "Anna Lee", "Lee Schmidt", None] * 5_000, dtype=object)
    parts = row_parts([names])
    assert list(parts["first"][:4]) == ["anna", "anna", "lee", ""]
    assert len(calls) == len(set(calls))  # the mark between two rows' names is read too: once, not once per row
    assert set(calls) - {emails._ROW_BREAK} == {"Dr", "Anna", "J.", "Schmidt", "Lee"}


def test_addresses_not_made_from_their_row_s_name_take_the_words_of_the_table_s_names() -> None:
    """A German customer table whose e-mails do not follow their row's name (Faker de_DE's own addresses): the
    generated ones were built from en_US names ("jose_rogers@mail.test" beside "Jaroslav Ortmann-Müller"); they now
    take their words from the name column's locale lists, and still equal no real address (reserved domains). An
    en_US table draws as before."""
    from faker import Faker

    from synth.generated_locales import name_locales

    fake = Faker("de_DE")
    Faker.seed(3)
    real = pd.DataFrame({"name": [fake.name() for _ in range(1_500)], "email": [fake.email() for _ in range(1_500)]})
    fitted = _fit(real)
    names = next(p.detail for p in fitted.plans if p.detail.get("pii_type") == "name")
    assert set(names["locales"]) == {"de_DE"}
    out = fitted.sample(2_000, np.random.default_rng(1))
    lists = name_locales()["de_DE"]
    german = {
        re.sub(r"[^a-z]", "", w.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss"))
        for firsts, lasts in lists.pairs
        for w in (*firsts[0], *lasts[0])
    }
    english = {w.lower() for firsts, _ in name_locales()["en_US"].pairs for w in firsts[0]} - german

    def starts_with(words: set[str], address: str) -> bool:
        local = re.sub(r"[^a-z]", "", address.split("@")[0].split(".")[0].split("_")[0])
        return any(local.startswith(w) for w in words if len(w) >= 3)

    local_german = np.mean([starts_with(german, a) for a in out["email"]])
    local_english = np.mean([starts_with(english, a) for a in out["email"]])
    assert local_german > 0.9 and local_english < 0.3, (local_german, local_english)
    assert not set(out["email"]) & set(real["email"])
    assert out["email"].str.split("@").str[1].isin(RESERVED_EMAIL_DOMAINS).all()
    # en_US names: the e-mails' own en_US lists, the draws unchanged
    us_fake = Faker("en_US")
    us = pd.DataFrame(
        {"name": [us_fake.name() for _ in range(1_000)], "email": [us_fake.email() for _ in range(1_000)]}
    )
    us_fitted = _fit(us)
    plan = next(p for p in us_fitted.plans if p.detail.get("pii_type") == "email")
    assert us_fitted._name_locales(plan) is None
