"""What the command line writes to the terminal: no control characters, one-line warnings.

Supplier names, file names and values come from the analyst's files and end
up in tables, summaries and error messages. An ESC character in a name could
recolour or clear the terminal, and a right-to-left override could reorder
what is shown after it; so every write to stdout and stderr has its control
and bidi-override characters written as ``\\uXXXX`` (newlines kept). JSON
output stays valid: JSON reads ``\\uXXXX`` back as the same character.

Python warnings (numpy's "invalid value encountered", openpyxl's notes) are
shown as one ``warning:`` line, without source paths.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from riskengine._text import escape_controls

__all__ = ["SafeStream", "terminal"]


class SafeStream:
    """A text stream that escapes control characters before writing to ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` with control characters escaped; return the length given."""
        self._stream.write(escape_controls(text, keep="\n"))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _show(message: Warning | str, *_: Any, **__: Any) -> None:
    text = str(message).splitlines()[0] if str(message) else type(message).__name__
    sys.stderr.write(f"warning: {text}\n")


@contextmanager
def terminal() -> Iterator[None]:
    """Escape control characters on stdout and stderr, and show warnings as one line."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        with warnings.catch_warnings():  # restores showwarning afterwards
            warnings.showwarning = _show  # how warnings look; which are shown is unchanged
            yield
    finally:
        sys.stdout, sys.stderr = out, err
