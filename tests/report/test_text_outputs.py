"""CSV, JSON, HTML and terminal text: quoted rows, formulas neutralised per line, no control codes."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from riskengine import load_dataset, write_dataset
from riskengine._csv import csv_text
from riskengine.report.html import esc
from riskengine.report.writers import write_csv, write_json

#: A bare CR, then a formula: unquoted, a spreadsheet starts a new row at the CR.
CR_INJECTION = "Acme\r=cmd|' /C calc'!A0"
NAMES = (
    CR_INJECTION,
    "two\nlines",
    "comma, inside",
    'say "hi"',
    "tab\there",
    "\x1b[2J\x1b[31mred",
    "\u202etxt.exe",
    "plain",
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"name": list(NAMES), "tonnes": [1.5, -2.0, 0.0, 3.0, 4.0, 5.0, 6.0, 7.0]})


def _read(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_every_record_stays_one_record(tmp_path):
    rows = _read(write_csv(_frame(), tmp_path / "t.csv"))
    assert len(rows) == 1 + len(NAMES)
    assert [r[1] for r in rows[1:]] == ["1.5", "-2.0", "0.0", "3.0", "4.0", "5.0", "6.0", "7.0"]


def test_formula_after_a_line_break_is_neutralised(tmp_path):
    rows = _read(write_csv(_frame(), tmp_path / "t.csv"))
    assert rows[1][0] == "Acme\r'=cmd|' /C calc'!A0"
    for row in rows[1:]:
        for line in row[0].replace("\r", "\n").split("\n"):
            assert not line.startswith(("=", "+", "-", "@")), row


def test_fields_with_cr_lf_comma_or_quote_are_quoted(tmp_path):
    text = write_csv(_frame(), tmp_path / "t.csv").read_bytes().decode("utf-8")
    assert "\"Acme\r'=cmd" in text
    assert '"two\nlines"' in text and '"comma, inside"' in text and '"say ""hi"""' in text
    assert "\nplain,7.0\n" in text and "\r\n" not in text


def test_control_characters_are_replaced_in_csv(tmp_path):
    text = write_csv(_frame(), tmp_path / "t.csv").read_bytes().decode("utf-8")
    assert "\x1b" not in text and "\u202e" not in text
    assert "\ufffd[2J\ufffd[31mred" in text and "\ufffdtxt.exe" in text
    assert "tab\there" in text  # a tab is data, not a control sequence


def test_json_escapes_control_characters_losslessly(tmp_path):
    path = write_json({"names": list(NAMES)}, tmp_path / "t.json")
    text = path.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\u202e" not in text and "\\u202e" in text
    assert json.loads(text)["names"] == list(NAMES)


def test_html_shows_no_control_characters():
    assert esc("\u202etxt.exe <b>") == "\ufffdtxt.exe &lt;b&gt;"
    assert "\x1b" not in esc("\x1b[31m")


def test_csv_text_matches_pandas_on_ordinary_tables():
    data = load_dataset()
    for name in ("commodities", "countries", "production", "export_controls", "suppliers"):
        frame = data.table(name)
        assert csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")


def test_written_dataset_with_line_breaks_in_names_loads_back(tmp_path):
    data = load_dataset()
    suppliers = data.suppliers.copy()
    suppliers.loc[0, "name"] = "Ly\rnas\nMalaysia, Kuantan"
    folder = write_dataset(data.with_tables(suppliers=suppliers), tmp_path / "data")
    again = load_dataset(folder)
    assert again.suppliers.loc[0, "name"] == "Ly\rnas\nMalaysia, Kuantan"
    assert len(again.suppliers) == len(data.suppliers)


@pytest.fixture
def escaping_data(tmp_path):
    data = load_dataset()
    suppliers = data.suppliers.copy()
    suppliers.loc[0, "name"] = "\x1b[2J\x1b]0;pwned\x07 \u202eevil"
    suppliers.loc[1, "name"] = CR_INJECTION
    return write_dataset(data.with_tables(suppliers=suppliers), tmp_path / "data")


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_terminal_output_has_no_control_characters(escaping_data, run_cli, fmt):
    code, out, err = run_cli("score", "--data", str(escaping_data), "--format", fmt)
    assert code == 0 and err == ""
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    if fmt == "json":
        names = {row["name"] for row in json.loads(out)["scores"]}
        assert "\x1b[2J\x1b]0;pwned\x07 \u202eevil" in names  # JSON reads the escapes back
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) == 1 + 2 * len(
            load_dataset().suppliers
        )  # every offer per buyer, none split
        assert not any(r[2].startswith(("=", "+", "@")) for r in rows[1:])


def test_error_messages_escape_control_characters(data_dir, run_cli):
    path = data_dir / "demand.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\x1b[31mXX,terbium,1\n", encoding="utf-8")
    code, _, err = run_cli("validate", "--data", str(data_dir))
    assert code == 2 and "\x1b" not in err
    assert "'\\x1b[31mXX'" in err
