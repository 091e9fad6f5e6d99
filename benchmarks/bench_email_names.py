"""Do generated e-mails follow the generated name of their row, as the real ones do? (:mod:`synth.generated_emails`)

For the HR walk table (``benchmarks.walk_tables.hr``: work e-mails ``ms.andrea.horton@acme-corp.de``), the shop walk
table (``zoë.1606@example.org``) and a seeded Faker table of US and German names whose addresses follow the name in
a known mix (:func:`faker_table`): the share of rows whose e-mail follows the name (any pattern of
:data:`synth.generated_emails.TEMPLATES`), real, generated before (the e-mail column fitted without its patterns) and
after; the patterns a fit keeps; the fit's time for the patterns and the time to make a million addresses.

    PYTHONPATH=. python -m benchmarks.bench_email_names [out.json]
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from synth.generated import GeneratedColumns, _Plan, fake_values
from synth.generated_emails import emails_following, follows, pattern_shares
from synth.schema.inference import infer_schema

#: The Faker table's mix: how each row's address is made from its name (the rest: an unrelated Faker address).
MIX = {
    "{first}.{last}": 0.40,
    "{f}{last}": 0.15,
    "{first}_{last}{##}": 0.15,
    "{first}{last}": 0.10,
    "{last}.{first}": 0.05,
}


def faker_table(n: int = 4_000, seed: int = 0, german: float = 0.3) -> pd.DataFrame:
    """Names (en_US, and de_DE for ``german`` of the rows: Jürgen Müller) with e-mails made from them in
    :data:`MIX` at common and a few rare domains; seeded."""
    from faker import Faker

    rng = np.random.default_rng(seed)
    fakers = {code: Faker(code) for code in ("en_US", "de_DE")}
    for i, faker in enumerate(fakers.values()):
        faker.seed_instance(seed + i)
    domains = ["gmail.com", "web.de", "outlook.com", "acme.example"]
    names, emails = [], []
    patterns = [*MIX, None]
    probs = [*MIX.values(), 1 - sum(MIX.values())]
    for i in range(n):
        faker = fakers["de_DE" if rng.random() < german else "en_US"]
        first, last = faker.first_name(), faker.last_name()
        names.append(f"{first} {last}")
        pattern = patterns[rng.choice(len(patterns), p=probs)]
        domain = f"rare{i}.example" if i < 3 else domains[rng.integers(0, len(domains))]
        if pattern is None:
            emails.append(fakers["en_US"].email())
            continue
        ascii_first = first.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
        ascii_last = last.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
        local = (
            pattern.replace("{first}", ascii_first.replace(" ", ""))
            .replace("{last}", ascii_last.replace(" ", ""))
            .replace("{f}", ascii_first[:1])
            .replace("{##}", str(rng.integers(10, 100)))
        )
        emails.append(f"{local}@{domain}")
    return pd.DataFrame({"name": names, "email": emails, "spend": np.round(rng.gamma(2.0, 40.0, n), 2)})


def following_share(emails: Any, names: Any) -> float:
    """Share of rows whose e-mail follows the row's name."""
    return float(np.mean([follows(e, nm) is not None for e, nm in zip(emails, names, strict=True)]))


def measure(label: str, data: pd.DataFrame, email: str, name: str, n: int = 5_000) -> dict[str, Any]:
    schema = infer_schema(data)
    started = time.perf_counter()
    kept = pattern_shares(data, email, {s.name: s.pii_type for s in schema if s.pii_type})
    pattern_seconds = time.perf_counter() - started
    fitted = GeneratedColumns.fit(data, schema)
    without = GeneratedColumns(
        tuple(
            _Plan(p.name, p.kind, p.missing_rate, {k: v for k, v in p.detail.items() if k != "email_names"})
            for p in fitted.plans
        )
    )
    after = fitted.sample(n, np.random.default_rng(1))
    before = without.sample(n, np.random.default_rng(1))
    return {
        "table": label,
        "kinds": {c: (s.kind.name, s.pii_type) for s in schema for c in (email, name) if s.name == c},
        "patterns": kept,
        "real": following_share(data[email], data[name]),
        "before": following_share(before[email], before[name]),
        "after": following_share(after[email], after[name]),
        "pattern_fit_s": round(pattern_seconds, 2),
        "example": after[[name, email]].head(4).values.tolist(),
    }


def million() -> dict[str, float]:
    """Seconds for a million addresses made from a million generated names (wall and CPU), and for the usual fakes
    alone."""
    n = 1_000_000
    names = fake_values("name", n, np.random.default_rng(0))
    started = time.perf_counter()
    fallback = fake_values("email", n, np.random.default_rng(1))
    plain = time.perf_counter() - started
    stored = (["name"], list(MIX), np.array(list(MIX.values())))
    started, cpu = time.perf_counter(), time.process_time()
    emails_following(stored, [names], fallback, ["example.com"], np.random.default_rng(2))
    return {
        "fakes_s": round(plain, 2),
        "following_s": round(time.perf_counter() - started, 2),
        "following_cpu_s": round(time.process_time() - cpu, 2),  # what the load of other runs changes least
    }


def main() -> None:
    from benchmarks.walk_tables import hr, shop_orders

    results = [
        measure("hr (walk)", hr(), "work_email", "full_name"),
        measure("shop orders (walk)", shop_orders(), "email", "customer"),
        measure("faker en_US + de_DE", faker_table(), "email", "name"),
    ]
    print(f"{'table':22} {'real':>7} {'before':>7} {'after':>7} {'fit s':>6}  patterns kept")
    for r in results:
        kept = r["patterns"]["patterns"] if r["patterns"] else {}
        print(
            f"{r['table']:22} {r['real']:7.1%} {r['before']:7.1%} {r['after']:7.1%} {r['pattern_fit_s']:6.2f}  {kept}"
        )
    timing = million()
    print(
        f"a million addresses: usual fakes {timing['fakes_s']} s, made from the names +{timing['following_s']} s"
        f" ({timing['following_cpu_s']} s of CPU)"
    )
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as out:
            json.dump({"tables": results, "million": timing}, out, indent=1, default=str)


if __name__ == "__main__":
    main()
