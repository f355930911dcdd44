"""One progress display for long work: scenario sweeps and batches of reports.

Two styles on one class: a one-line indicator rewritten in place (``\\r``) for
thousands of fast steps (a scenario sweep, shown only on a terminal), and one
line per step with a bar for a few slow steps whose outcome should stay in a
log (a batch of reports). No dependency; the stream is stderr by default.
"""

from __future__ import annotations

import sys
from time import perf_counter
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """A progress indicator on a text stream.

    Parameters
    ----------
    total : int
        Number of steps.
    enabled : bool or None
        None = only when the stream is a terminal and ``total >= 50``.
    label : str
        Shown before the count (in-place style).
    stream : text stream, optional
        Default ``sys.stderr``.
    unit : str
        What a step is, e.g. ``"scenarios"``.
    lines : bool
        One line per step with a 20-character bar and the step's text (a log),
        instead of one line rewritten in place.
    """

    def __init__(
        self,
        total: int,
        enabled: bool | None = None,
        label: str = "sweep",
        stream: TextIO | None = None,
        unit: str = "scenarios",
        lines: bool = False,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = total >= 50 and bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.enabled, self.label = total, enabled, label
        self.unit, self.lines = unit, lines
        self.done, self.start, self.shown = 0, perf_counter(), -1.0

    def update(self, count: int, text: str = "") -> None:
        """Record ``count`` more finished steps; ``text`` describes the last one (line style)."""
        self.done += count
        if not self.enabled:
            return
        if self.lines:
            filled = 20 * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (20 - filled)
            self.stream.write(f"[{bar}] {self.done}/{self.total} {text}\n")
            self.stream.flush()
            return
        now = perf_counter()
        if now - self.shown >= 0.1 or self.done >= self.total:
            self.shown = now
            pct = 100.0 * self.done / self.total if self.total else 100.0
            self.stream.write(
                f"\r{self.label}: {self.done}/{self.total} {self.unit} "
                f"({pct:3.0f}%), {now - self.start:.1f} s"
            )
            self.stream.flush()

    def close(self) -> None:
        """End the in-place line (line style needs nothing)."""
        if self.enabled and not self.lines:
            self.stream.write("\n")
            self.stream.flush()
