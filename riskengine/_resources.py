"""Where the shipped tables and configurations are: a checkout's folders, or the installed copy.

In a checkout they are ``seeds/`` and ``config/`` at the top of the repository;
an installed package carries copies under ``riskengine/_shipped/`` (see
``pyproject.toml``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

__all__ = ["shipped"]

_MARKER = {"seeds": "suppliers.csv", "config": "default.yaml"}


def shipped(kind: Literal["seeds", "config"]) -> Path:
    """Folder of the shipped ``seeds`` or ``config``."""
    checkout = Path(__file__).resolve().parents[1] / kind
    if (checkout / _MARKER[kind]).is_file():
        return checkout
    return Path(str(files("riskengine"))) / "_shipped" / kind
