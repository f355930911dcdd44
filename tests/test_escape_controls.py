"""escape_controls: the pattern kept for line breaks gives the text of the general rule."""

from __future__ import annotations

import pytest

from riskengine._text import escape_controls

_TEXTS = [
    "plain\nlines\n",
    "tab\tcr\r\nesc\x1b[31mred\x1b[0m\n",
    "bidi \u202eevil\u202c and \u2066isolate\u2069\u2028sep\u2029\x7f\x85",
    "",
]


def _general(text: str, keep: str) -> str:
    out = []
    for char in text:
        escaped = escape_controls(char, keep="x")  # never kept: the general rule's pattern
        out.append(char if char in keep else escaped)
    return "".join(out)


@pytest.mark.parametrize("keep", ["\n", "", "\t"])
@pytest.mark.parametrize("text", _TEXTS)
def test_every_keep_escapes_as_the_general_rule(text: str, keep: str) -> None:
    assert escape_controls(text, keep=keep) == _general(text, keep)
    assert "\x1b" not in escape_controls(text, keep=keep)
