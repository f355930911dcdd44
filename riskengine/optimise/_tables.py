"""Result tables from a problem and its solution: pure functions over DataFrames.

Quantities in tonnes, money in USD, shares as fractions (0-1). Money is kept
apart as the contract asks (section 5.5): ``purchase_usd`` is what would be
paid to suppliers; the risk charge, the lost-supply value and policy
violations are model costs, reported beside it and never added into a figure
called cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.enums import RiskCharge
from riskengine.optimise.parameters import base_mix_t
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import Solution

__all__ = [
    "CHINA",
    "CRMA_BENCHMARK",
    "allocations",
    "by_year",
    "keys",
    "metrics",
    "mix_by_country",
    "mix_by_supplier",
    "money",
    "products",
    "shortfalls",
    "stage_mix",
    "stocks",
    "violations",
]

#: EU Critical Raw Materials Act benchmark: at most 65% of consumption from one third country.
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
    "relation",
    "tonnes",
    "price_usd_per_kg",
    "purchase_usd",
    "risk_score",
    "disruption_probability",
    "expected_loss_usd",
    "risk_charge_usd",
    "offtake_t",
    "route",
]
SHORTFALL_COLUMNS = [
    "buyer",
    "commodity",
    "demand_t",
    "served_t",
    "shortfall_t",
    "bought_t",
    "lost_value_usd_per_kg",
    "lost_supply_usd",
]
VIOLATION_COLUMNS = [
    "family",
    "buyer",
    "commodity",
    "stage",
    "country",
    "share",
    "excess_t",
    "violation_usd_per_kg",
    "violation_usd",
]
BINDING_COLUMNS = [
    "family",
    "buyer",
    "commodity",
    "country",
    "stage",
    "supplier_id",
    "year",
    "share",
    "rhs_t",
    "shadow_price_usd_per_kg",
    "saving_usd_per_t",
    "purchase_usd_per_kg",
    "risk_charge_usd_per_kg",
    "lost_supply_usd_per_kg",
    "violation_usd_per_kg",
    "holding_usd_per_kg",
    "thrifting_usd_per_kg",
    "driver",
    "sentence",
]
#: Money columns of :func:`money`, in the order they are reported.
MONEY = (
    "purchase_usd",
    "risk_charge_usd",
    "lost_supply_usd",
    "violation_usd",
    "holding_usd",
    "thrifting_usd",
)


def keys(problem: Problem) -> list[str]:
    """The keys of per-need tables: buyer and commodity, and year with a horizon."""
    return ["buyer", "commodity", "year"] if problem.structure.years else ["buyer", "commodity"]


def _with_year(problem: Problem, columns: list[str], after: str = "commodity") -> list[str]:
    if not problem.structure.years:
        return columns
    out = list(columns)
    out.insert(out.index(after) + 1, "year")
    return out


def _values(problem: Problem, solution: Solution) -> np.ndarray:
    if solution.values_t is None:
        return np.zeros(problem.n_cols)
    values = np.asarray(solution.values_t, dtype=float)
    return np.where(np.abs(values) < TONNES_TOL, 0.0, values)


def allocations(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Tonnes bought by each buyer from each offer (only non-zero rows), with their money.

    ``expected_loss_usd`` is q x V x tonnes (the disruption loss to expect in a
    year, whatever lambda); ``risk_charge_usd`` is what the objective charges
    for it (lambda x that, or the version-1 price multiple). ``offtake_t`` is
    the part an offtake contract of the buyer reserves; ``route`` the offer's
    processing stages as ``stage:country`` pairs (``mining:BR;separation:CN``),
    empty when ``suppliers.csv`` has no route.
    """
    s, p = problem.structure, problem.params
    tonnes = _values(problem, solution)[problem.layout.x]
    frame = s.x[["buyer", "supplier_id", "commodity", "year", "country", "relation"]].assign(
        tonnes=tonnes,
        price_usd_per_kg=p.price_usd_per_kg,
        risk_score=p.risk_score,
        disruption_probability=p.disruption_probability,
    )
    arrays = problem.arrays
    frame["purchase_usd"] = arrays.parts["purchase"][problem.layout.x] * tonnes
    frame["risk_charge_usd"] = arrays.parts["risk_charge"][problem.layout.x] * tonnes
    value = p.lost_value_usd_per_kg[s.x_need]
    frame["expected_loss_usd"] = 1000.0 * p.disruption_probability * value * tonnes
    lower = np.zeros(len(tonnes)) if p.x_lower_t is None else np.asarray(p.x_lower_t, float)
    frame["offtake_t"] = np.minimum(lower, tonnes)
    frame["route"] = _routes(s.stages, len(tonnes), tonnes > 0)
    frame = frame[frame["tonnes"] > 0]
    return frame[_with_year(problem, ALLOCATION_COLUMNS)].reset_index(drop=True)


