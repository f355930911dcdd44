"""Argument types of the command line: counts and numbers checked against the shared limits.

Standard library only (``--help`` imports this module). A value out of range
is an argparse error, so it exits 2 naming the option, the value and the range.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from riskengine._limits import number_text

__all__ = ["count", "finite"]


def count(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (the API's limits)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {number_text(high)}, got {text!r}"
            )
        return value

    return parse


def finite(low: float = -math.inf, high: float = math.inf) -> Callable[[str], float]:
    """An argparse type: a finite number from ``low`` to ``high`` (either may be open)."""
    bounds = ["a finite number"]
    if math.isfinite(low):
        bounds.append(f"from {number_text(low)}")
    if math.isfinite(high):
        bounds.append(f"at most {number_text(high)}")

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {', '.join(bounds)}, got {text!r}")
        return value

    return parse
