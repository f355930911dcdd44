"""Shared report runs (module-scoped helpers live in the test modules; this holds constants)."""

from __future__ import annotations

#: Supplier names a hostile data file could hold: markup, spreadsheet formulas, non-Latin text.
HOSTILE_NAMES = (
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "日本語",
    "Ελληνικά",
)
#: The hostile names a spreadsheet would read as formulas.
FORMULA_NAMES = tuple(n for n in HOSTILE_NAMES if n[0] in "=+-@")
