"""Optional extension: existing contracts as minimum volumes per offer.

Off unless ``suppliers.csv`` has a ``contracted_t`` column (t/yr; empty or 0 =
no contract). Each contracted offer gets a row of the ``contract`` family:

* ``joint``: sum over buyers of x[b,o] >= contracted_t[o];
* ``separate``: x[b,o] >= contracted_t[o] * D[b,c] / sum_b' D[b',c] (the
  contract is split pro rata to demand, like capacity).

Contracts break the guarantee that buying nothing is feasible, so
:func:`check_contracts` rejects, before solving, any contract larger than what
the offer's own limits allow (capacity, supplier cap, country cap); a
combination of contracts that together exceed a shared cap is reported by the
solver as ``infeasible`` with a message naming this column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.data.dataset import Dataset
from riskengine.enums import Mode
from riskengine.exceptions import DataError, Problem

__all__ = ["CONTRACT_COLUMN", "INFEASIBLE_HINT", "check_contracts", "contracted_tonnes"]

CONTRACT_COLUMN = "contracted_t"
INFEASIBLE_HINT = (
    f"the contracted minimum volumes (suppliers.csv column {CONTRACT_COLUMN}) "
    "together exceed what capacity and the caps allow; lower them or relax "
    "optimiser.max_country_share, max_supplier_share or min_partner_share"
)


def contracted_tonnes(dataset: Dataset) -> pd.Series:
    """Contracted t/yr per row of ``suppliers`` (0 where none); all zero without the column.

    Raises
    ------
    DataError
        Naming every row whose value is not a number >= 0.
    """
    suppliers = dataset.suppliers
    if CONTRACT_COLUMN not in suppliers.columns:
        return pd.Series(0.0, index=suppliers.index)
    raw = suppliers[CONTRACT_COLUMN]
    empty = raw.isna() | raw.astype(str).str.strip().isin(["", "nan"])
    values = pd.to_numeric(raw.where(~empty), errors="coerce")
    bad = np.flatnonzero((~empty & ~(values >= 0)).to_numpy())
    if len(bad):
        raise DataError(
            [
                Problem(
                    *dataset.where("suppliers", int(i)),
                    CONTRACT_COLUMN,
                    str(raw.iloc[i]),
                    "is not valid; expected tonnes >= 0, or empty for no contract",
                )
                for i in bad
            ]
        )
    return values.fillna(0.0).astype(float)


def contract_rows(x: pd.DataFrame, mode: Mode) -> tuple[pd.DataFrame, np.ndarray]:
    """The x columns under a contract, and the row number of each."""
    under = x[x["contracted_t"] > 0]
    keys = ["commodity", "supplier_id"] if mode is Mode.JOINT else ["pair", "supplier_id"]
    return under, under.groupby(keys, sort=True).ngroup().to_numpy()


def contract_rhs(under: pd.DataFrame, row: np.ndarray, mode: Mode) -> pd.DataFrame:
    """One line per contract row: keys, ``rhs_t`` and ``attainable_t`` (the most its
    columns can hold under capacity, supplier cap and country cap, each alone)."""
    share = under["demand_t"] / under["commodity_demand_t"] if mode is Mode.SEPARATE else 1.0
    frame = under.assign(
        row=row,
        rhs_t=under["contracted_t"] * share,
        most=np.minimum(under["ub_t"], under["country_cap_t"]),
    )
    agg = frame.groupby("row").agg(
        buyer=("buyer", "first" if mode is Mode.SEPARATE else lambda b: np.nan),
        commodity=("commodity", "first"),
        supplier_id=("supplier_id", "first"),
        country=("country", "first"),
        rhs_t=("rhs_t", "first"),
        most=("most", "sum"),
        capacity_t=("capacity_t", "first"),
    )
    agg["attainable_t"] = np.minimum(agg["most"], agg["capacity_t"])
    return agg.drop(columns=["most", "capacity_t"])


def check_contracts(dataset: Dataset, rows: pd.DataFrame, offers: pd.DataFrame) -> None:
    """Raise :class:`DataError` for contracts no plan can honour, and for unsold ones.

    ``offers`` holds every offer with a contract (``supplier_id, commodity``);
    one that no buyer needs (no x column) cannot be honoured either.
    """
    problems = []
    sold = set(zip(rows["commodity"], rows["supplier_id"], strict=True))
    ids = list(zip(dataset.suppliers["commodity"], dataset.suppliers["supplier_id"], strict=True))
    for offer in offers.itertuples():
        where = dataset.where("suppliers", ids.index((offer.commodity, offer.supplier_id)))
        if (offer.commodity, offer.supplier_id) not in sold:
            problems.append(
                Problem(
                    *where,
                    CONTRACT_COLUMN,
                    str(offer.contracted_t),
                    "no buyer has demand for this commodity, so the contract "
                    "cannot be honoured; add demand or remove the contract",
                )
            )
    for r in rows[rows["rhs_t"] > rows["attainable_t"] * (1 + 1e-9) + 1e-9].itertuples():
        where = dataset.where("suppliers", ids.index((r.commodity, r.supplier_id)))
        problems.append(
            Problem(
                *where,
                CONTRACT_COLUMN,
                f"{r.rhs_t:g}",
                f"at most {r.attainable_t:,.2f} t can be bought from this offer "
                "within capacity, max_supplier_share and max_country_share; "
                "lower the contract or relax those caps",
            )
        )
    if problems:
        raise DataError(problems)
