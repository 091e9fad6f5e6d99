"""Column kinds, their inference (personal data and identifiers found by content), and output conformance.

* :mod:`synth.schema.kinds`: :class:`ColumnKind`, :class:`ColumnSpec` and the editable :class:`Schema`.
* :mod:`synth.schema.inference`: :func:`infer_schema` — every kind with the reason for it; a number column's kind
  and the range its reason states in :mod:`synth.schema.number_kinds`, the places it was recorded at in
  :mod:`synth.schema.recorded_places`.
* :mod:`synth.schema.pii`: personal data (e-mail, phone, names, SSN, card, address, IP) and identifiers
  (codes such as ``CUST00524``, mostly-unique columns) recognised by their values, whatever the column name.
* :mod:`synth.schema.dates`: the format that reads dates written as text or numbers.
* :mod:`synth.schema.number_text`: numbers written as text (``"$1,234.50"``, ``"12%"``): their layout, read and
  written back.
* :mod:`synth.schema.text_templates`: short free text whose numbers vary ("Rechnung 4711") read as its templates
  ("Rechnung ####").
* :mod:`synth.schema.conformance`: reading columns as the schema says and casting synthetic output back.
"""

from synth.schema.conformance import (
    SchemaMismatchError,
    coerce_to_schema,
    conform,
    numeric_values,
    parse_datetimes,
    read_numbers,
)
from synth.schema.dates import detect_datetime_format, integer_date_format
from synth.schema.inference import SAMPLE_SIZE, infer_column, infer_schema, suggest_flags
from synth.schema.kinds import (
    EPOCH_MILLISECONDS,
    EPOCH_SECONDS,
    ISO8601,
    KIND_LABELS,
    MODELLED_KINDS,
    PII_TYPES,
    TEMPLATED_LABEL,
    ColumnKind,
    ColumnSpec,
    Schema,
    kind_choices,
    kind_label,
)
from synth.schema.number_text import NumberFormat, NumberFormatError, detect_number_format

__all__ = [
    "EPOCH_MILLISECONDS",
    "EPOCH_SECONDS",
    "ISO8601",
    "KIND_LABELS",
    "MODELLED_KINDS",
    "PII_TYPES",
    "SAMPLE_SIZE",
    "TEMPLATED_LABEL",
    "ColumnKind",
    "ColumnSpec",
    "NumberFormat",
    "NumberFormatError",
    "Schema",
    "SchemaMismatchError",
    "coerce_to_schema",
    "conform",
    "detect_datetime_format",
    "detect_number_format",
    "infer_column",
    "infer_schema",
    "integer_date_format",
    "kind_choices",
    "kind_label",
    "numeric_values",
    "parse_datetimes",
    "read_numbers",
    "suggest_flags",
]
