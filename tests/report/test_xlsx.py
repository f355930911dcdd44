"""tables.xlsx cell by cell: text stays text, numbers keep their unit's format, NaN stays empty."""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from riskengine.report.xlsx import write_workbook

ODD = pd.DataFrame(
    {
        "name": ["=A1", "#N/A", "a\x01b", None, "plain"],
        "flag": [True, False, np.bool_(True), None, False],
        "mixed": [np.int64(3), np.float64(2.5), "7", np.nan, pd.NA],
        "capacity_t": [1.0, np.nan, 3.5, 4.0, 5.0],
        "top_share": [np.nan, 0.25, np.nan, 0.5, 1.0],
    }
)


def test_cells_keep_their_kind_and_format(tmp_path):
    path = write_workbook({"odd": ODD}, tmp_path / "t.xlsx")
    sheet = load_workbook(path)["odd"]
    rows = [[(c.value, c.data_type, c.number_format) for c in row] for row in sheet.iter_rows()]
    assert [v for v, _, _ in rows[0]] == list(ODD.columns)
    assert rows[1] == [
        ("=A1", "s", "General"),
        (True, "b", "General"),
        (3, "n", "0.00"),
        (1, "n", "#,##0.0"),
        (None, "n", "General"),
    ]
    assert rows[2][0] == ("#N/A", "s", "General") and rows[2][2] == (2.5, "n", "0.00")
    assert rows[2][4] == (0.25, "n", "0.0%")
    assert rows[3][0][0] == "a\ufffdb" and rows[3][2] == ("7", "s", "General")
    assert [v for v, _, _ in rows[4]] == [None, None, None, 4, 0.5]
    assert sheet["A2"].quotePrefix and not sheet["E6"].quotePrefix


def test_same_tables_give_the_same_bytes(tmp_path):
    first = write_workbook({"odd": ODD, "empty": ODD.head(0)}, tmp_path / "a.xlsx")
    second = write_workbook({"odd": ODD, "empty": ODD.head(0)}, tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()


def test_readable_headers_keep_the_units_number_formats(tmp_path):
    from riskengine.report.xlsx import header_label

    assert header_label("purchase_cost_usd") == "purchase cost (USD)"
    assert header_label("price_usd_per_kg") == "price (USD/kg)"
    assert header_label("demand_t") == "demand (t)"
    assert header_label("hhi_wgi_t") == "hhi wgi t"  # an index, not tonnes
    assert header_label("china_share") == "china share"
    path = write_workbook(
        {"odd": ODD}, tmp_path / "r.xlsx", readable=True, headers={"odd": {"name": "supplier"}}
    )
    sheet = load_workbook(path)["odd"]
    assert [c.value for c in sheet[1]] == ["supplier", "flag", "mixed", "capacity (t)", "top share"]
    assert sheet["D2"].number_format == "#,##0.0" and sheet["E3"].number_format == "0.0%"
