"""Small text helpers shared by error messages."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from riskengine._limits import number_text

__all__ = ["did_you_mean", "escape_controls", "number_text", "replace_controls", "shorten"]


#: Characters that change how text is shown rather than showing: C0 and C1 controls
#: (ESC starts terminal escape sequences), DEL, bidirectional embeddings, overrides
#: and isolates (which reorder what follows them), and the Unicode line separators.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_OR_BREAK = re.compile(f"[{_CONTROLS}\t\r\n]")
#: The pattern for a ``keep`` of line breaks only: what it keeps is never matched.
_BREAKS_KEPT = {"\n": re.compile(f"[{_CONTROLS}\t\r]"), "": _CONTROL_OR_BREAK}


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' hint, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, ending in '...' when cut (for messages)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def replace_controls(text: str) -> str:
    """``text`` with control and bidi-override characters replaced by U+FFFD (tab, CR, LF kept)."""
    return _CONTROL.sub("\ufffd", text)


def escape_controls(text: str, keep: str = "\n") -> str:
    r"""``text`` with control, bidi-override, tab and CR characters written as ``\uXXXX``.

    For the terminal: what is escaped can neither move the cursor, recolour the
    screen nor reorder what follows. Characters in ``keep`` stay as they are.
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return char if char in keep else f"\\u{ord(char):04x}"

    pattern = _BREAKS_KEPT.get(keep, _CONTROL_OR_BREAK)  # kept breaks never matched: fast
    return pattern.sub(escape, text)
