"""Benchmark: ``riskengine validate`` on hostile inputs of up to 1 MB, time and peak memory.

Issue 12's target: any input of up to 1 MB is validated (accepted or refused
with exit 2) in under 5 s with under 500 MB. Each case is built in a temporary
folder from the shipped seeds, then ``riskengine validate`` runs once in a
fresh process; the table shows the exit code, wall time and the child's peak
resident memory (``ru_maxrss``). Exit 1 or a missed target is marked.

Run: python benchmarks/hostile_inputs.py [--only NAME ...]
Timings include start-up (imports); on a busy machine they grow, memory does not.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
MB = 1_000_000
SECONDS, MEGABYTES = 5.0, 500.0

sys.path.insert(0, str(REPO))
from tests.data.hostile.make_cases import rewrite, seeds_workbook  # noqa: E402


def _folder(root: Path, table: str, text: str) -> Path:
    folder = root / "data"
    shutil.copytree(SEEDS, folder)
    (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    return folder


def _fill(head: str, row: Callable[[int], str]) -> str:
    lines, size, i = [head], len(head) + 1, 0
    while size < MB - 200:
        lines.append(row(i))
        size += len(lines[-1]) + 1
        i += 1
    return "\n".join(lines) + "\n"


def _suppliers() -> tuple[str, list[str]]:
    lines = (SEEDS / "suppliers.csv").read_text(encoding="utf-8").splitlines()
    return lines[0], lines[1:]


def _valid_rows(root: Path) -> list[str]:
    head, rows = _suppliers()

    def row(i: int) -> str:
        cells = next(csv.reader([rows[i % len(rows)]]))
        if i >= len(rows):  # the shipped offers first, unchanged (contracts name them)
            cells[0] = f"{cells[0]}-{i}"
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(cells)
        return out.getvalue()

    return ["--data", str(_folder(root, "suppliers", _fill(head, row)))]


def _garbage(root: Path) -> list[str]:
    head, _ = _suppliers()
    width = len(head.split(","))
    text = _fill(head, lambda i: ",".join(f"x{i}_{j}" for j in range(width)))
    return ["--data", str(_folder(root, "suppliers", text))]


def _unclosed_quote(root: Path) -> list[str]:
    head, _ = _suppliers()
    return ["--data", str(_folder(root, "suppliers", head + '\n"' + "x" * (MB - 500) + "\n"))]


def _wide_header(root: Path) -> list[str]:
    return ["--data", str(_folder(root, "demand", ",".join(f"c{i}" for i in range(MB // 8))))]


def _blank_lines(root: Path) -> list[str]:
    head, _ = _suppliers()
    return ["--data", str(_folder(root, "suppliers", head + "\n" * (MB - 500)))]


def _unknown_buyers(root: Path) -> list[str]:
    lines = (SEEDS / "demand.csv").read_text(encoding="utf-8").splitlines()
    text = _fill(lines[0], lambda i: f"B{i}," + lines[1].split(",", 1)[1])
    return ["--data", str(_folder(root, "demand", text))]


def _lookalike_ids(root: Path) -> list[str]:
    head, rows = _suppliers()
    text = _fill(head, lambda i: f"lyn\u0430s-{i}\u200b," + rows[i % len(rows)].split(",", 1)[1])
    return ["--data", str(_folder(root, "suppliers", text))]


def _workbook(root: Path, xml: str) -> list[str]:
    book = root / "book.xlsx"
    book.write_bytes(
        rewrite(
            seeds_workbook(),
            {
                "xl/worksheets/sheet5.xml": lambda old: old.replace(
                    "</sheetData>", xml + "</sheetData>"
                )
            },
        )
    )
    assert book.stat().st_size <= MB, book.stat().st_size
    return ["--data", str(book)]


def _valid_workbook(root: Path) -> list[str]:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name in (
        "commodities",
        "countries",
        "production",
        "export_controls",
        "suppliers",
        "demand",
    ):
        with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        if name == "suppliers":  # the offers, then copies under their own ids: about 1 MB
            copies = [[f"{r[0]}-{i}", *r[1:]] for i in range(1, 78) for r in rows[1:]]
            rows = [*rows, *copies]
        sheet = book.create_sheet(name)
        for number, row in enumerate(rows):
            sheet.append(row if number == 0 else [_number(c) for c in row])
    path = root / "valid.xlsx"
    book.save(path)
    return ["--data", str(path)]


def _number(text: str) -> object:
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text


def _dense_cells(root: Path) -> list[str]:
    return _workbook(root, ("<row>" + "<c><v>1</v></c>" * 14 + "</row>") * 60_000)


def _zip_bomb(root: Path) -> list[str]:
    return _workbook(root, ("<row>" + "<c><v>1</v></c>" * 14 + "</row>") * 400_000)


def _far_cell(root: Path) -> list[str]:
    return ["--data", str(REPO / "tests" / "data" / "hostile" / "far-cell.xlsx")]


def _shared_strings(root: Path) -> list[str]:
    count = 3_000_000
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "<si><t>x</t></si>" * count
        + "</sst>"
    )
    source = zipfile.ZipFile(io.BytesIO(seeds_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/sharedStrings.xml", sst)
    book = root / "strings.xlsx"
    book.write_bytes(out.getvalue())
    return ["--data", str(book)]


def _yaml(root: Path, text: str) -> list[str]:
    path = root / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return ["--config", str(path)]


def _alias_bomb(root: Path) -> list[str]:
    return ["--config", str(REPO / "tests" / "config" / "hostile" / "alias-bomb.yaml")]


def _yaml_keys(root: Path) -> list[str]:
    return _yaml(root, "".join(f"k{i}: {i}\n" for i in range(10_900)))  # just under 128 KB


def _yaml_megabyte(root: Path) -> list[str]:
    return _yaml(root, "a: " + "[" * (MB // 2 - 5) + "]" * (MB // 2 - 5) + "\n")


CASES: dict[str, Callable[[Path], list[str]]] = {
    "seeds": lambda root: [],
    "1 MB valid suppliers": _valid_rows,
    "1 MB garbage cells": _garbage,
    "1 MB unclosed quote": _unclosed_quote,
    "1 MB header of columns": _wide_header,
    "1 MB blank lines": _blank_lines,
    "1 MB unknown buyers": _unknown_buyers,
    "1 MB lookalike ids": _lookalike_ids,
    "xlsx 1 MB valid": _valid_workbook,
    "xlsx dense cells": _dense_cells,
    "xlsx zip bomb": _zip_bomb,
    "xlsx XFD1048576": _far_cell,
    "xlsx shared strings": _shared_strings,
    "yaml alias bomb": _alias_bomb,
    "yaml 10,900 keys": _yaml_keys,
    "yaml 1 MB nesting": _yaml_megabyte,
}


def measure(argv: list[str]) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak MB of ``riskengine validate ARGV`` in a fresh process.

    The peak is GNU time's maximum resident set size when ``/usr/bin/time`` exists
    (a child forked from this process would count this process's own pages).
    """
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "riskengine", "validate", *argv]
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        gnu_time = Path("/usr/bin/time").is_file()
        if gnu_time:
            command = ["/usr/bin/time", "-f", "%M", "-o", report.name, *command]
        start = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        kilobytes = float(report.read().split()[-1]) if gnu_time else usage.ru_maxrss
    return os.waitstatus_to_exitcode(status), seconds, kilobytes / 1024


def main() -> None:
    """Run the cases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="case names to run (substring match)")
    args = parser.parse_args()
    print(f"{'case':<24} {'exit':>4} {'seconds':>8} {'peak MB':>8}")
    for name, build in CASES.items():
        if args.only and not any(o in name for o in args.only):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            code, seconds, peak = measure(build(Path(tmp)))
        flag = "" if code in (0, 2) and seconds < SECONDS and peak < MEGABYTES else "  <-- MISSED"
        print(f"{name:<24} {code:>4} {seconds:>8.2f} {peak:>8.0f}{flag}")


if __name__ == "__main__":
    main()
