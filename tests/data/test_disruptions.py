"""The optional history table disruptions.csv: loads when present, bad rows exit 2 naming
file, line, column and value, and the shipped table is sourced row by row."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from riskengine import load_dataset
from riskengine.data.history import shipped_disruptions
from tests.conftest import SEEDS

SHIPPED = pd.read_csv(SEEDS / "disruptions.csv", dtype=str, keep_default_na=False)


@pytest.fixture
def history_dir(data_dir: Path) -> Path:
    """The generated data folder plus a copy of the shipped disruptions.csv."""
    shutil.copy(SEEDS / "disruptions.csv", data_dir / "disruptions.csv")
    return data_dir


def _set(folder: Path, row: int, column: str, value: str) -> Path:
    path = folder / "disruptions.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def test_table_is_optional_and_loads_when_present(data_dir, history_dir):
    data = load_dataset(history_dir)
    assert len(data.disruptions) == len(SHIPPED)
    assert "disruptions" in data.table_names
    (history_dir / "disruptions.csv").unlink()
    without = load_dataset(data_dir)
    assert without.disruptions is None and "disruptions" not in without.table_names


def test_validate_lists_the_table(history_dir, run_cli):
    code, out, _ = run_cli("validate", "--data", str(history_dir))
    assert code == 0
    assert re.search(rf"disruptions\s+{len(SHIPPED)} rows", out)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("start_year", "20l0", "is not a number; expected a whole number from 1950 to 2100"),
        ("start_year", "1850", "is out of range; expected a whole number from 1950 to 2100"),
        ("end_year", "2010.5", "expected a whole number from 1950 to 2100"),
        ("share_affected", "1.5", "is out of range; expected a number from 0 to 1"),
        ("share_affected", "40%", "is not a number; expected a number from 0 to 1"),
        (
            "kind",
            "war",
            "is not valid; expected one of export_restriction, border_closure, conflict, "
            "plant_outage, insolvency",
        ),
        ("commodity", "neodymium", "is not valid; expected one of samarium, gadolinium"),
        ("country", "China", "is not an ISO 3166-1 alpha-2 code; expected two capital letters"),
        ("basis", "sure", "is not valid; expected one of confirmed, estimate"),
    ],
)
def test_bad_cell_exits_2_naming_file_line_column_value(
    history_dir, run_cli, column, value, message
):
    path = _set(history_dir, 3, column, value)
    code, out, err = run_cli("validate", "--data", str(history_dir))
    assert code == 2 and out == ""
    assert f"{path}, line 5, column {column}: value '{value}': {message}" in err
    assert "Traceback" not in err


def test_end_before_start_is_refused(history_dir, run_cli):
    path = _set(history_dir, 0, "end_year", "2009")
    code, _, err = run_cli("validate", "--data", str(history_dir))
    assert code == 2
    assert (
        f"{path}, line 2, column end_year: value '2009': is before start_year 2010; "
        "expected a year >= start_year, or empty for an event still under way"
    ) in err


def test_other_commodity_needs_a_material(history_dir, run_cli):
    row = int(SHIPPED.index[SHIPPED["commodity"] == "other"][0])
    path = _set(history_dir, row, "material", "")
    code, _, err = run_cli("validate", "--data", str(history_dir))
    assert code == 2
    assert (
        f"{path}, line {row + 2}, column material: is empty; a row with commodity 'other' "
        "must name the material, e.g. gallium"
    ) in err


def test_duplicate_event_id_is_refused(history_dir, run_cli):
    path = _set(history_dir, 1, "event_id", SHIPPED.loc[0, "event_id"])
    code, _, err = run_cli("validate", "--data", str(history_dir))
    assert code == 2
    assert f"{path}, line 3: duplicate (event_id) = ({SHIPPED.loc[0, 'event_id']})" in err


def test_shipped_rows_are_sourced_and_marked():
    assert SHIPPED["basis"].isin(["confirmed", "estimate"]).all()
    assert (SHIPPED["source"].str.strip() != "").all()
    assert (SHIPPED["description"].str.len() > 40).all()
    text = (SEEDS / "SOURCES.md").read_text(encoding="utf-8")
    keys = {k for cell in SHIPPED["source"] for k in cell.split(";")}
    for key in keys:
        assert f"**{key}**" in text, f"source key {key} is not defined in SOURCES.md"


def test_shipped_table_covers_the_candidate_events():
    frame = shipped_disruptions()
    ids = set(frame["event_id"])
    for expected in ("CN-2010-JP-HALT", "CN-2010-QUOTA", "CN-2025-04", "MM-2021-BORDER"):
        assert expected in ids
    assert set(frame["kind"]) == {
        "export_restriction",
        "border_closure",
        "conflict",
        "plant_outage",
        "insolvency",
    }
    assert frame["share_affected"].between(0, 1).all()
    ended = frame["end_year"].notna()
    assert (frame.loc[ended, "end_year"] >= frame.loc[ended, "start_year"]).all()
