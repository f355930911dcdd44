"""docs/how-do-i.md stays true: every command line parses, every Python block runs."""

from __future__ import annotations

import re
import shlex

import pytest

from riskengine.cli import build_parser
from tests.conftest import REPO

PAGE = (REPO / "docs" / "how-do-i.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE, flags=re.S)


def _commands() -> list[str]:
    """Every ``riskengine ...`` line of the shell blocks (comments dropped)."""
    lines = [line.strip() for block in _blocks("sh") for line in block.splitlines()]
    return [line for line in lines if line.startswith("riskengine ")]


def test_the_page_answers_its_questions_in_order_with_commands_and_python():
    questions = re.findall(r"^## (\d+)\. \.\.\. (.+)\?$", PAGE, flags=re.M)
    assert [int(n) for n, _ in questions] == list(range(1, 12))
    assert len(_commands()) >= 10
    assert len(_blocks("python")) >= 8


@pytest.mark.parametrize("line", _commands())
def test_command_line_parses(line):
    argv = shlex.split(line, comments=True)
    assert argv[0] == "riskengine"
    args = build_parser().parse_args(argv[1:])
    assert callable(args.run)


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_python_block_runs(index, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the blocks must not depend on (or write to) the checkout
    exec(compile(_blocks("python")[index], f"docs/how-do-i.md[python {index}]", "exec"), {})
    assert capsys.readouterr().out.strip()
