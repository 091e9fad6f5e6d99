"""Schema files and run manifests are user input: any JSON gets the project's error, never a raw one.

The Data page's schema upload ended in an AttributeError for a document that is a list, null, a number or a string,
in a RecursionError for "[[[[…" a few thousand deep, and in a TypeError where it sorts the names when a name was a
number; the Report page's manifest upload in the same RecursionError.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth import Schema
from synth.report.manifest import ManifestError, read_manifest

DEEP = "[" * 100_000 + "]" * 100_000

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
_FIELDS = ("name", "kind", "reason", "dtype", "sensitive", "quasi_identifier", "pii_type", "datetime_format")
_COLUMN = st.fixed_dictionaries(
    {"name": st.text(max_size=5) | _JSON, "kind": st.sampled_from(["continuous", "categorical", "pii"]) | _JSON},
    optional={key: _JSON for key in _FIELDS[2:]},
)


@pytest.mark.parametrize("document", ["[]", "null", "5", '"columns"', "true", DEEP])
def test_a_document_that_is_no_schema_is_a_value_error_saying_so(document: str) -> None:
    with pytest.raises(ValueError, match=r"schema|nests too deep") as caught:
        Schema.from_json(document)
    assert type(caught.value) is ValueError


@pytest.mark.parametrize(
    ("column", "said"),
    [
        ({"name": 5, "kind": "categorical"}, "'name' must be text, not 5"),
        ({"name": ["x"], "kind": "categorical"}, "'name' must be text"),
        ({"name": "a", "kind": "categorical", "sensitive": "yes"}, "'sensitive' must be true or false, not 'yes'"),
        ({"name": "a", "kind": "pii", "pii_type": ["email"]}, "'pii_type' must be text or null"),
        ({"name": "a", "kind": "datetime", "datetime_format": 5}, "'datetime_format' must be text or null"),
        ({"name": "a", "kind": "categorical", "reason": None}, "'reason' must be text"),
    ],
)
def test_a_field_of_the_wrong_type_is_named(column: dict[str, Any], said: str) -> None:
    with pytest.raises(ValueError, match=said.replace("[", r"\[")):
        Schema.from_dict({"columns": [column]})


@settings(max_examples=200, deadline=None)
@given(document=_JSON | st.fixed_dictionaries({"columns": st.lists(_COLUMN, max_size=3)}))
def test_any_json_reads_as_a_schema_or_a_value_error(document: Any) -> None:
    """Whatever a schema file holds, reading it gives a schema of text names or a ValueError (the Data page shows
    its message and keeps the schema it had)."""
    try:
        schema = Schema.from_json(json.dumps(document))
    except ValueError:
        return
    assert all(isinstance(c.name, str) and isinstance(c.sensitive, bool) for c in schema)


def test_a_manifest_nested_thousands_deep_is_a_manifest_error() -> None:
    with pytest.raises(ManifestError, match="not a readable run manifest"):
        read_manifest(DEEP.encode())
