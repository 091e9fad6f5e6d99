"""``import synth`` and the command line's help and quick commands leave the heavy libraries unimported.

Each public name of ``synth`` is imported from its module on first use (``synth/__init__.py``), and the
synthesizers import scikit-learn and scipy where they fit. Checked by ``sys.modules`` in a fresh interpreter, never
by timing (the README gives the measured times).
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import synth

#: What a fit, a sample or a score may import, but not ``import synth`` or ``synth --help``.
HEAVY = ("sklearn", "scipy.stats", "scipy.special", "scipy.sparse", "plotly", "sdmetrics")


def loaded_after(code: str, cwd: Path | None = None) -> list[str]:
    """Which of HEAVY, numpy, pandas and scipy a fresh interpreter has loaded after running ``code``."""
    probe = (
        f"{code}\n"
        "import json, sys\n"
        f"print(json.dumps(sorted(m for m in {(*HEAVY, 'numpy', 'pandas', 'scipy')!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300, cwd=cwd
    ).stdout
    loaded: list[str] = json.loads(out.strip().splitlines()[-1])
    return loaded


def cli(*args: str, codes: tuple[int, ...] = (0, 1)) -> str:
    """Code running the command line in this interpreter (so its ``sys.modules`` can be read afterwards), ending
    with one of the exit ``codes``."""
    return (
        "import contextlib, io\n"
        "from synth.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    try:\n"
        f"        code = main({list(args)!r})\n"
        "    except SystemExit as exc:\n"
        "        code = exc.code\n"
        f"assert code in {codes!r}, code\n"
    )


def test_import_synth_imports_no_library_at_all() -> None:
    code = (
        "import sys, synth\n"
        "top = {m.split('.')[0] for m in sys.modules if not m.startswith('_')}\n"
        "assert top - set(sys.stdlib_module_names) == {'synth'}, sorted(top - set(sys.stdlib_module_names))\n"
    )
    assert loaded_after(code) == []


def test_the_synthesizer_registry_imports_no_sklearn_or_scipy() -> None:
    loaded = loaded_after("import synth\nassert 'pruned_cart' in synth.available()")
    assert not set(loaded) & {*HEAVY, "scipy"}, loaded


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("split", "--help"),
        ("fit", "--help"),
        ("sample", "--help"),
        ("schema", "--help"),
        ("evaluate", "--help"),
    ],
)
def test_command_line_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    loaded = loaded_after(cli(*args))
    assert not set(loaded) & {*HEAVY, "scipy"}, loaded


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("split", "--help"),
        ("sample", "--help"),
        ("schema", "--help"),
        ("evaluate", "--help"),
        ("fit", "t.csv"),  # no -o: argparse's usage error
        ("sample", "m.synth", "--rows", "0", "-o", "out.parquet"),  # a count checked before any work
    ],
)
def test_help_and_wrong_arguments_import_no_pandas_or_numpy(args: tuple[str, ...]) -> None:
    """`synth --help`, the help of every command but fit, and arguments refused before any work import neither
    pandas nor numpy (nor scikit-learn): they used to load the synthesizer registry for fit's list of names and
    the sampling module for two default sizes, 0.6 s of CPU for a page of text."""
    assert loaded_after(cli(*args, codes=(0, 2))) == []


def test_fit_help_still_lists_every_synthesizer(capsys: pytest.CaptureFixture[str]) -> None:
    """The list is filled in when fit's help is shown (the only help that loads the registry)."""
    from synth.cli import main

    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(name in text for name in synth.available()) and "{synthesizers}" not in text


def test_quick_commands_import_no_heavy_library(tmp_path: Path) -> None:
    """A mistake found before any work (a missing input) and `synth schema` import neither sklearn nor scipy."""
    pd.DataFrame({"age": [31, 45, 27, 60], "city": ["Oslo", "Rome", "Oslo", "Lima"]}).to_csv(
        tmp_path / "t.csv", index=False
    )
    for args in (("fit", "missing.csv", "-o", "m.synth"), ("schema", "t.csv", "-o", "schema.json")):
        loaded = loaded_after(cli(*args), cwd=tmp_path)
        assert not set(loaded) & {*HEAVY, "scipy"}, (args, loaded)
    assert (tmp_path / "schema.json").exists()


def test_a_fit_still_imports_what_it_needs() -> None:
    """The lazy imports are reached: a CART fit loads scikit-learn, a Gaussian copula fit scipy.special."""
    code = (
        "import numpy as np, pandas as pd, synth\n"
        "df = pd.DataFrame({'x': np.random.default_rng(0).normal(size=200), 'g': ['a', 'b'] * 100})\n"
        "synth.create('cart').fit(df, synth.infer_schema(df))\n"
        "synth.create('gaussian_copula').fit(df, synth.infer_schema(df)).sample(10, seed=0)\n"
    )
    assert {"sklearn", "scipy.special"} <= set(loaded_after(code))


# ---------------------------------------------------------------------------------------- the lazy names
def test_every_public_name_is_the_object_of_its_module() -> None:
    assert sorted(synth.__all__) == sorted(synth._MODULE_OF)
    assert set(synth.__all__) <= set(dir(synth))
    for name in synth.__all__:
        assert getattr(synth, name) is getattr(importlib.import_module(synth._MODULE_OF[name]), name), name


def test_the_type_checking_imports_are_the_lazy_names() -> None:
    """mypy reads the `if TYPE_CHECKING:` imports, the interpreter _EXPORTS: both name the same modules."""
    tree = ast.parse(Path(synth.__file__).read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    static = {
        node.module: tuple(sorted(a.name for a in node.names))
        for node in block.body
        if isinstance(node, ast.ImportFrom)
    }
    assert static == {module: tuple(sorted(names)) for module, names in synth._EXPORTS.items()}


def test_a_submodule_imported_first_does_not_hide_the_function_of_its_name() -> None:
    """`synth.audit`, `synth.split` and `synth.race` stay the functions even when their modules load first."""
    code = (
        "import synth.audit.findings, synth.split, synth.report.race, synth\n"
        "import types\n"
        "for name in ('audit', 'split', 'race'):\n"
        "    assert isinstance(getattr(synth, name), types.FunctionType), (name, getattr(synth, name))\n"
        "assert synth.report.__name__ == 'synth.report'  # a subpackage is still reachable\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_subpackages_are_attributes_as_before_and_unknown_names_fail() -> None:
    code = (
        "import synth\n"
        "assert synth.synthesizers.get('cart').name == 'cart'\n"
        "try:\n"
        "    synth.no_such_name\n"
        "except AttributeError as exc:\n"
        "    assert 'no_such_name' in str(exc)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)
