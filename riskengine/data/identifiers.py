"""Identifiers that look alike: invisible characters and letters borrowed from other scripts.

Two supplier ids that differ only by a zero-width space, or by a Cyrillic
``а`` standing in for a Latin ``a``, look identical on screen but count as two
offers. :func:`skeleton` reduces an identifier to what a reader sees (NFKC
compatibility form, invisible format and control characters removed, Cyrillic
and Greek lookalikes mapped to Latin letters, whitespace runs as one space),
and two different identifiers with the same skeleton are refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["hidden_characters", "lookalike_of", "skeleton"]

#: Cyrillic and Greek letters drawn like Latin ones (after Unicode's confusables.txt).
_CONFUSABLE = str.maketrans(
    "АВЕЅІЈКМНОРСТХУҮӀԚԜаеіјорсухѕһԁԛԝӏ"  # Cyrillic
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοναιρκ",  # Greek
    "ABESIJKMHOPCTXYYIQWaeijopcyxshdqwlABEZHIKMNOPTYXovaipk",
)


def _visible(char: str) -> bool:
    return unicodedata.category(char) not in ("Cf", "Cc", "Co", "Cn")


def skeleton(text: str) -> str:
    """What a reader sees of ``text``: compatibility form, no invisible characters, Latin lookalikes."""
    normal = unicodedata.normalize("NFKC", text)
    kept = "".join(c for c in normal if _visible(c)).translate(_CONFUSABLE)
    return " ".join(kept.split())


def hidden_characters(text: str) -> str:
    """The invisible or lookalike characters of ``text``, e.g. 'U+200B ZERO WIDTH SPACE'."""
    found = []
    for char in dict.fromkeys(text):
        if char.isascii() and _visible(char):
            continue
        lookalike = char.translate(_CONFUSABLE) != char
        if not _visible(char) or lookalike or unicodedata.normalize("NFKC", char) != char:
            found.append(f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}")
    return ", ".join(found)


def lookalike_of(value: str, known: Iterable[str]) -> str | None:
    """The first of ``known`` that differs from ``value`` but has the same skeleton, or None."""
    target = skeleton(value)
    return next((k for k in known if k != value and skeleton(k) == target), None)