def _routes(stages: pd.DataFrame, n_x: int, wanted: np.ndarray) -> np.ndarray:
    """Per x, its route as ``stage:country`` pairs joined by ``;`` (empty without routes).

    Only the ``wanted`` x are spelled out (the plan's purchases); the rest stay empty.
    """
    out = np.full(n_x, "", dtype=object)
    if stages.empty or "stage" not in stages.columns:
        return out
    rows = stages[(stages["stage"] != "") & wanted[stages["x"].to_numpy()]]
    if rows.empty:
        return out
    pairs = rows["stage"].astype(str) + ":" + rows["country"].astype(str)
    joined = pairs.groupby(rows["x"].to_numpy(), sort=False).agg(";".join)
    out[joined.index.to_numpy(dtype=int)] = joined.to_numpy()
    return out


def modelled_demand(problem: Problem, values: np.ndarray | None) -> np.ndarray:
    """Per need, tonnes of demand as the plan makes it: direct demand plus the element
    content of the product variants it chooses (the data-year mix without a solution)."""
    p = problem.params
    use = problem.structure.product_use
    if use is None or values is None:
        return p.demand_t
    need, z, per_t = use
    direct = p.demand_t if p.direct_demand_t is None else p.direct_demand_t
    made = values[problem.layout.z][z] * per_t
    return direct + np.bincount(need, made, minlength=len(direct))


