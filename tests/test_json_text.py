"""formatting.json_text writes exactly what json.dumps(indent=2) writes, faster."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.formatting import json_text

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_KEYS = (
    st.text()
    | st.integers()
    | st.booleans()
    | st.none()
    | st.floats(allow_nan=False, allow_infinity=False)
)
_DOCS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_KEYS, inner, max_size=4)
    ),
    max_leaves=30,
)


def _reference(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False, default=str)


@settings(max_examples=150, deadline=None)
@given(_DOCS)
def test_the_text_is_json_dumps_with_indent_2(value: Any) -> None:
    assert json_text(value) == _reference(value)


def test_records_objects_and_empty_containers() -> None:
    document = {
        "status": "optimal",
        "rows": [{"a": 1.5, "b": "x\u202ey", "c": None, "d": dt.date(2026, 1, 2)}] * 3,
        "empty": [[], {}, ()],
        "numpy": [np.float64(0.1), np.int64(3), np.bool_(True)],
        2: {"nested": {"deeper": [1, [2, {"x": []}]]}},
    }
    assert json_text(document) == _reference(document)


def test_strings_that_look_like_record_joins_stay_as_they_are() -> None:
    tricky = ["},\n    {", "}, {", "{", "}", '"}', "a\nb", "\u2028"]
    document = {"rows": [{"a": text, "b": {"x"}.pop()} for text in tricky] * 2}
    assert json_text(document) == _reference(document)
    assert json_text([{"a": 1}, {"b": [1]}]) == _reference([{"a": 1}, {"b": [1]}])


def test_nan_is_refused_as_json_dumps_refuses_it() -> None:
    with pytest.raises(ValueError):
        json_text({"rows": [{"a": float("nan")}]})
