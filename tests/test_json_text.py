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


_CELLS = st.sampled_from(["float", "int", "bool", "text", "nullable", "date"])


def _column(kind: str, n: int, data: st.DataObject) -> Any:
    import pandas as pd

    if kind == "float":
        floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
        return np.array(data.draw(st.lists(floats, min_size=n, max_size=n)), dtype=float)
    if kind == "int":
        return np.array(data.draw(st.lists(st.integers(-(2**53), 2**53), min_size=n, max_size=n)))
    if kind == "bool":
        return np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "text":
        return data.draw(st.lists(st.none() | st.text(), min_size=n, max_size=n))
    if kind == "nullable":
        values = data.draw(st.lists(st.none() | st.integers(-1000, 1000), min_size=n, max_size=n))
        return pd.array(values, dtype="Int64")
    days = data.draw(st.lists(st.none() | st.dates(), min_size=n, max_size=n))
    return pd.to_datetime(pd.Series(days, dtype=object))


@settings(max_examples=120, deadline=None)
@given(st.lists(_CELLS, min_size=1, max_size=5), st.integers(0, 4), st.data())
def test_a_dataframe_is_written_as_its_records(
    kinds: list[str], n: int, data: st.DataObject
) -> None:
    """json_text writes a DataFrame (the CLI's fast path) as json.dumps writes its records."""
    import pandas as pd

    from riskengine.formatting import frame_records

    frame = pd.DataFrame({f"c{i}_{kind}": _column(kind, n, data) for i, kind in enumerate(kinds)})
    document = {"head": 1, "table": frame, "nested": [{"t": frame}]}
    records = frame_records(frame)
    assert json_text(document) == _reference(
        {"head": 1, "table": records, "nested": [{"t": records}]}
    )
    assert len(records) == n
    for row, (_, expected) in zip(records, frame.iterrows(), strict=True):
        for key, value in row.items():
            if value is None:
                assert pd.isna(expected[key]) or not np.isfinite(expected[key])
            elif isinstance(value, float):
                assert value == pytest.approx(float(expected[key]), rel=1e-9, abs=1e-10)