def shortfalls(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Demand, served, shortfall, purchases and the lost-supply value per need (every need).

    ``served_t`` is demand less shortfall; ``bought_t`` what the plan buys, which
    differs from it when a strategic stock is built up or drawn.
    """
    values = _values(problem, solution)
    lay, p = problem.layout, problem.params
    bought = np.bincount(problem.structure.x_need, values[lay.x], minlength=lay.n_need)
    short = np.maximum(values[lay.shortfall], 0.0)
    demand = modelled_demand(problem, solution.values_t)
    frame = problem.structure.needs[["buyer", "commodity", "year"]].assign(
        demand_t=demand,
        served_t=np.maximum(demand - short, 0.0),
        bought_t=bought,
        shortfall_t=short,
        lost_value_usd_per_kg=p.lost_value_usd_per_kg,
        lost_supply_usd=1000.0 * p.lost_value_usd_per_kg * short,
    )
    if solution.values_t is None:
        frame = frame.assign(
            served_t=np.nan, shortfall_t=np.nan, bought_t=np.nan, lost_supply_usd=np.nan
        )
    return frame[_with_year(problem, SHORTFALL_COLUMNS)].reset_index(drop=True)


def violations(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Soft policy rows exceeded: tonnes over the cap (or under the floor) and their cost."""
    lay = problem.layout
    excess = _values(problem, solution)[lay.violation]
    year = problem.structure.needs["year"].to_numpy()
    frame = problem.structure.violations.assign(
        excess_t=excess, violation_usd_per_kg=problem.params.violation_usd_per_kg
    )
    frame["year"] = year[frame["need"].to_numpy(dtype=int)] if len(frame) else []
    frame["violation_usd"] = 1000.0 * frame["violation_usd_per_kg"] * frame["excess_t"]
    columns = _with_year(problem, VIOLATION_COLUMNS)
    return frame.loc[frame["excess_t"] > 0, columns].reset_index(drop=True)


STOCK_COLUMNS = [
    "buyer",
    "commodity",
    "year",
    "demand_t",
    "closing_t",
    "target_t",
    "gap_t",
    "cover_days",
    "holding_usd",
]


def stocks(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Strategic stock per buyer, commodity and year: tonnes at the year's end, days of cover.

    ``cover_days`` is the closing stock in days of that year's demand;
    ``gap_t`` the tonnes below the target (NaN without a target).
    """
    s = problem.structure
    if s.stocks.empty:
        return pd.DataFrame(columns=_with_year(problem, [c for c in STOCK_COLUMNS if c != "year"]))
    values = _values(problem, solution)
    lay = problem.layout
    closing = values[lay.stock]
    demand = modelled_demand(problem, solution.values_t)[s.stocks["need"].to_numpy(dtype=int)]
    frame = s.stocks[["buyer", "commodity", "year"]].assign(
        target_t=s.stocks["target_days"].to_numpy(dtype=float) / 365.0 * demand,
        demand_t=demand,
        closing_t=closing,
        cover_days=np.divide(
            365.0 * closing, demand, out=np.full(len(closing), np.nan), where=demand > 0
        ),
        holding_usd=problem.arrays.parts["holding"][lay.stock] * closing,
        gap_t=np.nan,
    )
    if lay.n_gap:
        targeted = np.flatnonzero(s.stocks["target_t"].notna().to_numpy())
        frame.loc[frame.index[targeted], "gap_t"] = values[lay.gap]
    columns = [c for c in STOCK_COLUMNS if c != "year" or s.years]
    return frame[columns].reset_index(drop=True)


def thrifting_baseline_usd(problem: Problem) -> float:
    """The premiums the data-year product mix already pays, USD (a constant of the LP).

    Thrifting is reported as the premium *above* that mix, so a plan that keeps
    today's magnet grades shows 0, not the industry's existing grain-boundary
    diffusion bill. The constant does not change the plan.
    """
    lay = problem.layout
    return float(
        problem.arrays.parts["thrifting"][lay.z] @ base_mix_t(problem.structure, problem.params)
    )


def money(problem: Problem, solution: Solution) -> dict[str, float]:
    """The objective's terms in USD, recomputed from the plan (the self-check reads them).

    ``thrifting_usd`` is the premium above the data-year product mix
    (:func:`thrifting_baseline_usd`), so ``objective_usd`` is the solver's
    objective less that constant.
    """
    values = _values(problem, solution)
    parts = problem.arrays.parts
    out = {
        "purchase_usd": float(parts["purchase"] @ values),
        "risk_charge_usd": float(parts["risk_charge"] @ values),
        "lost_supply_usd": float(parts["lost_supply"] @ values),
        "violation_usd": float(parts["violation"] @ values),
        "holding_usd": float(parts["holding"] @ values),
        "thrifting_usd": float(parts["thrifting"] @ values) - thrifting_baseline_usd(problem),
    }
    out["objective_usd"] = sum(out.values())
    return out


def _caps(problem: Problem, mix: pd.DataFrame) -> pd.Series:
    policies = problem.structure.settings.policies
    theta = [
        policies[b].cap_for(k) if r != "home" else None
        for b, k, r in zip(mix["buyer"], mix["country"], mix["relation"], strict=True)
    ]
    return pd.Series(theta, index=mix.index, dtype=float)


def mix_by_country(problem: Problem, alloc: pd.DataFrame, short: pd.DataFrame) -> pd.DataFrame:
    """Tonnes per buyer, commodity (year) and country, with shares of purchases and of demand.

    ``cap_share`` is the buyer's policy cap on that country (theta), NaN for
    home countries and where the buyer has no cap.
    """
    need_keys = keys(problem)
    by = [*need_keys, "country"]
    mix = alloc.groupby(by, as_index=False).agg(
        tonnes=("tonnes", "sum"), relation=("relation", "first")
    )
    mix = mix.merge(short[[*need_keys, "demand_t", "bought_t"]], on=need_keys, how="left")
    mix["share_of_purchases"] = mix["tonnes"] / mix["bought_t"]
    mix["share_of_demand"] = mix["tonnes"] / mix["demand_t"]
    mix["cap_share"] = _caps(problem, mix)
    return mix.drop(columns=["bought_t"]).sort_values(by, kind="stable").reset_index(drop=True)


def mix_by_supplier(
    alloc: pd.DataFrame, short: pd.DataFrame, problem: Problem, solution: Solution
) -> pd.DataFrame:
    """Tonnes per buyer and offer, as shares of the buyer's purchases and of capacity.

    ``alloc`` is :func:`allocations` of the same problem and solution: its rows
    are the x columns bought, in order, which gives each row its offer.
    """
    need_keys = keys(problem)
    bought = _values(problem, solution)[problem.layout.x] > 0
    offer = problem.structure.x["offer"].to_numpy()[bought]
    if len(offer) != len(alloc):
        raise ValueError("alloc is not allocations(problem, solution)")
    mix = alloc[[*need_keys, "supplier_id", "country", "tonnes"]].merge(
        short[[*need_keys, "bought_t"]], on=need_keys, how="left"
    )
    mix["capacity_t"] = np.asarray(problem.params.capacity_t, dtype=float)[offer]
    mix["share_of_purchases"] = mix["tonnes"] / mix["bought_t"]
    mix["share_of_capacity"] = mix["tonnes"] / mix["capacity_t"].where(mix["capacity_t"] > 0)
    return mix.drop(columns=["bought_t"]).reset_index(drop=True)


def _sums(alloc: pd.DataFrame, viol: pd.DataFrame, need_keys: list[str]) -> pd.DataFrame:
    frame = alloc.assign(
        risk_tonnes=alloc["risk_score"] * alloc["tonnes"],
        china_t=alloc["tonnes"].where(alloc["country"] == CHINA, 0.0),
        trusted_t=alloc["tonnes"].where(alloc["relation"] != "other", 0.0),
        q_tonnes=alloc["disruption_probability"] * alloc["tonnes"],
    )
    sums = frame.groupby(need_keys, as_index=False)[
        [
            "purchase_usd",
            "risk_charge_usd",
            "expected_loss_usd",
            "risk_tonnes",
            "china_t",
            "trusted_t",
            "q_tonnes",
        ]
    ].sum()
    paid = viol.groupby(need_keys, as_index=False)["violation_usd"].sum()
    return sums.merge(paid, on=need_keys, how="outer")


def _concentration(mix: pd.DataFrame, stages: pd.DataFrame, need_keys: list[str]) -> pd.DataFrame:
    """HHI of the country mix and the largest non-home country at any stage, per need.

    With routes the largest share is taken over every stage the routes name
    (``top_foreign_stage``), as the CRMA counts each stage; without, it is the
    sellers' countries.
    """
    hhi = mix.assign(sq=mix["share_of_purchases"] ** 2).groupby(need_keys, as_index=False)["sq"]
    hhi = hhi.sum()
    source = stages if len(stages) and (stages["stage"] != "").any() else mix.assign(stage="")
    foreign = source[source["relation"] != "home"].sort_values(
        ["share_of_purchases", "country", "stage"], ascending=[False, True, True], kind="stable"
    )
    top = foreign.drop_duplicates(need_keys)[
        [*need_keys, "country", "stage", "share_of_purchases", "cap_share"]
    ]
    top = top.rename(
        columns={
            "country": "top_foreign_country",
            "stage": "top_foreign_stage",
            "share_of_purchases": "top_foreign_share",
            "cap_share": "top_foreign_cap",
        }
    )
    return hhi.rename(columns={"sq": "hhi"}).merge(top, on=need_keys, how="outer")


_METRIC_COLUMNS = [
    "buyer",
    "commodity",
    "demand_t",
    "served_t",
    "shortfall_t",
    "bought_t",
    "purchase_cost_usd",
    "risk_charge_usd",
    "lost_supply_usd",
    "violation_usd",
    "holding_usd",
    "model_cost_usd",
    "expected_loss_usd",
    "average_price_usd_per_kg",
    "average_risk",
    "average_disruption_probability",
    "hhi",
    "china_share",
    "home_partner_share",
    "top_foreign_country",
    "top_foreign_stage",
    "top_foreign_share",
    "top_foreign_cap",
    "crma_compliant",
    "marginal_cost_usd_per_kg",
]


def metrics(
    problem: Problem,
    solution: Solution,
    alloc: pd.DataFrame,
    short: pd.DataFrame,
    mix: pd.DataFrame,
    viol: pd.DataFrame,
    stages: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per buyer and commodity: volumes, money, average risk, HHI, China and partner shares, CRMA.

    Shares are of what the buyer buys (purchases, i.e. consumption), the basis
    of the version-2 policy caps and of CRMA Art. 1(2). ``crma_compliant`` is
    True when no country outside the buyer's home supplies more than 65%
    (:data:`CRMA_BENCHMARK`) of its purchases, and NaN (shown "n/a") when
    nothing is bought. ``model_cost_usd`` is the objective's share of this
    buyer and commodity (purchase + risk charge + lost supply + violations),
    a model figure, not money paid. ``marginal_cost_usd_per_kg`` is the
    objective's change per extra kg of demand (the demand row's dual).
    """
    need_keys = keys(problem)
    out = short.merge(_sums(alloc, viol, need_keys), on=need_keys, how="left")
    if stages is None:  # make_result passes the table it already made
        stages = stage_mix(problem, solution)
    out = out.merge(_concentration(mix, stages, need_keys), on=need_keys, how="left")
    fill = [
        "purchase_usd",
        "risk_charge_usd",
        "expected_loss_usd",
        "risk_tonnes",
        "china_t",
        "trusted_t",
        "violation_usd",
        "q_tonnes",
    ]
    out[fill] = out[fill].fillna(0.0)
    out["risk_charge_usd"] += _per_need(problem, solution, "risk_charge")
    out["violation_usd"] += _per_need(problem, solution, "violation", gaps_only=True)
    out["holding_usd"] = _per_need(problem, solution, "holding")
    served = out["bought_t"].where(out["bought_t"] > 0)  # shares and averages of purchases
    out = out.assign(
        purchase_cost_usd=out["purchase_usd"],
        average_price_usd_per_kg=out["purchase_usd"] / (1000.0 * served),
        average_risk=out["risk_tonnes"] / served,
        average_disruption_probability=out["q_tonnes"] / served,
        china_share=out["china_t"] / served,
        home_partner_share=out["trusted_t"] / served,
    )
    out["model_cost_usd"] = (
        out["purchase_cost_usd"]
        + out["holding_usd"]
        + out["risk_charge_usd"]
        + out["lost_supply_usd"]
        + out["violation_usd"]
    )
    top = out["top_foreign_share"].fillna(0.0)
    out["crma_compliant"] = (top <= CRMA_BENCHMARK + 1e-9).astype(object).where(served.notna())
    out["marginal_cost_usd_per_kg"] = _demand_duals(problem, solution)
    return out[_with_year(problem, _METRIC_COLUMNS)]


def _per_need(
    problem: Problem, solution: Solution, part: str, gaps_only: bool = False
) -> np.ndarray:
    """A cost term per need from its shortfall, stock and stock-gap columns, USD.

    (x columns and soft policy rows are summed from the allocation and
    violation tables.)
    """
    lay, s = problem.layout, problem.structure
    cost = problem.arrays.parts[part] * _values(problem, solution)
    out = np.zeros(lay.n_need)
    if not gaps_only:
        out += cost[lay.shortfall]
        if lay.n_stock:
            np.add.at(out, s.stocks["need"].to_numpy(dtype=int), cost[lay.stock])
    if lay.n_gap:
        np.add.at(out, s.gaps["need"].to_numpy(dtype=int), cost[lay.gap])
    return out


def _demand_duals(problem: Problem, solution: Solution) -> np.ndarray:
    n = problem.layout.n_need
    if solution.row_dual_usd_per_kg is None or not problem.blocks:
        return np.full(n, np.nan)
    return solution.row_dual_usd_per_kg[:n]  # the demand block comes first, in need order


def risk_charge_rule(problem: Problem) -> str:
    """The risk charge in words, for summaries."""
    if problem.structure.settings.risk_charge is RiskCharge.PRICE_MULTIPLE:
        return "lambda x price x risk/100 (version 1)"
    return "lambda x q x V (expected disruption loss)"


def by_year(metrics: pd.DataFrame) -> pd.DataFrame:
    """Totals per planning year from the metrics table (one row without a year column)."""
    frame = metrics if "year" in metrics.columns else metrics.assign(year=np.nan)
    china = (frame["china_share"].fillna(0.0) * frame["bought_t"].fillna(0.0)).rename("china_t")
    sums = (
        frame.assign(china_t=china)
        .groupby("year", as_index=False, dropna=False)[
            [
                "demand_t",
                "served_t",
                "shortfall_t",
                "bought_t",
                "purchase_cost_usd",
                "holding_usd",
                "expected_loss_usd",
                "risk_charge_usd",
                "lost_supply_usd",
                "violation_usd",
                "model_cost_usd",
                "china_t",
            ]
        ]
        .sum()
    )
    bought = sums["bought_t"].where(sums["bought_t"] > 0)
    sums["china_share"] = sums.pop("china_t") / bought
    return sums if "year" in metrics.columns else sums.drop(columns="year")


PRODUCT_COLUMNS = [
    "buyer",
    "family",
    "variant",
    "year",
    "product_t",
    "tonnes",
    "share",
    "base_share",
    "premium_usd",
]


def products(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Product made with each variant per buyer, family and year (bill of materials).

    ``share`` is the variant's share of the family chosen by the plan,
    ``base_share`` its data-year share; ``premium_usd`` what the variant's
    premium costs above its data-year share (money; negative when the plan makes
    less of it than the data year). Empty without product demand.
    """
    variants = problem.structure.variants
    if variants.empty:
        return pd.DataFrame(columns=PRODUCT_COLUMNS)
    tonnes = _values(problem, solution)[problem.layout.z]
    frame = variants.assign(
        tonnes=tonnes,
        share=np.divide(tonnes, variants["product_t"].to_numpy(dtype=float)),
        premium_usd=problem.arrays.parts["thrifting"][problem.layout.z]
        * (tonnes - base_mix_t(problem.structure, problem.params)),
    )
    return frame[PRODUCT_COLUMNS].reset_index(drop=True)


def stage_mix(problem: Problem, solution: Solution) -> pd.DataFrame:
    """Tonnes per buyer, commodity (year), processing stage and country, as shares of purchases.

    Stages come from the offers' routes (``suppliers.csv`` ``route``); a
    stage a route leaves out is not counted, so shares at a stage may sum to
    less than 1. Without routes the table has one stage, empty (the seller's
    country). ``cap_share`` is the buyer's cap on that country.
    """
    at = problem.structure.stages
    need_keys = keys(problem)
    columns = [
        *need_keys,
        "stage",
        "country",
        "relation",
        "tonnes",
        "share_of_purchases",
        "cap_share",
    ]
    if at.empty:
        return pd.DataFrame(columns=columns)
    tonnes = _values(problem, solution)[problem.layout.x][at["x"].to_numpy()]
    needs = problem.structure.needs.set_index("need")
    frame = at.assign(
        tonnes=tonnes,
        commodity=needs["commodity"].reindex(at["need"]).to_numpy(),
        year=needs["year"].reindex(at["need"]).to_numpy(),
    )
    frame = frame[frame["tonnes"] > TONNES_TOL]
    by = [*need_keys, "stage", "country"]
    mix = frame.groupby(by, as_index=False).agg(
        tonnes=("tonnes", "sum"), relation=("relation", "first")
    )
    bought = np.bincount(
        problem.structure.x_need,
        _values(problem, solution)[problem.layout.x],
        minlength=problem.layout.n_need,
    )
    total = pd.Series(bought, index=pd.MultiIndex.from_frame(needs.reset_index()[need_keys]))
    mix["share_of_purchases"] = (
        mix["tonnes"].to_numpy()
        / total.reindex(pd.MultiIndex.from_frame(mix[need_keys])).to_numpy()
    )
    mix["cap_share"] = _caps(problem, mix)
    return mix[columns].sort_values(by, kind="stable").reset_index(drop=True)
