"""Result tables from a problem and its solution: pure functions over DataFrames.

Quantities in tonnes, money in USD, shares as fractions (0-1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import Solution

__all__ = [
    "CHINA",
    "CRMA_BENCHMARK",
    "allocations",
    "metrics",
    "mix_by_country",
    "mix_by_supplier",
    "recomputed_objective",
    "shortfalls",
]

#: EU Critical Raw Materials Act benchmark: at most 65% of demand from one third country.
CRMA_BENCHMARK = 0.65
#: Country code reported as "China share".
CHINA = "CN"
#: Tonnes below this are solver noise and reported as zero.
TONNES_TOL = 1e-6

ALLOCATION_COLUMNS = [
    "buyer",
    "supplier_id",
    "commodity",
    "country",
    "tonnes",
    "price_usd_per_kg",
    "risk_score",
    "cost_usd",
    "relation",
]
SHORTFALL_COLUMNS = ["buyer", "commodity", "demand_t", "served_t", "shortfall_t"]
BINDING_COLUMNS = [
    "family",
    "buyer",
    "commodity",
    "country",
    "supplier_id",
    "share",
    "rhs_t",
    "shadow_price_usd_per_kg",
    "saving_usd_per_t",
    "sentence",
]


def _values(problem: Problem, solution: Solution) -> np.ndarray:
    if solution.values_t is None:
        return np.zeros(problem.n_cols)
    values = np.asarray(solution.values_t, dtype=float)
    return np.where(np.abs(values) < TONNES_TOL, 0.0, values)


def allocations(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Tonnes bought by each buyer from each offer (only non-zero rows)."""
    n_x = problem.n_x
    frame = problem.columns.iloc[:n_x].copy()
    frame["tonnes"] = _values(problem, solution)[:n_x]
    frame = frame[frame["tonnes"] > 0]
    frame["cost_usd"] = 1000.0 * frame["price_usd_per_kg"] * frame["tonnes"]
    frame = frame.sort_values(["buyer", "commodity", "supplier_id"], kind="stable")
    return frame[ALLOCATION_COLUMNS].reset_index(drop=True)


