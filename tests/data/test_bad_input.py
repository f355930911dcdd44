"""Bad data tables: exit code 2 and a message naming file, line, column, value and the fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskengine import DataError, load_dataset
from tests.conftest import edit_csv


def _first_supplier_line(data_dir: Path) -> tuple[str, str]:
    lines = (data_dir / "suppliers.csv").read_text(encoding="utf-8").splitlines()
    return lines[0], lines[1]


def _set_cell(data_dir: Path, table: str, row: int, column: str, value: str) -> Path:
    path = data_dir / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def test_missing_column_is_named_with_suggestion(data_dir, run_cli):
    edit_csv(data_dir / "suppliers.csv", "capacity_t", "capacity")
    code, out, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2 and out == ""
    assert (
        f"{data_dir / 'suppliers.csv'}, line 1: missing required column 'capacity_t' "
        "(did you mean 'capacity'?)"
    ) in err


def test_negative_capacity(data_dir, run_cli):
    path = _set_cell(data_dir, "suppliers", 3, "capacity_t", "-5")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 5, column capacity_t: value '-5': is out of range; "
        "expected a number from 0 to 10,000,000 t/yr"
    ) in err


def test_non_numeric_capacity(data_dir, run_cli):
    path = _set_cell(data_dir, "suppliers", 0, "capacity_t", "lots")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column capacity_t: value 'lots': is not a number; "
        "expected a number from 0 to 10,000,000 t/yr"
    ) in err


def test_empty_price(data_dir, run_cli):
    path = _set_cell(data_dir, "suppliers", 1, "price_usd_per_kg", "")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 3, column price_usd_per_kg: is empty; expected a number > 0 "
        "and at most 1,000,000 USD/kg"
    ) in err


def test_zero_price_is_refused(data_dir, run_cli):
    path = _set_cell(data_dir, "suppliers", 1, "price_usd_per_kg", "0")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert f"{path}, line 3, column price_usd_per_kg: value '0': is out of range" in err


def test_unknown_country(data_dir, run_cli):
    path = _set_cell(data_dir, "suppliers", 2, "country", "CX")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 4, column country: value 'CX': unknown country; "
        "add it to countries.csv or use one of its codes"
    ) in err


def test_unknown_commodity(data_dir, run_cli):
    path = _set_cell(data_dir, "demand", 0, "commodity", "neodymium")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column commodity: value 'neodymium': unknown commodity; "
        "add it to commodities.csv or use one of its ids"
    ) in err


def test_misspelt_status_gets_a_suggestion(data_dir, run_cli):
    path = _set_cell(data_dir, "suppliers", 0, "status", "Producing")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column status: value 'Producing': is not valid; expected one of "
        "producing, ramping, planned (did you mean 'producing'?)"
    ) in err


def test_duplicate_offer(data_dir, run_cli):
    path = data_dir / "suppliers.csv"
    _, first = _first_supplier_line(data_dir)
    path.write_text(path.read_text(encoding="utf-8") + first + "\n", encoding="utf-8")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    supplier, commodity = first.split(",")[0], first.split(",")[3]
    assert (
        f"{path}, line 72: duplicate (supplier_id, commodity) = ({supplier}, {commodity}); "
        "first given at line 2"
    ) in err


def test_governance_out_of_range(data_dir, run_cli):
    path = _set_cell(data_dir, "countries", 0, "governance", "3.1")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column governance: value '3.1': is out of range; "
        "expected a number from -2.5 to 2.5 WGI"
    ) in err


def test_severity_out_of_range(data_dir, run_cli):
    path = _set_cell(data_dir, "export_controls", 0, "severity", "1.5")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column severity: value '1.5': is out of range; "
        "expected a number from 0 to 1"
    ) in err


def test_bad_date(data_dir, run_cli):
    path = _set_cell(data_dir, "export_controls", 0, "since", "04/04/2025")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column since: value '04/04/2025': is not a date; "
        "expected a date written YYYY-MM-DD"
    ) in err


def test_missing_data_folder(tmp_path, run_cli):
    missing = tmp_path / "nowhere"
    code, _, err = run_cli("validate", "--data", str(missing))
    assert code == 2
    assert f"{missing}: does not exist; give a folder of CSV tables or an .xlsx workbook" in err


def test_missing_table_file_comes_from_the_shipped_tables_with_a_note(data_dir, run_cli):
    (data_dir / "demand.csv").unlink()
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 0, err
    assert (
        "note: demand read from the shipped reference tables (seeds/): data has no file for it"
        in err
    )


def test_a_folder_without_any_table_lists_the_files_found(tmp_path, run_cli):
    (tmp_path / "Book1.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run_cli("validate", "--data", str(tmp_path))
    assert code == 2
    assert f"{tmp_path}: holds none of the tables riskengine reads" in err
    assert "CSV files found: Book1.csv" in err


def test_a_file_named_like_a_missing_table_is_an_error(data_dir, run_cli):
    (data_dir / "suppliers.csv").rename(data_dir / "supplier.csv")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert "has a file 'supplier.csv' but no file 'suppliers.csv'; rename it" in err


def test_row_with_wrong_number_of_fields(data_dir, run_cli):
    path = data_dir / "demand.csv"
    path.write_text(path.read_text(encoding="utf-8") + "EU,terbium\n", encoding="utf-8")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert f"{path}, line 16: has 2 fields but the header has 3" in err


def test_not_utf8(data_dir, run_cli):
    path = data_dir / "countries.csv"
    path.write_bytes(path.read_bytes().replace(b"Japan", b"Jap\xe1n"))
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert f"{path}: is not UTF-8 text" in err


def test_demand_for_unconfigured_buyer(data_dir, run_cli):
    path = _set_cell(data_dir, "demand", 0, "buyer", "KR")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column buyer: value 'KR': buyer not in the configuration; "
        "add buyers.KR (home, partners) to the config or use one of EU, JP"
    ) in err


def test_every_problem_is_reported_not_only_the_first(data_dir):
    _set_cell(data_dir, "suppliers", 0, "capacity_t", "-1")
    _set_cell(data_dir, "suppliers", 1, "lead_time_days", "soon")
    _set_cell(data_dir, "countries", 0, "governance", "9")
    with pytest.raises(DataError) as info:
        load_dataset(data_dir)
    assert len(info.value.problems) == 3
    assert isinstance(info.value, ValueError)
