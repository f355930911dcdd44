"""CI job: install the lowest versions pyproject.toml declares and run the suite on them.

Every runtime dependency ``name>=X`` (upper bounds ignored) is pinned to ``name==X``
in a fresh virtual environment, riskengine is installed with its test extra under
those pins, and ``pytest`` runs there. Run from the repository root:
``python .ci/lowest.py``. Exit code: pytest's, or pip's if an install fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lowest_pins(pyproject: Path) -> list[str]:
    """``name==X`` for every ``name>=X`` runtime dependency of ``pyproject``."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pins = []
    for spec in project["dependencies"]:
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([^,;\s]+)", spec)
        if match is None:
            raise SystemExit(f"pyproject.toml: dependency {spec!r} has no '>=' lower bound")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


def main() -> int:
    pins = lowest_pins(ROOT / "pyproject.toml")
    with tempfile.TemporaryDirectory(prefix="riskengine-lowest-") as tmp:
        venv, constraints = Path(tmp) / "venv", Path(tmp) / "lowest.txt"
        constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
        python = str(venv / "bin" / "python")
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [python, "-m", "pip", "install", "-q", "-c", str(constraints), f"{ROOT}[test]"],
            [python, "-m", "pip", "list"],
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        ]
        print("lowest declared versions:", ", ".join(pins), flush=True)
        for step in steps:
            code = subprocess.run(step, cwd=ROOT, check=False).returncode
            if code != 0:
                return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