def shortfalls(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Demand, served and shortfall per buyer and commodity (every pair with demand)."""
    values = _values(problem, solution)
    n_x, end = problem.n_x, problem.n_x + problem.n_pairs
    pairs = problem.columns.iloc[n_x:end][["buyer", "commodity", "demand_t", "pair"]]
    served = np.bincount(
        problem.columns["pair"].iloc[:n_x].to_numpy(dtype=int),
        weights=values[:n_x],
        minlength=len(pairs),
    )
    frame = pairs.assign(
        served_t=served[pairs["pair"].to_numpy(dtype=int)],
        shortfall_t=np.maximum(values[n_x:end], 0.0),
    )
    if solution.values_t is None:
        frame = frame.assign(served_t=np.nan, shortfall_t=np.nan)
    return frame[SHORTFALL_COLUMNS].reset_index(drop=True)


def recomputed_objective(problem: Problem, alloc: pd.DataFrame, short: pd.DataFrame) -> float:
    """The objective (USD) recomputed from the tables, for the self-check."""
    lam = problem.risk_aversion
    buy = 1000.0 * alloc["price_usd_per_kg"] * (1.0 + lam * alloc["risk_score"] / 100.0)
    pen = _penalties(problem)
    return float((buy * alloc["tonnes"]).sum() + (1000.0 * pen * short["shortfall_t"]).sum())


def _penalties(problem: Problem) -> np.ndarray:
    """Shortfall penalty per pair, USD per kg (the shortfall columns follow the x)."""
    end = problem.n_x + problem.n_pairs
    return problem.columns.iloc[problem.n_x : end]["penalty_usd_per_kg"].to_numpy()


def mix_by_country(problem: Problem, alloc: pd.DataFrame, short: pd.DataFrame) -> pd.DataFrame:
    """Tonnes per buyer, commodity and country, with shares of served and of demand.

    ``cap_share`` is the country cap (theta_k) that applies, NaN for home countries.
    """
    keys = ["buyer", "commodity", "country"]
    mix = alloc.groupby(keys, as_index=False).agg(
        tonnes=("tonnes", "sum"), relation=("relation", "first")
    )
    mix = mix.merge(
        short[["buyer", "commodity", "demand_t", "served_t"]], on=["buyer", "commodity"], how="left"
    )
    mix["share_of_served"] = mix["tonnes"] / mix["served_t"]
    mix["share_of_demand"] = mix["tonnes"] / mix["demand_t"]
    caps = problem.settings.get("country_caps", {})
    theta = float(problem.settings.get("theta", CRMA_BENCHMARK))
    cap = mix["country"].map(lambda k: caps.get(k, theta)).astype(float)
    mix["cap_share"] = cap.where(mix["relation"] != "home")
    return mix.drop(columns=["served_t"]).sort_values(keys, kind="stable").reset_index(drop=True)


def mix_by_supplier(alloc: pd.DataFrame, short: pd.DataFrame, problem: Problem) -> pd.DataFrame:
    """Tonnes per buyer and offer, as shares of the buyer's served volume and of capacity."""
    capacity = problem.columns.iloc[: problem.n_x].drop_duplicates(["commodity", "supplier_id"])
    mix = alloc[["buyer", "commodity", "supplier_id", "country", "tonnes"]].merge(
        short[["buyer", "commodity", "served_t"]], on=["buyer", "commodity"], how="left"
    )
    mix = mix.merge(
        capacity[["commodity", "supplier_id", "capacity_t"]],
        on=["commodity", "supplier_id"],
        how="left",
    )
    mix["share_of_served"] = mix["tonnes"] / mix["served_t"]
    mix["share_of_capacity"] = mix["tonnes"] / mix["capacity_t"].where(mix["capacity_t"] > 0)
    return mix.drop(columns=["served_t"]).reset_index(drop=True)


def _costs(problem: Problem, alloc: pd.DataFrame) -> pd.DataFrame:
    lam = problem.risk_aversion
    frame = alloc.assign(
        risk_charge_usd=alloc["cost_usd"] * lam * alloc["risk_score"] / 100.0,
        risk_tonnes=alloc["risk_score"] * alloc["tonnes"],
        china_t=alloc["tonnes"].where(alloc["country"] == CHINA, 0.0),
        trusted_t=alloc["tonnes"].where(alloc["relation"] != "other", 0.0),
    )
    return frame.groupby(["buyer", "commodity"], as_index=False)[
        ["cost_usd", "risk_charge_usd", "risk_tonnes", "china_t", "trusted_t"]
    ].sum()


def _concentration(mix: pd.DataFrame) -> pd.DataFrame:
    """HHI of the country mix and the largest non-home country, per buyer and commodity."""
    keys = ["buyer", "commodity"]
    hhi = mix.assign(sq=mix["share_of_served"] ** 2).groupby(keys, as_index=False)["sq"].sum()
    foreign = mix[mix["relation"] != "home"].sort_values(
        ["share_of_demand", "country"], ascending=[False, True], kind="stable"
    )
    top = foreign.drop_duplicates(keys)[[*keys, "country", "share_of_demand", "share_of_served"]]
    top = top.rename(
        columns={
            "country": "top_foreign_country",
            "share_of_demand": "top_foreign_share_of_demand",
            "share_of_served": "top_foreign_share_of_served",
        }
    )
    return hhi.rename(columns={"sq": "hhi"}).merge(top, on=keys, how="outer")


def metrics(
    problem: Problem,
    solution: Solution,
    alloc: pd.DataFrame,
    short: pd.DataFrame,
    mix: pd.DataFrame,
) -> pd.DataFrame:
    """Per buyer and commodity: volumes, cost, average risk, HHI, China and partner shares, CRMA.

    ``crma_compliant`` is True when every country outside the buyer's home
    supplies at most 65% (:data:`CRMA_BENCHMARK`) of what the buyer consumes
    (the volume served), whatever theta the model used: Article 1(2) of the
    CRMA counts shares of consumption. The model's cap is on demand, so a plan
    with a shortfall can respect the cap and still fail the benchmark. ``hhi``
    is the Herfindahl index of the served volume by country (0-1, 1 = one
    country). ``marginal_cost_usd_per_kg`` is the objective's change per extra
    kg of demand (the demand row's dual).
    """
    keys = ["buyer", "commodity"]
    out = short.merge(_costs(problem, alloc), on=keys, how="left")
    out = out.merge(_concentration(mix), on=keys, how="left")
    fill = ["cost_usd", "risk_charge_usd", "risk_tonnes", "china_t", "trusted_t"]
    out[fill] = out[fill].fillna(0.0)
    pen = _penalties(problem)
    served = out["served_t"].where(out["served_t"] > 0)
    out = out.assign(
        purchase_cost_usd=out["cost_usd"],
        shortfall_penalty_usd=1000.0 * pen * out["shortfall_t"],
        average_price_usd_per_kg=out["cost_usd"] / (1000.0 * served),
        average_risk=out["risk_tonnes"] / served,
        china_share=out["china_t"] / served,
        home_partner_share=out["trusted_t"] / served,
    )
    out["objective_usd"] = (
        out["purchase_cost_usd"] + out["risk_charge_usd"] + out["shortfall_penalty_usd"]
    )
    top = out["top_foreign_share_of_served"].fillna(0.0)
    out["crma_compliant"] = (top <= CRMA_BENCHMARK + 1e-9).where(out["served_t"].notna())
    out["marginal_cost_usd_per_kg"] = _demand_duals(problem, solution)
    return out[_METRIC_COLUMNS]


_METRIC_COLUMNS = [
    "buyer",
    "commodity",
    "demand_t",
    "served_t",
    "shortfall_t",
    "purchase_cost_usd",
    "risk_charge_usd",
    "shortfall_penalty_usd",
    "objective_usd",
    "average_price_usd_per_kg",
    "average_risk",
    "hhi",
    "china_share",
    "home_partner_share",
    "top_foreign_country",
    "top_foreign_share_of_demand",
    "top_foreign_share_of_served",
    "crma_compliant",
    "marginal_cost_usd_per_kg",
]


def _demand_duals(problem: Problem, solution: Solution) -> np.ndarray:
    n_pairs = problem.n_pairs
    if solution.row_dual_usd_per_kg is None or not problem.blocks:
        return np.full(n_pairs, np.nan)
    return solution.row_dual_usd_per_kg[:n_pairs]  # the demand block comes first, in pair order
