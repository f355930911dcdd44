"""Score a supplier list kept in Excel.

An analyst's supplier master usually lives in a spreadsheet. This script
writes the shipped offers to an .xlsx file (standing in for yours), reads it
back with pandas, and scores every offer for the EU with the scikit-learn
``RiskScorer`` measured against the shipped reference tables.

Run: python examples/score_excel_suppliers.py [your_suppliers.xlsx]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

import riskengine


def main(path: Path | None = None) -> pd.DataFrame:
    """Score the offers in ``path`` (default: a copy of the shipped offers) for the EU."""
    reference = riskengine.load_dataset()  # countries, production, export controls
    if path is None:
        path = Path(tempfile.mkdtemp()) / "my_suppliers.xlsx"
        reference.suppliers.to_excel(path, sheet_name="suppliers", index=False)
    offers = pd.read_excel(path, sheet_name="suppliers")
    scorer = riskengine.RiskScorer(buyer="EU", reference=reference).fit(offers)
    scored = pd.concat(
        [offers[["supplier_id", "commodity", "country"]], scorer.transform(offers)], axis=1
    )
    riskiest = scored.sort_values("risk_score", ascending=False).head(5)
    print("Five riskiest offers for the EU (points out of 100):")
    print(
        riskiest[["supplier_id", "commodity", "country", "export_control", "partner", "risk_score"]]
        .round(1)
        .to_string(index=False)
    )
    return scored


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
