"""Publishing a report folder atomically, and cleaning up after runs that were killed.

A report is written into a hidden staging folder next to its destination and
renamed into place only when every file is complete; on any failure the
staging folder is removed (and an output folder this run created, if it is
still empty), so a failed run leaves nothing behind.

The staging folder is created before anything is computed, so an output
folder that is a file, lies under a file or cannot be written fails at once
(exit 2), not after the whole computation. Its name holds the process id and
host (``.<stem>.riskengine-<pid>-<host>.<random>.tmp``): a run killed with
SIGKILL cannot clean up after itself, so each later run removes the staging
folders of processes on this host that no longer exist (and any older than a
week). Staging folders are hidden (their names start with a dot) and are
never listed as reports.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from riskengine.exceptions import ConfigError

__all__ = [
    "check_out_dir",
    "publish",
    "remove_stale_staging",
    "staging",
    "write_atomically",
]


def _new_dirs(path: Path) -> list[Path]:
    """Create ``path`` (with parents); return the folders this call created, outermost first."""
    missing = [p for p in (path, *path.parents) if not p.exists()][::-1]
    path.mkdir(parents=True, exist_ok=True)
    return missing


def publish(tmp: Path, out_dir: Path, stem: str) -> Path:
    """Rename the finished ``tmp`` to ``out_dir/stem`` (or ``stem-2``, ...); never replace."""
    number = 1
    while True:
        target = out_dir / (stem if number == 1 else f"{stem}-{number}")
        number += 1
        if target.exists():
            continue
        try:
            os.rename(tmp, target)
        except OSError:
            if target.exists():
                continue
            raise
        return target


_STALE_AFTER_S = 7 * 24 * 3600
_STAGING = re.compile(r"^\..+\.riskengine-(?P<pid>\d+)-(?P<host>[A-Za-z0-9-]*)\.[^.]+\.tmp$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname())[:40]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _stale(folder: Path, now: float) -> bool:
    """True for a staging folder whose process is gone (this host) or that is a week old."""
    match = _STAGING.match(folder.name)
    if match is None or not folder.is_dir():
        return False
    if now - folder.stat().st_mtime > _STALE_AFTER_S:
        return True
    return match["host"] == _host() and not _alive(int(match["pid"]))


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove staging folders left in ``out_dir`` by runs that were killed; return them."""
    if not out_dir.is_dir():
        return []
    now = time.time()
    removed = []
    for folder in out_dir.iterdir():
        try:
            if _stale(folder, now):
                shutil.rmtree(folder)
                removed.append(folder)
        except OSError:
            continue  # another run removed it first, or it is not ours to remove
    return removed


def check_out_dir(out_dir: Path) -> None:
    """Refuse an output folder that is a file or lies under one (before any computation)."""
    for folder in (out_dir, *out_dir.parents):
        if folder.exists():
            if not folder.is_dir():
                raise _output_error(out_dir, f"{folder} is not a folder")
            return


def _output_error(out_dir: Path, reason: str) -> ConfigError:
    return ConfigError(
        f"report.out_dir {out_dir}: cannot write a report folder there ({reason}); give a "
        "folder you can write to with --out or report.out_dir"
    )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _make_staging(out_dir: Path, stem: str) -> tuple[Path, list[Path]]:
    check_out_dir(out_dir)
    created: list[Path] = []
    try:
        created = _new_dirs(out_dir)
        remove_stale_staging(out_dir)
        prefix = f".{stem}.riskengine-{os.getpid()}-{_host()}."
        tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=out_dir))
    except OSError as exc:
        _remove_empty(created)
        raise _output_error(out_dir, exc.strerror or str(exc)) from None
    tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a report folder is not
    return tmp, created


def _remove_empty(created: list[Path]) -> None:
    for folder in reversed(created):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


@contextmanager
def staging(out_dir: Path, stem: str) -> Iterator[Path]:
    """A hidden temporary folder in ``out_dir``, removed (with new empty parents) on failure.

    Raises
    ------
    ConfigError
        When ``out_dir`` is a file, lies under one, or cannot be written.
    """
    tmp, created = _make_staging(out_dir, stem)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(created)
        raise


def write_atomically(out_dir: Path, stem: str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a staging folder, then publish it as ``out_dir/stem``."""
    with staging(out_dir, stem) as tmp:
        write(tmp)
        return publish(tmp, out_dir, stem)
