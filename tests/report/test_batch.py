"""Batches: one report per configuration, an index comparing them, failures reported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from riskengine.report import config_paths
from tests.conftest import DEFAULT_CONFIG, SEEDS


def _config(path: Path, name: str, extra: str = "") -> Path:
    # batch mechanics, not the two-stage plan (its section: test_stochastic_section.py)
    quick = "  stochastic:\n    in_report: false\n"
    optimiser = extra.replace("optimiser:\n", "optimiser:\n" + quick) if extra else ""
    optimiser = optimiser or f"optimiser:\n{quick}"
    path.write_text(
        f"name: {name}\ndata:\n  dir: {SEEDS}\n{optimiser}report:\n  frontier_points: 2\n",
        encoding="utf-8",
    )
    return path


def test_batch_runs_good_configs_and_reports_the_bad_one(tmp_path, run_cli):
    good = _config(tmp_path / "good.yaml", "good")
    low = _config(tmp_path / "low-cap.yaml", "low-cap", "optimiser:\n  max_country_share: 0.5\n")
    bad = _config(tmp_path / "bad.yaml", "bad", "optimiser:\n  risk_aversionn: 2\n")
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(
        "report",
        "--config",
        str(good),
        str(bad),  # several files after one flag, as a shell glob expands
        "--config",
        str(low),
        "--out",
        str(out),
    )
    assert code == 2
    printed = [Path(line) for line in stdout.splitlines()]
    assert [p.name.split("-", 2)[2] for p in printed[:2]] == ["good", "low-cap"]
    assert all((p / "report.html").is_file() for p in printed[:2])
    index = printed[-1]
    assert index.name == "index.html" and index.parent.parent == out
    text = index.read_text(encoding="utf-8")
    assert "bad.yaml" in text and "unknown key &#x27;optimiser.risk_aversionn&#x27;" in text
    assert f'href="../{printed[0].name}/report.html"' in text
    assert "3/3" in stderr and "bad.yaml: FAILED" in stderr
    with (index.parent / "index.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["figure"] for r in rows} == {
        "purchase_cost_usd",
        "expected_loss_usd",
        "average_risk",
        "shortfall_t",
        "china_share",
    }
    assert set(rows[0]) == {"buyer", "figure", "1: good", "3: low-cap"}
    # a total row per additive figure, the sum of the buyers'
    totals = {r["figure"]: r for r in rows if r["buyer"] == "all buyers"}
    assert set(totals) == {"purchase_cost_usd", "expected_loss_usd", "shortfall_t"}
    buyers = [r for r in rows if r["buyer"] != "all buyers" and r["figure"] == "purchase_cost_usd"]
    assert float(totals["purchase_cost_usd"]["1: good"]) == pytest.approx(
        sum(float(r["1: good"]) for r in buyers)
    )
    # the index headlines purchase cost and says which settings differ
    assert "<b>purchase cost in 2026 " in text
    differs = text[text.index('id="differs"') : text.index('id="compare"')]
    assert "<tr><td>optimiser.max_country_share</td><td>null</td><td>0.5</td></tr>" in differs
    assert "<td>name</td>" not in differs and "<td>data.dir</td>" not in differs
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [printed[0].name, printed[1].name, index.parent.name]
    )


def test_config_paths_expands_folders_in_name_order(tmp_path):
    folder = tmp_path / "configs"
    folder.mkdir()
    for name in ("b.yaml", "a.yml", "notes.txt"):
        (folder / name).write_text("name: x\n", encoding="utf-8")
    assert [p.name for p in config_paths([folder, DEFAULT_CONFIG])] == [
        "a.yml",
        "b.yaml",
        "default.yaml",
    ]


def test_folder_of_configs_runs_as_a_batch(tmp_path, run_cli):
    folder = tmp_path / "configs"
    folder.mkdir()
    _config(folder / "only.yaml", "only")
    code, stdout, _ = run_cli(
        "report",
        "--config",
        str(folder),
        "--out",
        str(tmp_path / "out"),
        "--set",
        "report.frontier_points=0",
    )
    assert code == 0
    lines = stdout.splitlines()
    assert len(lines) == 2 and lines[1].endswith("index.html")


def test_batch_runs_print_their_input_notes_with_the_progress(tmp_path):
    import io
    import shutil

    from riskengine.report.batch import run_batch

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SEEDS / "suppliers.csv", data / "suppliers.csv")  # the rest: seeds/
    stream = io.StringIO()
    result = run_batch([DEFAULT_CONFIG], data=data, out_dir=tmp_path / "out", progress=stream)
    assert result.exit_code == 0
    notes = [line for line in stream.getvalue().splitlines() if line.startswith("note: ")]
    assert any("shipped reference tables" in line for line in notes), stream.getvalue()
