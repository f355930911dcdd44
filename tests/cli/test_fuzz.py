"""Fuzzing the shipped tables and configuration: every run ends with exit 0 or 2, never 1.

Hypothesis mutates a copy of ``seeds/`` (cells replaced by edge values, rows
duplicated or dropped, columns dropped, encodings, line ends and delimiters
changed, files truncated) or of ``config/default.yaml`` (values replaced,
lines dropped, aliases added), runs the command line in-process, and checks
the exit code, the time taken and the memory allocated. Runs that pass
validation are also optimised, so accepted edge values cannot crash later.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskengine.cli import main
from tests.conftest import DEFAULT_CONFIG, SEEDS

TABLES = ("commodities", "countries", "production", "export_controls", "suppliers", "demand")
#: Cells an attacker or a careless export would write.
EDGE_VALUES = (
    "",
    " ",
    "0",
    "-0",
    "-1",
    "1e-320",
    "1e308",
    "1e309",
    "inf",
    "-Infinity",
    "nan",
    "2024.5",
    "10000000",
    "9" * 400,
    "=cmd|' /C calc'!A0",
    "\u200bCN",
    "С\u200dN",
    "\x1b[31mred",
    "\u202eevil",
    "\x00",
    "true",
    "EU",
    "CN",
    "terbium",
    "planned",
    '"',
    "a,b",
    "line\rbreak",
    "line\nbreak",
)
SECONDS = 20.0
MEGABYTES = 300.0

_settings = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _run(*argv: str, memory: bool = True) -> tuple[int, str]:
    """Exit code and stderr of ``riskengine ARGV``, within the time (and memory) bounds.

    Memory is traced with tracemalloc, which slows Python down; it is traced for
    reading and validating, where a hostile input could make it grow.
    """
    err = io.StringIO()
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(list(argv))
        peak = tracemalloc.get_traced_memory()[1] if memory else 0
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - start
    assert seconds < SECONDS, f"{argv}: {seconds:.1f} s"
    assert peak / 2**20 < MEGABYTES, f"{argv}: {peak / 2**20:.0f} MB"
    return code, err.getvalue()


def _check(data: str | None = None, config: str | None = None) -> None:
    common = ["--config", config or str(DEFAULT_CONFIG)] + (["--data", data] if data else [])
    code, err = _run("validate", *common)
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 0:
        code, err = _run("optimise", "--format", "json", *common, memory=False)
        assert code in (0, 2), err


def _lines(text: str) -> list[str]:
    return text.split("\n")


@st.composite
def table_edits(draw: st.DrawFn) -> tuple[str, str, object]:
    table = draw(st.sampled_from(TABLES))
    kind = draw(
        st.sampled_from(
            ["cell", "cell", "cell", "duplicate", "drop", "column", "encoding", "delimiter", "cut"]
        )
    )
    if kind == "cell":
        return (
            table,
            kind,
            (
                draw(st.integers(0, 80)),
                draw(st.integers(0, 15)),
                draw(st.sampled_from(EDGE_VALUES)),
            ),
        )
    if kind == "encoding":
        return table, kind, draw(st.sampled_from(["utf-16", "latin-1", "utf-8-sig", "crlf", "cr"]))
    if kind == "delimiter":
        return table, kind, draw(st.sampled_from([";", "\t", "|"]))
    return table, kind, draw(st.integers(0, 10_000))


def _edit_table(text: str, kind: str, arg: object) -> bytes:
    lines = _lines(text)
    rows = [line for line in lines[1:] if line]
    if kind == "cell":
        row, column, value = arg  # type: ignore[misc]
        target = row % len(lines)
        cells = lines[target].split(",")
        cells[column % len(cells)] = value
        lines[target] = ",".join(cells)
    elif kind == "duplicate" and rows:
        lines.append(rows[int(arg) % len(rows)])  # type: ignore[call-overload]
    elif kind == "drop" and rows:
        lines.remove(rows[int(arg) % len(rows)])  # type: ignore[call-overload]
    elif kind == "column":
        column = int(arg) % len(lines[0].split(","))  # type: ignore[call-overload]
        lines = [
            ",".join(c for i, c in enumerate(line.split(",")) if i != column) for line in lines
        ]
    elif kind == "delimiter":
        lines = [line.replace(",", str(arg)) for line in lines]
    elif kind == "cut":
        data = "\n".join(lines).encode("utf-8")
        return data[: int(arg) % max(len(data), 1)]  # type: ignore[call-overload]
    text = "\n".join(lines)
    if kind == "encoding":
        if arg in ("crlf", "cr"):
            return text.replace("\n", "\r\n" if arg == "crlf" else "\r").encode("utf-8")
        return text.encode(str(arg), errors="replace")
    return text.encode("utf-8")


@_settings
@given(edits=st.lists(table_edits(), min_size=1, max_size=3))
def test_mutated_tables_exit_0_or_2(edits):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(SEEDS, folder)
        for table, kind, arg in edits:
            path = folder / f"{table}.csv"
            path.write_bytes(
                _edit_table(path.read_text(encoding="utf-8", errors="replace"), kind, arg)
            )
        _check(data=str(folder))


CONFIG_VALUES = (
    ".inf",
    "-.inf",
    ".nan",
    "1e309",
    "-1",
    "0",
    "1.0e+300",
    "2025-13-45",
    "[]",
    "{}",
    "null",
    "!!binary aGk=",
    "!!python/name:os.system",
    "&a [1, 2]",
    "*nothing",
    "9" * 5000,
    "'\u202e'",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
)


@_settings
@given(
    line=st.integers(0, 200),
    value=st.sampled_from(CONFIG_VALUES),
    drop=st.booleans(),
)
def test_mutated_config_exits_0_or_2(line, value, drop):
    lines = DEFAULT_CONFIG.read_text(encoding="utf-8").split("\n")
    settable = [
        i for i, text in enumerate(lines) if ": " in text and not text.lstrip().startswith("#")
    ]
    target = settable[line % len(settable)]
    if drop:
        del lines[target]
    else:
        key = lines[target].split(": ")[0]
        lines[target] = f"{key}: {value}"
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text("\n".join(lines), encoding="utf-8")
        (Path(tmp) / "seeds").symlink_to(SEEDS)
        text = config.read_text(encoding="utf-8").replace("dir: ../seeds", f"dir: {SEEDS}")
        config.write_text(text, encoding="utf-8")
        _check(config=str(config))


@_settings
@given(
    key=st.sampled_from(
        [
            "optimiser.risk_aversion",
            "optimiser.max_country_share",
            "optimiser.shortfall_penalty_usd_per_kg",
            "optimiser.time_limit_s",
            "risk.weights.governance",
            "risk.uncertainty.seed",
            "risk.uncertainty.samples",
            "report.frontier_points",
            "scenarios",
            "buyers.EU.home",
        ]
    ),
    value=st.sampled_from(CONFIG_VALUES),
)
def test_mutated_overrides_exit_0_or_2(key, value):
    _check_set = [f"{key}={value}"]
    code, err = _run("validate", "--config", str(DEFAULT_CONFIG), "--set", *_check_set)
    assert code in (0, 2), err
    assert "internal error" not in err, err
