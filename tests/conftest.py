"""Shared fixtures: synthetic data folders and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from riskengine.cli import main
from riskengine.data import write_dataset
from riskengine.data.synthetic import generate_dataset

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
DEFAULT_CONFIG = REPO / "config" / "default.yaml"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A small valid generated dataset written as CSV (70 offers)."""
    return write_dataset(generate_dataset(n_offers=70, seed=0), tmp_path / "data")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``riskengine ARGS``; return (exit code, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def edit_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a CSV file (the test's own copy), failing if it is absent."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
