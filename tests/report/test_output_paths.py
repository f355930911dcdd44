"""Output paths checked before any computation; staging folders of killed runs cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from riskengine.cli import optimise as optimise_cli
from riskengine.report import run as run_module
from riskengine.report import staging as staging_module
from riskengine.report.staging import remove_stale_staging, staging, write_atomically
from tests.conftest import DEFAULT_CONFIG, REPO


@pytest.fixture
def no_compute(monkeypatch):
    """Fail the test if the report computation starts."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed before the output folder was checked")

    monkeypatch.setattr(run_module, "compute", refuse)


def _report(run_cli, out: str) -> tuple[int, str, str]:
    return run_cli("report", "--config", str(DEFAULT_CONFIG), "--out", out)


@pytest.mark.parametrize("kind", ["device", "file", "under-a-file"])
def test_unusable_out_dir_exits_2_before_computing(tmp_path, run_cli, no_compute, kind):
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    out, culprit = {
        "device": ("/dev/null", "/dev/null"),
        "file": (str(a_file), str(a_file)),
        "under-a-file": (str(a_file / "reports"), str(a_file)),
    }[kind]
    code, stdout, err = _report(run_cli, out)
    assert code == 2 and stdout == ""
    assert err == (
        f"error: report.out_dir {out}: cannot write a report folder there ({culprit} is not a "
        "folder); give a folder you can write to with --out or report.out_dir\n"
    )


def test_out_dir_set_in_the_config_is_checked_too(run_cli, no_compute):
    code, _, err = run_cli(
        "report", "--config", str(DEFAULT_CONFIG), "--set", "report.out_dir=/dev/null"
    )
    assert code == 2 and "report.out_dir /dev/null: cannot write a report folder there" in err


def test_unwritable_out_dir_exits_2_and_leaves_nothing(tmp_path, run_cli, monkeypatch, no_compute):
    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(staging_module.tempfile, "mkdtemp", refuse)
    out = tmp_path / "new" / "reports"
    code, _, err = _report(run_cli, str(out))
    assert code == 2
    assert f"report.out_dir {out}: cannot write a report folder there (Permission denied)" in err
    assert not (tmp_path / "new").exists()


def test_write_lp_into_a_missing_folder_exits_2_before_solving(tmp_path, run_cli, monkeypatch):
    def refuse(*args: object) -> None:
        raise AssertionError("loaded and solved before the LP path was checked")

    monkeypatch.setattr(optimise_cli, "load_inputs", refuse)
    target = tmp_path / "missing" / "plan.lp"
    code, _, err = run_cli("optimise", "--write-lp", str(target))
    assert code == 2
    assert err == (
        f"error: --write-lp {target}: folder {target.parent} does not exist; create it or give "
        "another path\n"
    )
    code, _, err = run_cli("optimise", "--write-lp", str(tmp_path))
    assert code == 2 and err == f"error: --write-lp {tmp_path}: is a folder; give a file name\n"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _staging_name(pid: int, host: str | None = None) -> str:
    return f".20260101-000000-x.riskengine-{pid}-{host or staging_module._host()}.abcd1234.tmp"


def test_staging_folders_of_dead_processes_are_removed(tmp_path):
    dead = tmp_path / _staging_name(_dead_pid())
    live = tmp_path / _staging_name(os.getpid())
    elsewhere = tmp_path / _staging_name(_dead_pid(), host="another-host")
    old = tmp_path / _staging_name(os.getpid(), host="another-host")
    report = tmp_path / "20260101-000000-x"
    for folder in (dead, live, elsewhere, old, report):
        folder.mkdir()
        (folder / "report.html").write_text("x", encoding="utf-8")
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    assert sorted(remove_stale_staging(tmp_path)) == sorted([dead, old])
    assert live.exists() and elsewhere.exists() and report.exists()


def test_a_run_killed_while_writing_is_cleaned_up_by_the_next_run(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from riskengine.report.staging import staging
        with staging(Path({str(tmp_path)!r}), "20260101-000000-killed") as tmp:
            (tmp / "report.html").write_text("half", encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False)
    assert killed.returncode == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".20260101-000000-killed.riskengine-")
    folder = write_atomically(tmp_path, "20260101-000001-next", lambda tmp: None)
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]


def test_staging_is_hidden_and_removed_on_failure(tmp_path):
    with pytest.raises(RuntimeError), staging(tmp_path, "20260101-000000-x") as tmp:
        assert tmp.name.startswith(".") and tmp.parent == tmp_path
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


_INTERRUPT_WHILE_IMPORTING = """
import os, signal, sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Interrupt())
from riskengine.cli import entry_point
sys.argv = ["riskengine", "validate"]
entry_point()
"""


def test_ctrl_c_while_a_command_imports_its_libraries_exits_130_quietly():
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPT_WHILE_IMPORTING],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 130
    assert done.stderr == "interrupted\n" and done.stdout == ""
