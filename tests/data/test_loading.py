"""Loading CSV folders and xlsx workbooks; inputs are never modified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from riskengine import DataError, generate_dataset, load_dataset, write_dataset
from riskengine.data import TABLES


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_round_trip_of_generated_data(tmp_path):
    data = generate_dataset(n_offers=140, seed=3)
    loaded = load_dataset(write_dataset(data, tmp_path))
    pd.testing.assert_frame_equal(loaded.suppliers, data.suppliers, check_dtype=False)
    assert loaded.lines["suppliers"][:3] == (2, 3, 4)


def test_bom_and_crlf_load_like_plain_files(data_dir, tmp_path):
    plain = load_dataset(data_dir)
    for path in data_dir.iterdir():
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    converted = load_dataset(data_dir)
    assert converted.table_names == plain.table_names
    for name in plain.table_names:
        pd.testing.assert_frame_equal(converted.table(name), plain.table(name))


def test_loading_never_modifies_inputs(data_dir):
    before = _hashes(data_dir)
    load_dataset(data_dir)
    assert _hashes(data_dir) == before


def test_extra_columns_are_kept(data_dir):
    path = data_dir / "suppliers.csv"
    frame = pd.read_csv(path, dtype=str)
    frame["contract_ref"] = '=HYPERLINK("x")'
    frame.to_csv(path, index=False)
    assert (load_dataset(data_dir).suppliers["contract_ref"] == '=HYPERLINK("x")').all()


def test_xlsx_workbook_with_one_sheet_per_table(data_dir, tmp_path):
    book = tmp_path / "tables.xlsx"
    with pd.ExcelWriter(book) as writer:
        for spec in (t for t in TABLES if not t.optional):
            frame = pd.read_csv(data_dir / spec.file, dtype=str, keep_default_na=False)
            frame.to_excel(writer, sheet_name=spec.name, index=False)
    from_book = load_dataset(book)
    from_csv = load_dataset(data_dir)
    pd.testing.assert_frame_equal(from_book.suppliers, from_csv.suppliers)


def test_xlsx_problem_names_sheet_and_row(data_dir, tmp_path):
    book = tmp_path / "tables.xlsx"
    with pd.ExcelWriter(book) as writer:
        for spec in (t for t in TABLES if not t.optional):
            frame = pd.read_csv(data_dir / spec.file, dtype=str, keep_default_na=False)
            if spec.name == "suppliers":
                frame.loc[4, "capacity_t"] = "-3"
            frame.to_excel(writer, sheet_name=spec.name, index=False)
    with pytest.raises(
        DataError,
        match=r"tables.xlsx\[suppliers\], line 6, column capacity_t: "
        r"value '-3': is out of range",
    ):
        load_dataset(book)


def test_missing_sheet(data_dir, tmp_path):
    book = tmp_path / "partial.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="other", index=False)
    with pytest.raises(
        DataError,
        match=r"partial\.xlsx: holds none of the tables riskengine reads; .*; sheets found: other",
    ):
        load_dataset(book)


def test_summary_names_tables_and_vintage(data_dir):
    text = load_dataset(data_dir).summary()
    assert "  suppliers             70 rows" in text
    assert "production data year(s): 2024" in text
