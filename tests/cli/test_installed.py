"""The command line as a user runs it: from any folder, piped, with the shipped data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _run(args: list[str], cwd: Path, shell: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        shell=shell,
    )


def test_shipped_data_loads_from_any_folder(tmp_path):
    done = _run(
        [
            sys.executable,
            "-c",
            "import riskengine; d = riskengine.load_dataset(); "
            "print(len(d.suppliers), riskengine.__file__)",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[0]) >= 40


def test_validate_and_stress_from_any_folder_use_the_shipped_default(tmp_path):
    done = _run([sys.executable, "-m", "riskengine", "validate", "--format", "json"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"]["suppliers"] >= 40
    done = _run(
        [
            sys.executable,
            "-m",
            "riskengine",
            "stress",
            "--scenario",
            "japan-embargo",
            "--format",
            "json",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr


def test_report_from_any_folder_writes_under_that_folder(tmp_path):
    done = _run(
        [
            sys.executable,
            "-m",
            "riskengine",
            "report",
            "--set",
            "report.frontier_points=0",
            "--set",
            "optimiser.stochastic.in_report=false",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip().splitlines()[-1])
    assert folder.parent == tmp_path / "reports"
    assert (folder / "report.html").is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipe")
def test_piping_into_head_is_not_an_error(tmp_path):
    from riskengine import generate_dataset, write_dataset

    big = write_dataset(generate_dataset(n_offers=5000, seed=0), tmp_path / "big")  # ~2 MB out
    done = _run(
        f"'{sys.executable}' -m riskengine score --data '{big}' --format csv | head -n 2",
        REPO,
        shell=True,
    )
    assert len(done.stdout.splitlines()) == 2
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
