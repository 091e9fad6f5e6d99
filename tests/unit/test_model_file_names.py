"""Model files name every saved dataclass by module and class (``synth.synthesizers.persist``): the names files
saved so far use must keep loading when a module is split and a class moves (its ``__module__`` stays pinned)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import synth
from synth.synthesizers import persist
from tests.model_files import dataclasses_named, read

#: Every state type a model file could name before the session-18 splits (base.py, privbayes.py).
SAVED_NAMES = (
    "synth.generated.GeneratedColumns",
    "synth.generated._Plan",
    "synth.schema.ColumnSpec",
    "synth.schema.Schema",
    "synth.synthesizers.base.ColumnDomain",
    "synth.synthesizers.cart.CartColumn",
    "synth.synthesizers.cart.CartStep",
    "synth.synthesizers.cart.FlatTree",
    "synth.synthesizers.derived.DerivedRule",
    "synth.synthesizers.gaussian_copula.CopulaComponent",
    "synth.synthesizers.marginals.CategoricalMarginal",
    "synth.synthesizers.marginals.ColumnMarginal",
    "synth.synthesizers.marginals.Marginals",
    "synth.synthesizers.marginals.NumericMarginal",
    "synth.synthesizers.privbayes.BinnedColumn",
    "synth.synthesizers.privbayes.NoisyTable",
    "synth.synthesizers.refinement.Refiner",
    "synth.synthesizers.residual_features.Residual",
)


def test_every_name_saved_files_use_is_still_a_loadable_type() -> None:
    for name in synth.available():
        synth.create(name)  # registers each synthesizer's state types
    for key in SAVED_NAMES:
        assert key in persist._TYPES, f"{key} no longer loads: pin the moved class's __module__ to its old module"
        assert persist._TYPES[key].__qualname__ == key.rsplit(".", 1)[1]


@pytest.mark.parametrize("name", ["independent", "privbayes"])
def test_a_saved_model_names_its_column_domains_as_before_and_loads(name: str, tmp_path: Path) -> None:
    table = pd.DataFrame({"age": [float(20 + i % 40) for i in range(200)], "group": ["a", "b", "c", "d"] * 50})
    model = synth.create(name, random_state=0).fit(table)
    path = tmp_path / "model.synth"
    model.save(path)
    manifest, _ = read(path)
    assert len(list(dataclasses_named(manifest, "synth.synthesizers.base.ColumnDomain"))) == 2
    loaded = synth.load_model(path)
    pd.testing.assert_frame_equal(loaded.sample(50, seed=3), model.sample(50, seed=3))
