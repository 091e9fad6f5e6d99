"""Generated IP addresses: as distinct as the real ones, in their kinds of range by share, never a real address."""

from __future__ import annotations

import ipaddress
import re

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import example, given, settings
from hypothesis import strategies as st

from synth.generated import GeneratedColumns
from synth.generated_ips import RANGES, fake_ips_in, ip_ranges, stored_ip_ranges
from synth.schema import ColumnKind, ColumnSpec, Schema

_SCHEMA = Schema((ColumnSpec("ip", ColumnKind.PII, pii_type="ip"),))


def _kind(value: str) -> str:
    address = ipaddress.ip_address(value)
    if address.version == 6:
        return "v6"
    for kind, networks in RANGES.items():
        if kind != "public" and any(address in ipaddress.ip_network(net) for net in networks):
            return kind
    return "public"


def _real(counts: dict[str, int], distinct_share: float, seed: int) -> pd.Series:
    """A real IP column: Faker's private addresses of each range, public ones and IPv6, ``distinct_share`` of the
    rows distinct (the others repeat them)."""
    faker = Faker("en_US")
    faker.seed_instance(seed)
    make = {
        "10/8": lambda: faker.ipv4_private(address_class="a"),
        "172.16/12": lambda: faker.ipv4_private(address_class="b"),
        "192.168/16": lambda: faker.ipv4_private(address_class="c"),
        "public": faker.ipv4_public,
        "v6": faker.ipv6,
    }
    rng = np.random.default_rng(seed)
    values: list[str] = []
    for kind, count in counts.items():
        if count == 0:
            continue
        own = [make[kind]() for _ in range(max(1, round(count * distinct_share)))]
        values += own + list(rng.choice(own, count - len(own)))
    return pd.Series(values, name="ip").sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _sample(real: pd.Series, n: int, seed: int) -> pd.Series:
    return GeneratedColumns.fit(real.to_frame(), _SCHEMA).sample(n, np.random.default_rng(seed))["ip"]


def test_the_hr_walks_private_logins_come_back_as_distinct_and_private() -> None:
    # The walk's 2,400 logins held 2,397 distinct private addresses; documentation-range fakes held 721.
    real = _real({"10/8": 800, "172.16/12": 800, "192.168/16": 800}, 1.0, 7)
    out = _sample(real, len(real), 0)
    assert out.nunique() >= 0.98 * len(out), out.nunique()
    assert out.map(lambda v: ipaddress.ip_address(v).is_private).all()
    kinds = out.map(_kind).value_counts(normalize=True)
    assert (kinds - 1 / 3).abs().max() < 0.05, kinds.to_dict()
    assert not set(out) & set(real)


def test_a_repeated_address_repeats_about_as_often() -> None:
    # 150 offices' gateways over 2,400 logins: about 150 distinct addresses come back, not 2,400.
    real = _real({"10/8": 1_200, "192.168/16": 1_200}, 150 / 2_400, 3)
    out = _sample(real, len(real), 1)
    assert abs(out.nunique() - real.nunique()) <= 0.15 * real.nunique(), (out.nunique(), real.nunique())


def test_public_addresses_become_addresses_no_host_has() -> None:
    real = _real({"public": 1_500, "v6": 500}, 1.0, 4)
    out = _sample(real, 4_000, 2)
    addresses = out.map(ipaddress.ip_address)
    assert not addresses.map(lambda a: a.is_global).any(), "documentation and benchmarking ranges only"
    v6 = addresses.map(lambda a: a.version == 6)
    assert abs(v6.mean() - 0.25) < 0.04
    assert addresses[v6].map(lambda a: a in ipaddress.ip_network("2001:db8::/32")).all()


_KINDS = st.dictionaries(
    st.sampled_from(["10/8", "172.16/12", "192.168/16", "public", "v6"]),
    st.one_of(st.integers(1, 19), st.integers(100, 700)),
    min_size=1,
).filter(lambda d: sum(d.values()) >= 100)


@settings(max_examples=15, deadline=None)
@given(counts=_KINDS, distinct_share=st.sampled_from([0.05, 0.5, 1.0]), seed=st.integers(0, 2**16))
def test_no_generated_address_is_real_and_each_kind_keeps_its_share(
    counts: dict[str, int], distinct_share: float, seed: int
) -> None:
    # Attack: real addresses dense in small ranges (192.168/16 holds 65,536), repeated or not; a sample five times
    # the real size must hold none of them, in any kind of range.
    real = _real(counts, distinct_share, seed)
    out = _sample(real, 5 * len(real), seed)
    assert out.notna().all() and not set(out) & set(real)
    kept = {kind for kind, count in counts.items() if count >= 20}
    got = out.map(_kind).value_counts(normalize=True)
    assert set(got.index) <= kept | {"public"}, "a kind of range under 20 rows is drawn among the others"
    if distinct_share < 1.0:
        return  # rows repeat a pool of fewer addresses: their kinds' shares are the pool's, noisier
    total = sum(counts[k] for k in kept)
    for kind in kept:
        assert abs(got.get(kind, 0.0) - counts[kind] / total) < 0.05, (kind, got.to_dict(), counts)


