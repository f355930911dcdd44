"""The one-year sourcing LP (decision model v2) written directly with numpy and highspy.

The raw baseline of ``bench_optimise.py``: what a competent analyst would
write by hand from the CSV tables, without riskengine. It reads the tables
with pandas, takes the per-offer yearly disruption probability q from a
scores table (riskengine's calibration, an input here like a risk score),
and builds the same LP as ``riskengine.optimise.build_problem`` for a
one-year configuration in joint mode:

* columns: x[b,o] (tonnes buyer b buys from offer o), shortfall[b,c],
  bought[b,c] for buyers whose cap is on consumption, and one violation
  column per soft cap row;
* objective (USD per tonne): purchase 1000 p + risk charge lambda 1000 q V,
  lost supply 1000 V (1 + max(lambda - 1, 0)) per tonne short, and 1000 w
  per tonne over a soft cap (w = 25% of V unless configured);
* rows: demand (sum x + shortfall = D), bought (sum x - bought = 0), shared
  capacity (sum over buyers x <= K, K = capacity x status availability),
  country caps (tonnes from one non-home country - theta x bought -
  violation <= 0, or <= theta x D on the demand basis);
* bounds: x <= min(sigma D, K) (K only when one buyer alone can buy o).

Model units are kilotonnes and thousands of USD, as in riskengine. It does
not import riskengine: the partner floor, export channels, offtakes, stocks
and the MILP options are not written (the benchmark's configuration uses
none of them; :func:`build` refuses a configuration that does).
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

#: Same option as riskengine: HiGHS's parallel rows/columns presolve rule off.
PRESOLVE_RULE_OFF = 8192
#: Same rule as riskengine: blocks with more columns start with IPM (then crossover).
IPM_COLUMNS = 1500
AUTO_VIOLATION_SHARE = 0.25


@dataclass
class RawLp:
    """Arrays of the LP, model units, plus each column's and row's commodity."""

    cost: np.ndarray
    upper: np.ndarray
    matrix: sp.csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_group: np.ndarray
    row_group: np.ndarray


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The CSV tables the LP needs, read with pandas (``scores.csv`` holds q)."""
    names = ("suppliers", "demand", "commodities", "countries", "scores")
    return {
        n: pd.read_csv(folder / f"{n}.csv", keep_default_na=False, na_values=[""]) for n in names
    }


