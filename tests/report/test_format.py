"""Rounding and formula neutralisation, the building blocks of deterministic, safe outputs."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from riskengine.formatting import (
    is_formula_like,
    json_ready,
    neutralise_csv,
    round_frame,
    round_value,
)
from riskengine.report.run import folder_stem


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_rounding_is_idempotent_and_close(value):
    once = round_value(value)
    assert round_value(once) == once
    assert math.isclose(once, value, rel_tol=1e-9, abs_tol=1e-6)


def test_rounding_removes_solver_noise_and_negative_zero():
    assert round_value(-7.450581e-09) == 0.0
    assert math.copysign(1.0, round_value(-1e-12)) == 1.0
    assert round_value(1126839847.3456789) == 1126839847.0
    assert math.isnan(round_value(float("nan")))


def test_neutralise_quotes_formula_text_but_not_numbers():
    frame = pd.DataFrame(
        {
            "name": ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "plain", None],
            "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    out = neutralise_csv(frame)
    assert out["name"].tolist()[:6] == ["'=1+2", "'+1", "'-2", "'@SUM(A1)", "'\tx", "plain"]
    assert out["value"].tolist() == frame["value"].tolist()
    assert is_formula_like("=x") and not is_formula_like("x=")


def test_round_frame_rounds_floats_only():
    frame = pd.DataFrame({"a": [0.1 + 0.2], "b": ["0.30000000000000004"], "c": [3]})
    out = round_frame(frame)
    assert out["a"].iloc[0] == 0.3 and out["b"].iloc[0] == "0.30000000000000004"


def test_json_ready_converts_numpy_and_nan():
    import numpy as np

    doc = json_ready(
        {
            "x": np.float64(1 / 3),
            "n": np.int64(2),
            "nan": float("nan"),
            "flag": np.bool_(True),
            1: [np.float32(0.5)],
        }
    )
    assert doc == {"x": 0.333333, "n": 2, "nan": None, "flag": True, "1": [0.5]}


def test_folder_stem_keeps_only_safe_characters():
    from datetime import datetime

    stem = folder_stem(datetime(2026, 1, 2, 3, 4, 5), "../<evil> name")
    assert stem == "20260102-030405-evil_name"