def test_blocks_already_used_by_another_ip_column_are_not_kept() -> None:
    # Every block of 192.168/16 but a few is used by the *other* IP column: the fakes of this one avoid it too.
    rng = np.random.default_rng(0)
    used = pd.Series([f"192.168.{i}.{rng.integers(1, 255)}" for i in range(4, 256) for _ in range(40)])
    own = pd.Series([f"192.168.{rng.integers(0, 4)}.{rng.integers(1, 255)}" for _ in range(300)])
    ranges = ip_ranges(own, used)
    assert ranges is not None
    out = fake_ips_in(ranges, 3_000, np.random.default_rng(1))
    assert not set(out) & set(used) and not set(out) & set(own)


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {"blocks": [[1.0, "public", 256, [8 * 2**16 + 8 * 2**8]]], "v6": 0.0},  # 8.8.8.0/24: a real host's block
        {"blocks": [[1.0, "10/8", 256, [655_400]]], "v6": 0.0, "distinct": 0, "rows": 10},
        {"blocks": [[1.0, "10/8", 100, [655_400]]], "v6": 0.0},  # a block size no fit uses
        {"blocks": [[float("nan"), "10/8", 256, [655_400]]], "v6": 0.0},
        {"blocks": [[1.0, "10/8", 256, [True]]], "v6": 0.0},
        {"blocks": [], "v6": 0.0},
    ],
)
def test_crafted_ip_ranges_are_refused_and_fall_back_to_documentation_addresses(stored: object) -> None:
    assert stored_ip_ranges(stored) is None
    with pytest.raises(ValueError):
        fake_ips_in(stored, 10, np.random.default_rng(0))
    plan = GeneratedColumns.fit(_real({"10/8": 100}, 1.0, 0).to_frame(), _SCHEMA).plans[0]
    crafted = GeneratedColumns((type(plan)(plan.name, plan.kind, 0.0, {**plan.detail, "ip_ranges": stored}),))
    out = crafted.sample(200, np.random.default_rng(0))["ip"]
    assert out.str.match(r"(192\.0\.2|198\.51\.100|203\.0\.113)\.").all()


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.tuples(*[st.integers(0, 300)] * 4).map(lambda t: ".".join(map(str, t))),
            st.ip_addresses().map(str),
            st.text(alphabet="0123456789.:abcdef ", max_size=16),
        ),
        max_size=40,
    )
)
@example(values=["010.1.2.3", "1.2.3", "1.2.3.4.5", "::ffff:1.2.3.4", " 8.8.8.8 ", "999.1.1.1"])
def test_addresses_are_read_as_the_ipaddress_module_reads_them(values: list[str]) -> None:
    from synth.generated_ips import _parse

    v4, v6 = _parse(pd.Series(values, dtype=object))
    for value, number, six in zip(values, v4, v6, strict=True):
        try:
            address = ipaddress.ip_address(value.strip())
        except ValueError:
            padded = re.fullmatch(r"\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\s*", value)
            if padded and all(int(p) <= 255 for p in padded.groups()):  # "010.1.2.3": read as 10.1.2.3, so its
                assert number == int(ipaddress.ip_address(".".join(str(int(p)) for p in padded.groups())))
                continue  # block counts as used (the module rejects leading zeros)
            assert number == -1 and not six, value
            continue
        assert (number, six) == ((int(address), False) if address.version == 4 else (-1, True)), value


def test_the_fit_time_estimate_counts_an_ip_column_as_read_value_by_value() -> None:
    from synth.generated import reads_every_value

    real = _real({"10/8": 100}, 1.0, 0)
    assert reads_every_value(_SCHEMA["ip"], real)
    assert not reads_every_value(ColumnSpec("ip", ColumnKind.PII, pii_type="name"), real)


@settings(max_examples=40, deadline=None)
@given(seconds=st.lists(st.integers(0, 100 * 3600), min_size=60, max_size=200), colon_times=st.booleans())
def test_durations_and_clock_times_are_not_ip_addresses(seconds: list[int], colon_times: bool) -> None:
    """Session 40: a call centre's durations ("00:04:31") matched the IPv6 shape (hex groups and colons) and were
    regenerated as IP addresses (198.51.100.213), the durations lost. Whatever the hours, they are not addresses; a
    column of real IPv6 addresses still is."""
    import synth
    from synth.schema.pii import ip_share

    written = [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in seconds]
    if colon_times:  # times of day without seconds: "14:35"
        written = [f"{s // 3600 % 24:02d}:{s % 60:02d}" for s in seconds]
    assert ip_share(written) == 0.0
    spec = synth.infer_schema(pd.DataFrame({"duration": written}))["duration"]
    assert spec.pii_type != "ip", spec


def test_ipv6_addresses_are_still_found() -> None:
    import synth

    faker = Faker()
    faker.seed_instance(3)
    values = [faker.ipv6() for _ in range(300)] + ["2001:db8::1", "::1", "fe80::1ff:fe23:4567:890a"]
    spec = synth.infer_schema(pd.DataFrame({"addr": values}))["addr"]
    assert spec.kind is ColumnKind.PII and spec.pii_type == "ip", spec
