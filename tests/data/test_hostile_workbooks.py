"""Hostile and broken xlsx workbooks: exit 2 naming the file, real sheet extent, bounded reads.

The case files are in ``tests/data/hostile/`` (``make_cases.py`` regenerates them
from the seeds).
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from riskengine import DataError, load_dataset
from riskengine.data import workbook
from riskengine.data.workbook import read_xlsx_tables
from tests.data.hostile.make_cases import rewrite, seeds_workbook

HOSTILE = Path(__file__).parent / "hostile"
NOT_XLSX = (
    "is not an xlsx workbook (not a readable zip archive: File is not a zip file); save it "
    "from Excel as .xlsx, or give a folder of CSV files"
)


def _message(path: Path) -> str:
    with pytest.raises(DataError) as info:
        load_dataset(path)
    return str(info.value)


@pytest.mark.parametrize("name", ["truncated.xlsx", "empty.xlsx", "csv-named.xlsx"])
def test_not_a_workbook_exits_2_with_the_file_name(name, run_cli):
    code, out, err = run_cli("validate", "--data", str(HOSTILE / name))
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"{name}: {NOT_XLSX}" in err


def test_entity_expansion_is_refused_before_parsing():
    message = _message(HOSTILE / "entity-bomb.xlsx")
    assert message.endswith(
        "entity-bomb.xlsx: part xl/workbook.xml declares a document type (<!DOCTYPE or "
        "<!ENTITY>), which Excel never writes and which can expand without bound; save the "
        "workbook again from Excel"
    )


def test_stale_dimension_does_not_drop_rows():
    tables = read_xlsx_tables(HOSTILE / "stale-dimension.xlsx", ("demand",))
    full = read_xlsx_tables(HOSTILE / "seeds.xlsx", ("demand",))
    assert len(tables["demand"].frame) == len(full["demand"].frame) == 14
    assert tables["demand"].lines == full["demand"].lines


def test_far_cell_is_reported_with_its_column_in_bounded_memory():
    tracemalloc.start()
    start = time.perf_counter()
    try:
        tables = read_xlsx_tables(HOSTILE / "far-cell.xlsx", ("suppliers",))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 20 and peak < 50 * 2**20  # was 27 s and 2.7 GB
    problems = [str(p) for p in tables["suppliers"].problems]
    assert problems == [
        "far-cell.xlsx[suppliers], line 1048576: value 'x': has a value in column XFD, right of "
        "the last header column N; delete it or give its column a header"
    ]


def test_formula_without_saved_result_is_named_as_a_formula():
    message = _message(HOSTILE / "formula-no-value.xlsx")
    assert (
        "formula-no-value.xlsx[demand], line 2, column demand_t: value '=SUM(C3:C4)': is a "
        "formula with no saved result; open the workbook in Excel and save it, or paste the values"
    ) in message
    assert "is empty" not in message


def test_too_many_cells_are_refused(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_XLSX_CELLS", 500)
    message = _message(HOSTILE / "seeds.xlsx")
    assert message.endswith(
        "seeds.xlsx: holds more than 500 cells (1,500 XML elements in its sheets); riskengine "
        "reads workbooks of at most that many: save large tables as CSV files"
    )


def test_elements_other_than_cells_count_too(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_XLSX_CELLS", 5_000)
    flood = "<mergeCells>" + '<mergeCell ref="A1:B2"/>' * 30_000 + "</mergeCells>"
    book = tmp_path / "merged.xlsx"
    book.write_bytes(
        rewrite(
            seeds_workbook(),
            {
                "xl/worksheets/sheet6.xml": lambda xml: xml.replace(
                    "</sheetData>", "</sheetData>" + flood
                )
            },
        )
    )
    assert "merged.xlsx: holds more than 5,000 cells (15,000 XML elements" in _message(book)


def test_an_oversized_part_that_is_not_a_sheet_is_refused(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_XLSX_PART_BYTES", 100)
    message = _message(HOSTILE / "seeds.xlsx")
    assert "seeds.xlsx: part " in message
    assert "riskengine reads parts other than sheets of at most 100 bytes" in message


def test_zip_bomb_is_refused_by_its_unzipped_size(tmp_path):
    row = "<row>" + "<c><v>1</v></c>" * 14 + "</row>"
    padding = row * (workbook.MAX_XLSX_BYTES // len(row) + 1)
    book = tmp_path / "bomb.xlsx"
    book.write_bytes(
        rewrite(
            seeds_workbook(),
            {
                "xl/worksheets/sheet5.xml": lambda xml: xml.replace(
                    "</sheetData>", padding + "</sheetData>"
                )
            },
        )
    )
    assert book.stat().st_size < 1_000_000
    start = time.perf_counter()
    message = _message(book)
    assert time.perf_counter() - start < 20  # loose: a busy machine must not fail it
    assert "bomb.xlsx: unzips to" in message and "save large tables as CSV files" in message


def test_broken_sheet_xml_names_the_sheet(tmp_path):
    book = tmp_path / "broken.xlsx"
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    cut = b"<worksheet " + main + b'><dimension ref="A1:C3"/><sheetData><row r="1"><c'
    book.write_bytes(rewrite(seeds_workbook(), {"xl/worksheets/sheet6.xml": cut}))
    assert "broken.xlsx[demand]: cannot be read (ParseError: " in _message(book)
    book.write_bytes(rewrite(seeds_workbook(), {"xl/worksheets/sheet6.xml": b"<worksheet>"}))
    assert "broken.xlsx: is not a readable xlsx workbook (no element found" in _message(book)


def test_seeds_workbook_loads_like_the_csv_folder():
    from_book = load_dataset(HOSTILE / "seeds.xlsx")
    assert len(from_book.suppliers) == 60 and len(from_book.demand) == 14


def test_zip_holding_something_else_is_refused(tmp_path):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    book = tmp_path / "other.xlsx"
    book.write_bytes(data.getvalue())
    message = _message(book)
    assert "other.xlsx: is not a readable xlsx workbook (" in message
