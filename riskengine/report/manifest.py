"""``manifest.json``: what a report was made from and with, so it can be reproduced.

It records the package version, the configuration as resolved, the SHA-256 of
every input file (the data tables and the configuration file), the solver's
name, version, status and time, and the Python and library versions. Its
``created`` field is the only timestamp a report folder holds besides its name.
"""

from __future__ import annotations

import platform
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from riskengine._version import __version__
from riskengine.report.model import ReportData
from riskengine.report.writers import sha256_file

__all__ = ["LIBRARIES", "MANIFEST_FORMAT", "input_files", "library_versions", "manifest"]

MANIFEST_FORMAT = "riskengine-manifest/1"
#: Distributions whose versions are recorded.
LIBRARIES = (
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "highspy",
    "PuLP",
    "pydantic",
    "PyYAML",
    "openpyxl",
    "matplotlib",
)


def library_versions() -> dict[str, str | None]:
    """Installed version of each of :data:`LIBRARIES` (None when not installed)."""
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def input_files(data: ReportData) -> list[dict[str, Any]]:
    """Role, path, size and SHA-256 of every input file, data tables first."""
    files = [("data", Path(p)) for p in data.dataset.files]
    if data.notes.path is not None:
        files.append(("sources", data.notes.path))
    if data.config_path is not None:
        files.append(("config", Path(data.config_path)))
    return [
        {
            "role": role,
            "path": str(path.resolve()),
            "bytes": path.stat().st_size,
            "sha256": sha256_file(path),
        }
        for role, path in files
        if path.is_file()
    ]


def _solver(data: ReportData) -> dict[str, Any]:
    res = data.result
    return {
        "name": res.solver,
        "version": res.solver_version,
        "backend": res.backend,
        "status": res.status.value,
        "message": res.message,
        "build_s": res.build_s,
        "solve_s": res.solve_s,
        "size": dict(res.size),
    }


def manifest(data: ReportData, created: datetime, outputs: dict[str, str]) -> dict[str, Any]:
    """The manifest document.

    Parameters
    ----------
    data : ReportData
        The run.
    created : datetime
        When the run started (timezone-aware).
    outputs : dict
        File name -> SHA-256 of every other file in the report folder.
    """
    return {
        "format": MANIFEST_FORMAT,
        "created": created.isoformat(timespec="seconds"),
        "riskengine_version": __version__,
        "config_name": data.config.name,
        "config_file": None if data.config_path is None else str(Path(data.config_path).resolve()),
        "config": data.config.model_dump(mode="json"),
        "data_source": data.dataset.source,
        "data_vintage": data.dataset.vintage,
        "inputs": input_files(data),
        "solver": _solver(data),
        "seconds": dict(data.seconds),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "libraries": library_versions(),
        "outputs": dict(sorted(outputs.items())),
    }
