"""Small text helpers shared by error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "shorten"]


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' hint, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, ending in '...' when cut (for messages)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