def build(tables: dict[str, pd.DataFrame], settings: dict) -> RawLp:
    """The LP's arrays from the tables and plain settings (see :func:`settings_of`)."""
    if any(p and p["min_partner_share"] > 0 for p in settings["policies"].values()):
        raise ValueError("the raw baseline does not write partner floors")
    lam, sigma = settings["risk_aversion"], settings["sigma"]
    sup = tables["suppliers"]
    codes, commodity = np.unique(sup["commodity"].to_numpy(str), return_inverse=True)
    cap = sup["capacity_t"].to_numpy(float) * sup["status"].map(settings["availability"]).fillna(
        1.0
    ).to_numpy(float)
    com = tables["commodities"]
    value = pd.Series(com["lost_supply_value_usd_per_kg"].to_numpy(float), com["commodity"])
    value = value.reindex(codes).to_numpy()
    dem = tables["demand"]
    dem = dem[dem["demand_t"] > 0]
    need_buyer = dem["buyer"].to_numpy(str)
    need_com = np.searchsorted(codes, dem["commodity"].to_numpy(str))
    demand = dem["demand_t"].to_numpy(float)
    n_need = len(dem)
    # x: every need with every offer of its commodity (offers grouped by commodity)
    order = np.argsort(commodity, kind="stable")
    start = np.searchsorted(commodity[order], np.arange(len(codes) + 1))
    counts = start[need_com + 1] - start[need_com]
    x_need = np.repeat(np.arange(n_need), counts)
    x_offer = np.concatenate([order[start[c] : start[c + 1]] for c in need_com])
    n_x = len(x_need)
    buyers, x_buyer = np.unique(need_buyer[x_need], return_inverse=True)
    # q from the scores table, matched on (buyer, supplier row)
    sc = tables["scores"]
    sid = pd.Index(sup["supplier_id"].astype(str))
    score_key = sc["buyer"].map({b: i for i, b in enumerate(buyers)}).to_numpy(float)
    score_row = sid.get_indexer(sc["supplier_id"].astype(str))
    q_table = np.full((len(buyers), len(sup)), np.nan)
    ok = ~np.isnan(score_key) & (score_row >= 0)
    q_table[score_key[ok].astype(int), score_row[ok]] = sc["disruption_probability"].to_numpy(
        float
    )[ok]
    q = q_table[x_buyer, x_offer]
    price = sup["price_usd_per_kg"].to_numpy(float)[x_offer]
    v_need = value[need_com]
    alone = np.bincount(x_offer, minlength=len(sup))[x_offer] == 1
    x_upper = np.minimum(sigma * demand[x_need], np.where(alone, cap[x_offer], np.inf))
    # country caps of non-home countries, per need and country
    ctry = tables["countries"]
    bloc = dict(zip(ctry["country"].astype(str), ctry["bloc"].astype(str), strict=True))
    country = sup["country"].astype(str).to_numpy()
    x_country = country[x_offer]
    policies = settings["policies"]
    capped = np.array(
        [policies.get(b) is not None and policies[b]["theta"] is not None for b in need_buyer]
    )
    consumption = np.array(
        [capped[i] and policies[need_buyer[i]]["basis"] == "consumption" for i in range(n_need)]
    )
    bought_of = np.full(n_need, -1)
    bought_of[consumption] = np.arange(consumption.sum())
    n_bought = int(consumption.sum())
    home = np.array(
        [
            capped[p]
            and (
                k in settings["home"][need_buyer[p]]
                or bloc.get(k, "") in settings["home"][need_buyer[p]]
            )
            for p, k in zip(x_need, x_country, strict=True)
        ]
    )
    foreign = np.flatnonzero(capped[x_need] & ~home)
    keys = pd.DataFrame({"need": x_need[foreign], "country": x_country[foreign]})
    cap_row, uniques = pd.MultiIndex.from_frame(keys).factorize(sort=True)
    cap_need = uniques.get_level_values(0).to_numpy(int)
    cap_country = uniques.get_level_values(1).to_numpy(str)
    theta = np.array(
        [
            policies[need_buyer[p]]["overrides"].get(k, policies[need_buyer[p]]["theta"])
            for p, k in zip(cap_need, cap_country, strict=True)
        ],
        dtype=float,
    )
    keep = theta < 1.0
    kept = np.flatnonzero(keep)
    renum = np.full(len(theta), -1)
    renum[kept] = np.arange(len(kept))
    take = renum[cap_row] >= 0
    foreign, cap_row = foreign[take], renum[cap_row][take]
    cap_need, theta = cap_need[kept], theta[kept]
    n_cap = len(kept)
    soft = np.array([policies[need_buyer[p]]["soft"] for p in cap_need], dtype=bool)
    n_viol = int(soft.sum())
    w = np.array(
        [
            _violation_price(policies[need_buyer[p]]["violation"], codes[need_com[p]], v_need[p])
            for p in cap_need[soft]
        ]
    )
    # column layout: x | shortfall | bought | violation
    c_short, c_bought = n_x, n_x + n_need
    c_viol = c_bought + n_bought
    n_cols = c_viol + n_viol
    cost = np.concatenate(
        [
            1000.0 * price + lam * 1000.0 * q * v_need[x_need],
            1000.0 * v_need * (1.0 + max(lam - 1.0, 0.0)),
            np.zeros(n_bought),
            1000.0 * w,
        ]
    )
    upper = np.concatenate([x_upper, np.full(n_cols - n_x, np.inf)])
    # rows: demand | bought | capacity (shared offers) | caps
    shared_offers, shared_row = np.unique(x_offer[~alone], return_inverse=True)
    r_bought = n_need
    r_capacity = r_bought + n_bought
    r_cap = r_capacity + len(shared_offers)
    n_rows = r_cap + n_cap
    xs = np.arange(n_x)
    in_bought = bought_of[x_need] >= 0
    cons_cap = np.array(
        [policies[need_buyer[p]]["basis"] == "consumption" for p in cap_need], dtype=bool
    )
    rows = [
        x_need,
        np.arange(n_need),
        r_bought + bought_of[x_need][in_bought],
        r_bought + np.arange(n_bought),
        r_capacity + shared_row,
        r_cap + cap_row,
        r_cap + np.flatnonzero(cons_cap),
        r_cap + np.flatnonzero(soft),
    ]
    cols = [
        xs,
        c_short + np.arange(n_need),
        xs[in_bought],
        c_bought + np.arange(n_bought),
        xs[~alone],
        foreign,
        c_bought + bought_of[cap_need[cons_cap]],
        c_viol + np.arange(n_viol),
    ]
    vals = [
        np.ones(n_x),
        np.ones(n_need),
        np.ones(int(in_bought.sum())),
        -np.ones(n_bought),
        np.ones(int((~alone).sum())),
        np.ones(len(foreign)),
        -theta[cons_cap],
        -np.ones(n_viol),
    ]
    matrix = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, n_cols)
    )
    cap_rhs = np.where(cons_cap, 0.0, theta * demand[cap_need])
    row_lower = np.concatenate(
        [demand, np.zeros(n_bought), np.full(len(shared_offers) + n_cap, -np.inf)]
    )
    row_upper = np.concatenate([demand, np.zeros(n_bought), cap[shared_offers], cap_rhs])
    col_group = np.concatenate(
        [commodity[x_offer], need_com, need_com[consumption], need_com[cap_need[soft]]]
    )
    row_group = np.concatenate(
        [need_com, need_com[consumption], commodity[shared_offers], need_com[cap_need]]
    )
    return RawLp(
        cost, upper / 1000.0, matrix, row_lower / 1000.0, row_upper / 1000.0, col_group, row_group
    )


