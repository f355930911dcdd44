"""key_codes: integer keys equal across frames exactly where the key columns are equal."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.optimise.variables import key_codes

_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["S1", "S2", "s1", "", "日本"]),
        st.sampled_from(["dy", "tb"]),
        st.sampled_from([2026, 2027]) | st.none(),
    ),
    max_size=12,
)


def _frame(rows: list[tuple[str, str, int | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["supplier_id", "commodity", "year"]).astype(
        {"year": "Int64"}
    )


@settings(max_examples=200, deadline=None)
@given(_ROWS, _ROWS)
def test_keys_are_equal_exactly_where_the_rows_are(left: list, right: list) -> None:
    a, b = _frame(left), _frame(right)
    ka, kb = key_codes(["supplier_id", "commodity", "year"], a, b)
    assert ka.dtype == np.int64 and len(ka) == len(a) and len(kb) == len(b)
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in [*left, *right]]
    keys = [*ka.tolist(), *kb.tolist()]
    for i in range(len(rows)):
        for j in range(len(rows)):
            assert (keys[i] == keys[j]) == (rows[i] == rows[j])


def test_many_distinct_values_do_not_overflow() -> None:
    n = 200_000
    frame = pd.DataFrame({c: np.arange(n) for c in "abcd"})
    shuffled = frame.sample(frac=1.0, random_state=0)
    (keys,) = key_codes(list("abcd"), frame)
    assert len(np.unique(keys)) == n
    back = pd.Index(keys).get_indexer(key_codes(list("abcd"), frame, shuffled)[1])
    assert np.array_equal(back, shuffled.index.to_numpy())
