"""Regenerate the hostile workbook cases in this folder: ``python tests/data/hostile/make_cases.py``.

Each case starts from the shipped seeds written as a workbook (one sheet per
table, numbers as numbers) and then changes the zip archive the way an
attacker, or an unlucky tool, would.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[2] / "seeds"
TABLES = ("commodities", "countries", "production", "export_controls", "suppliers", "demand")


def _cell(text: str) -> object:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def seeds_workbook() -> bytes:
    """The shipped seeds as an xlsx workbook, bytes."""
    book = Workbook()
    book.remove(book.active)
    for name in TABLES:
        sheet = book.create_sheet(name)
        with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle)):
                sheet.append(row if number == 0 else [_cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_path(name: str) -> str:
    return f"xl/worksheets/sheet{TABLES.index(name) + 1}.xml"


def rewrite(data: bytes, changes: dict[str, object]) -> bytes:
    """A copy of the zip ``data`` with some parts replaced (callables get the old text)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            text = source.read(info.filename)
            change = changes.get(info.filename)
            if callable(change):
                text = change(text.decode("utf-8")).encode("utf-8")
            elif change is not None:
                text = change
            target.writestr(info.filename, text)
    return out.getvalue()


def stale_dimension(xml: str) -> str:
    """demand: a <dimension> that claims 4 data rows while the sheet holds 14."""
    return re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:C5"/>', xml)


def far_cell(xml: str) -> str:
    """suppliers: one extra cell at XFD1048576, the last cell a sheet can have."""
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    row = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return xml.replace("</sheetData>", row + "</sheetData>")


def formula_without_value(xml: str) -> str:
    """demand: the first demand_t cell (C2) becomes a formula with no cached value."""
    return re.sub(r'<c r="C2"([^>]*)><v>[^<]*</v></c>', r'<c r="C2"\1><f>SUM(C3:C4)</f></c>', xml)


ENTITY_BOMB = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>&h;</sheets></workbook>
"""


def main() -> None:
    """Write every case file."""
    base = seeds_workbook()
    cases = {
        "seeds.xlsx": base,
        "truncated.xlsx": base[: len(base) // 2],
        "empty.xlsx": b"",
        "csv-named.xlsx": (SEEDS / "demand.csv").read_bytes(),
        "stale-dimension.xlsx": rewrite(base, {_sheet_path("demand"): stale_dimension}),
        "far-cell.xlsx": rewrite(base, {_sheet_path("suppliers"): far_cell}),
        "formula-no-value.xlsx": rewrite(base, {_sheet_path("demand"): formula_without_value}),
        "entity-bomb.xlsx": rewrite(base, {"xl/workbook.xml": ENTITY_BOMB.encode()}),
    }
    for name, data in cases.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
