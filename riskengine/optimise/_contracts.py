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

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskengine.data.dataset import Dataset
from riskengine.enums import Mode
from riskengine.exceptions import DataError, InputIssue
from riskengine.optimise.families import Block, RhsSource, make_block

if TYPE_CHECKING:
    from riskengine.optimise.parameters import ModelArrays
    from riskengine.optimise.problem import Structure

__all__ = [
    "CONTRACT_COLUMN",
    "INFEASIBLE_HINT",
    "check_contracts",
    "contract_block",
    "contracted_tonnes",
]

CONTRACT_COLUMN = "contracted_t"
INFEASIBLE_HINT = (
    f"the contracted minimum volumes (suppliers.csv column {CONTRACT_COLUMN}) "
    "together exceed what capacity and the hard caps allow; lower them or relax "
    "optimiser.max_supplier_share or the buyers' hard policy caps (enforce: soft)"
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
                InputIssue(
                    *dataset.where("suppliers", int(i)),
                    CONTRACT_COLUMN,
                    str(raw.iloc[i]),
                    "is not valid; expected tonnes >= 0, or empty for no contract",
                )
                for i in bad
            ]
        )
    return values.fillna(0.0).astype(float)


def _hard_cap_t(structure: Structure, caps: pd.DataFrame, demand_t: np.ndarray) -> np.ndarray:
    """Per x: the hard demand-basis country cap theta x D on its country (inf where none)."""
    x = structure.x
    out = np.full(len(x), np.inf)
    hard = caps[(~caps["soft"]) & (caps["basis"] == "demand")] if not caps.empty else caps
    if hard.empty:
        return out
    hard = hard.groupby(["need", "country"], as_index=False)["share"].min()  # any stage
    key = pd.MultiIndex.from_arrays([hard["need"], hard["country"]])
    row = key.get_indexer(pd.MultiIndex.from_arrays([x["need"], x["country"]]))
    hit = row >= 0
    theta = hard["share"].to_numpy(dtype=float)[row[hit]]
    out[hit] = theta * demand_t[structure.x_need[hit]]
    return out


def contract_block(
    dataset: Dataset, structure: Structure, base: ModelArrays, caps: pd.DataFrame, mode: Mode
) -> Block | None:
    """The ``contract`` rows (only with a ``contracted_t`` column), checked before solving.

    ``joint``: sum over buyers of x[b,o] >= contracted_t[o]; ``separate``:
    x[b,o] >= contracted_t[o] x D[b,c] / sum_b' D[b',c]. The right-hand side
    reads the ``contract`` parameter, so a capacity cut in a scenario cuts it too.
    """
    offer, x = structure.offers, structure.x
    if not (offer["contracted_t"] > 0).any():
        return None
    under = np.flatnonzero(offer["contracted_t"].to_numpy()[structure.x_offer] > 0)
    if not len(under):  # contracts on offers no buyer needs
        empty = pd.DataFrame(columns=["commodity", "supplier_id", "rhs_t", "attainable_t"])
        check_contracts(dataset, empty, offer[offer["contracted_t"] > 0], structure)
    demand = structure.needs["demand_t"].to_numpy(dtype=float)
    group = structure.need_group
    share = np.ones(len(under))
    if mode is Mode.SEPARATE:
        total = np.bincount(group, demand)[group]
        share = (demand / total)[structure.x_need[under]]
    keys = x.iloc[under]
    grouping = ["offer"] if mode is Mode.JOINT else ["need", "offer"]
    row = keys.groupby(grouping, sort=True).ngroup().to_numpy()
    most = np.minimum(base.x_upper_t, _hard_cap_t(structure, caps, demand))[under]
    frame = keys.assign(row=row, share_=share, most=most)
    agg = frame.groupby("row").agg(
        buyer=("buyer", "first"),
        commodity=("commodity", "first"),
        supplier_id=("supplier_id", "first"),
        country=("country", "first"),
        offer=("offer", "first"),
        share_=("share_", "first"),
        most=("most", "sum"),
    )
    if mode is Mode.JOINT:
        agg["buyer"] = np.nan
    contracted = offer["contracted_t"].to_numpy(dtype=float)[agg["offer"].to_numpy()]
    capacity = offer["capacity_t"].to_numpy(dtype=float)[agg["offer"].to_numpy()]
    agg["rhs_t"] = contracted * agg["share_"].to_numpy()
    agg["attainable_t"] = np.minimum(agg["most"], capacity)
    check_contracts(dataset, agg, offer[offer["contracted_t"] > 0], structure)
    rows = agg[["buyer", "commodity", "supplier_id", "country", "rhs_t"]]
    entries = (row, under, np.ones(len(under)))
    rhs: tuple[RhsSource, np.ndarray, np.ndarray] = (
        "contract",
        agg["offer"].to_numpy(),
        agg["share_"].to_numpy(),
    )
    return make_block("contract", entries, structure.layout.n_cols, rows, "ge", rhs)


def check_contracts(
    dataset: Dataset, rows: pd.DataFrame, offers: pd.DataFrame, structure: Structure
) -> None:
    """Raise :class:`DataError` for contracts no plan can honour, and for unsold ones.

    ``offers`` holds every offer with a contract (``supplier_id, commodity``);
    one that no buyer needs (no x column) cannot be honoured either.
    """
    problems = []
    sold = set(zip(rows["commodity"], rows["supplier_id"], strict=True))
    for offer in offers.itertuples():
        where = dataset.where("suppliers", int(offer.row))
        if (offer.commodity, offer.supplier_id) not in sold:
            problems.append(
                InputIssue(
                    *where,
                    CONTRACT_COLUMN,
                    f"{offer.contracted_t:g}",
                    "no buyer has demand for this commodity, so the contract "
                    "cannot be honoured; add demand or remove the contract",
                )
            )
    row_of = dict(zip(structure.offers["offer"], structure.offers["row"], strict=True))
    for r in rows[rows["rhs_t"] > rows["attainable_t"] * (1 + 1e-9) + 1e-9].itertuples():
        where = dataset.where("suppliers", int(row_of[r.offer]))
        problems.append(
            InputIssue(
                *where,
                CONTRACT_COLUMN,
                f"{r.rhs_t:g}",
                f"at most {r.attainable_t:,.2f} t can be bought from this offer "
                "within capacity, max_supplier_share and a hard country cap on demand; "
                "lower the contract or relax those caps",
            )
        )
    if problems:
        raise DataError(problems)
