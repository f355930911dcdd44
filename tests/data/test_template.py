"""The Excel template (``init --excel``) and workbooks that hold only some tables."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import riskengine
from riskengine.data.template import LISTS_SHEET, README_SHEET, write_template
from riskengine.exceptions import ArgumentError, DataError
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def shipped() -> riskengine.Dataset:
    return riskengine.load_dataset(SEEDS)


def test_template_round_trips_to_the_same_tables(shipped, tmp_path):
    book = write_template(tmp_path / "data.xlsx", shipped)
    loaded = riskengine.load_dataset(book)
    assert loaded.table_names == shipped.table_names
    assert loaded.notes == ()
    for name in shipped.table_names:
        pd.testing.assert_frame_equal(loaded.table(name), shipped.table(name), check_dtype=True)


def test_template_has_readme_validation_lists_and_a_hidden_lists_sheet(shipped, tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path / "data.xlsx", shipped))
    assert book.sheetnames[0] == README_SHEET
    assert book.sheetnames[-1] == LISTS_SHEET and book[LISTS_SHEET].sheet_state == "hidden"
    readme = [c.value for row in book[README_SHEET].iter_rows() for c in row if c.value]
    assert "capacity_t" in readme and "supplier_id" in readme
    rules = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
        for dv in book["suppliers"].data_validations.dataValidation
    }
    header = [c.value for c in book["suppliers"][1]]
    status = rules[openpyxl.utils.get_column_letter(header.index("status") + 1)]
    lists = book[LISTS_SHEET]
    column = status.formula1.split("$")[1]
    values = [c.value for c in lists[column][1:] if c.value]
    assert values == ["producing", "ramping", "planned"]
    country = rules[openpyxl.utils.get_column_letter(header.index("country") + 1)]
    codes = [c.value for c in lists[country.formula1.split("$")[1]][1:] if c.value]
    assert codes == sorted(shipped.countries["country"])


def test_a_filled_row_loads(shipped, tmp_path):
    path = write_template(tmp_path / "data.xlsx", shipped)
    book = openpyxl.load_workbook(path)
    sheet = book["suppliers"]
    header = [c.value for c in sheet[1]]
    first = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    sheet.append(
        [{**first, "supplier_id": "my-new-plant", "capacity_t": 12.5}.get(h) for h in header]
    )
    book.save(path)
    loaded = riskengine.load_dataset(path)
    assert len(loaded.suppliers) == len(shipped.suppliers) + 1
    row = loaded.suppliers.iloc[-1]
    assert row["supplier_id"] == "my-new-plant" and row["capacity_t"] == 12.5
    assert row["commodity"] == shipped.suppliers.iloc[0]["commodity"]


def test_write_template_refuses_an_existing_file(tmp_path):
    (tmp_path / "data.xlsx").write_bytes(b"x")
    with pytest.raises(ArgumentError, match="already exists"):
        write_template(tmp_path / "data.xlsx")


def test_a_suppliers_only_workbook_loads_over_the_shipped_tables(data_dir, shipped, tmp_path):
    book = tmp_path / "mine.xlsx"
    suppliers = pd.read_csv(data_dir / "suppliers.csv", dtype=str, keep_default_na=False)
    with pd.ExcelWriter(book) as writer:
        suppliers.to_excel(writer, sheet_name="Suppliers", index=False)  # any case
    loaded = riskengine.load_dataset(book)
    assert len(loaded.suppliers) == len(suppliers)
    pd.testing.assert_frame_equal(loaded.demand, shipped.demand)
    pd.testing.assert_frame_equal(loaded.countries, shipped.countries)
    assert loaded.notes == (
        "commodities, countries, production, export_controls, demand read from the shipped "
        "reference tables (seeds/): mine.xlsx has no sheet for them",
    )


def test_a_sheet_named_like_a_missing_table_is_an_error(data_dir, tmp_path):
    book = tmp_path / "mine.xlsx"
    suppliers = pd.read_csv(data_dir / "suppliers.csv", dtype=str, keep_default_na=False)
    with pd.ExcelWriter(book) as writer:
        suppliers.to_excel(writer, sheet_name="supplier", index=False)
        suppliers.to_excel(writer, sheet_name="Demand", index=False)
    with pytest.raises(DataError, match="has a sheet 'supplier' but no sheet 'suppliers'"):
        riskengine.load_dataset(book)


def test_init_excel_scaffolds_a_workbook_folder(tmp_path, run_cli, monkeypatch):
    target = tmp_path / "q3-magnets"
    code, out, err = run_cli("init", str(target), "--excel")
    assert code == 0, err
    assert (target / "data.xlsx").is_file() and not (target / "data").exists()
    config = riskengine.load_config(target / "config.yaml")
    assert config.name == "q3-magnets"
    assert config.data.dir == target / "data.xlsx"
    monkeypatch.chdir(target)
    code, out, err = run_cli("validate")
    assert code == 0, err
    assert "note: configuration ./config.yaml" in err
    assert "are valid" in out