def _violation_price(configured: object, commodity: str, value: float) -> float:
    if configured is None:
        return AUTO_VIOLATION_SHARE * value
    if isinstance(configured, dict):
        return float(configured.get(commodity, configured["default"]))
    return float(configured)


def settings_of(config: object) -> dict:
    """The plain settings :func:`build` reads, from a riskengine ``Config`` (outside the timing)."""
    opt = config.optimiser  # type: ignore[attr-defined]
    policies = {}
    for buyer, spec in config.buyers.items():  # type: ignore[attr-defined]
        pol = spec.policy
        policies[buyer] = (
            None
            if pol is None
            else {
                "theta": pol.max_country_share,
                "overrides": dict(pol.country_share_overrides),
                "min_partner_share": float(pol.min_partner_share),
                "soft": pol.enforce.value == "soft",
                "basis": pol.basis.value,
                "violation": pol.violation_usd_per_kg,
            }
        )
    return {
        "risk_aversion": float(opt.risk_aversion),
        "sigma": float(opt.max_supplier_share),
        "availability": {str(k): float(v) for k, v in opt.status_availability.items()},
        "home": {b: set(spec.home) for b, spec in config.buyers.items()},  # type: ignore[attr-defined]
        "policies": {b: p for b, p in policies.items()},
    }


def quiet_banner() -> None:
    """Create the process's first ``Highs`` with file descriptor 1 closed (HiGHS prints its
    banner from C on the first one, before any option can turn output off)."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


def _highs(cols: int, time_limit_s: float, riskengine_options: bool) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", time_limit_s)
    if riskengine_options:
        h.setOptionValue("presolve_rule_off", PRESOLVE_RULE_OFF)
        if cols > IPM_COLUMNS:
            h.setOptionValue("solver", "ipm")
    return h


def _lp(lp: RawLp, cols: np.ndarray | None, rows: np.ndarray | None) -> highspy.HighsLp:
    a = lp.matrix if cols is None else lp.matrix[rows][:, cols]
    take = slice(None) if cols is None else cols
    rtake = slice(None) if rows is None else rows
    out = highspy.HighsLp()
    out.num_col_, out.num_row_ = a.shape[1], a.shape[0]
    out.col_cost_ = lp.cost[take]
    out.col_lower_, out.col_upper_ = np.zeros(a.shape[1]), lp.upper[take]
    out.row_lower_, out.row_upper_ = lp.row_lower[rtake], lp.row_upper[rtake]
    out.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    out.a_matrix_.start_ = a.indptr.astype(np.int32)
    out.a_matrix_.index_ = a.indices.astype(np.int32)
    out.a_matrix_.value_ = a.data
    return out


def solve(
    lp: RawLp, per_commodity: bool, time_limit_s: float, threads: bool = False
) -> tuple[float, float, bool]:
    """(objective USD, seconds passing and solving, all optimal) of the LP.

    ``per_commodity``: one ``Highs`` per commodity with riskengine's options
    (the fair baseline); else one model with HiGHS's defaults (monolithic).
    ``threads``: the commodities' models solved on a thread per CPU (HiGHS
    releases the GIL while it solves), as riskengine solves its blocks.
    """
    start = time.perf_counter()
    if not per_commodity:
        parts = [(None, None)]
    else:
        parts = [
            (np.flatnonzero(lp.col_group == g), np.flatnonzero(lp.row_group == g))
            for g in np.unique(lp.col_group)
        ]

    def one(part: tuple[np.ndarray | None, np.ndarray | None]) -> tuple[float, bool]:
        cols, rows = part
        n = lp.matrix.shape[1] if cols is None else len(cols)
        h = _highs(n, time_limit_s, per_commodity)
        h.passModel(_lp(lp, cols, rows))
        h.run()
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return h.getInfo().objective_function_value, optimal

    if threads and len(parts) > 1:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            answers = list(pool.map(one, parts))
    else:
        answers = [one(part) for part in parts]
    objective = sum(value for value, _ in answers)
    optimal = all(ok for _, ok in answers)
    return objective * 1000.0, time.perf_counter() - start, optimal
