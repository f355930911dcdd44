"""What a five-year plan answers: pipeline, CRMA years, project delays, stock cover, Union benchmarks.

Pure functions of a horizon plan (:func:`riskengine.optimise`) and its inputs,
each returning a DataFrame with units in the column names (``_t`` tonnes a
year, ``_usd`` US dollars, ``share`` 0-1). Each answers one question of
issue 15 / contract 5.1:

- :func:`pipeline`: what the project pipeline adds each year, ex-China and
  through China;
- :func:`crma_years`: from which year each buyer's purchases of a commodity
  meet the 65% single-country test at every stage of their routes, and keep
  meeting it;
- :func:`project_delays`: which project delays hurt most, valued at the
  shadow prices of capacity by year (a first-order figure);
- :func:`stock_cover`: days of demand the stock plan holds at each year end;
- :func:`union_benchmarks`: the CRMA 2030 Union benchmarks (extraction 10%,
  processing 40%, recycling 25% of consumption, 65% from one country at each
  stage) for the plan and for the pipeline located at home.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskengine.config.schema import Config
from riskengine.data.checks import home_and_partners
from riskengine.data.dataset import Dataset
from riskengine.data.routes import route_stages
from riskengine.enums import RouteStage
from riskengine.optimise.result import OptimisationResult
from riskengine.optimise.variables import RELATIONS, offers

__all__ = [
    "CRMA_2030",
    "crma_years",
    "pipeline",
    "project_delays",
    "stock_cover",
    "union_benchmarks",
]

#: CRMA Art. 5(1)(a): Union capacity as a share of Union consumption by 2030, per stage.
CRMA_2030: dict[str, float] = {
    RouteStage.MINING.value: 0.10,
    RouteStage.SEPARATION.value: 0.40,
    RouteStage.RECYCLING.value: 0.25,
}
#: CRMA Art. 5(1)(b): no more than this share from one third country at any stage.
CRMA_SINGLE_COUNTRY = 0.65
_TOL_T = 1e-6
#: The code of a buyer's home in :func:`riskengine.data.checks.home_and_partners`.
HOME = RELATIONS.index("home")


def _through_china(dataset: Dataset) -> np.ndarray:
    """True per ``suppliers.csv`` row when the offer or any stage of its route is in China."""
    sup = dataset.suppliers.reset_index(drop=True)
    stages = route_stages(sup)
    china = np.zeros(len(sup), dtype=bool)
    china[stages.loc[stages["country"].astype(str) == "CN", "row"].to_numpy(dtype=int)] = True
    return np.asarray(china | (sup["country"].astype(str) == "CN").to_numpy())


def pipeline(dataset: Dataset, config: Config) -> pd.DataFrame:
    """Capacity per commodity and planning year, and what each year adds (tonnes a year).

    Columns: ``commodity, year, capacity_t`` (all offers), ``china_t`` (offers
    in China or with a route stage there), ``ex_china_t``, ``added_t`` (ex-China
    capacity over the year before; the first year counts against zero) and
    ``projects`` (ex-China offers whose capacity grows that year). Capacity is
    after ramp-up and commissioning probability (``available_from``,
    ``ramp_years``, ``commissioning_probability``), before licences.
    """
    table = offers(dataset, config)
    china = _through_china(dataset)[table["row"].to_numpy()]
    table = table.assign(
        china_t=np.where(china, table["capacity_t"], 0.0),
        ex_china_t=np.where(china, 0.0, table["capacity_t"]),
    )
    table = table.sort_values(["row", "year"], kind="stable")
    grew = table["ex_china_t"] - table.groupby("row")["ex_china_t"].shift(fill_value=0.0)
    table["grows"] = np.where(grew > _TOL_T, table["supplier_id"], "")
    out = table.groupby(["commodity", "year"], as_index=False).agg(
        capacity_t=("capacity_t", "sum"),
        china_t=("china_t", "sum"),
        ex_china_t=("ex_china_t", "sum"),
        projects=("grows", lambda s: ", ".join(sorted({p for p in s if p}))),
    )
    out["added_t"] = out["ex_china_t"] - out.groupby("commodity")["ex_china_t"].shift(
        fill_value=0.0
    )
    columns = ["commodity", "year", "capacity_t", "china_t", "ex_china_t", "added_t", "projects"]
    return out[columns].sort_values(["commodity", "year"], kind="stable").reset_index(drop=True)


def crma_years(result: OptimisationResult) -> pd.DataFrame:
    """Per buyer and commodity, the first year from which the plan meets the 65% test for good.

    The test is the plan's own (``metrics`` ``crma_compliant``): no country
    outside the buyer's home supplies more than 65% of its purchases at any
    stage of their routes. Columns: ``buyer, commodity, meets_from`` (a year,
    or NaN when the plan does not meet it by the last year), ``first_year_share``
    and ``last_year_share`` (the largest non-home country's share at its worst
    stage), ``last_year_country``, ``last_year_stage``.
    """
    m = result.metrics
    if "year" not in m.columns:
        m = m.assign(year=np.nan)
    rows = []
    for (buyer, commodity), part in m.sort_values("year").groupby(["buyer", "commodity"]):
        ok = part["crma_compliant"].eq(True).to_numpy()
        # the first year of the final unbroken run of compliant years
        failing = np.flatnonzero(~ok)
        start = 0 if not len(failing) else int(failing[-1]) + 1
        first, last = part.iloc[0], part.iloc[-1]
        rows.append(
            {
                "buyer": buyer,
                "commodity": commodity,
                "meets_from": part["year"].iloc[start] if start < len(part) else np.nan,
                "first_year_share": first["top_foreign_share"],
                "last_year_share": last["top_foreign_share"],
                "last_year_country": last["top_foreign_country"],
                "last_year_stage": last.get("top_foreign_stage", ""),
            }
        )
    return pd.DataFrame(rows)


def project_delays(
    result: OptimisationResult, dataset: Dataset, config: Config, top: int | None = None
) -> pd.DataFrame:
    """Projects that start within the horizon, with what a one-year delay would cost.

    A delay shifts an offer's capacity path one year later, so year t loses
    ``K[o,t] - K[o,t-1]`` tonnes. Valued at the shadow price of the offer's
    capacity in each year (what one more kg would save in model cost), the
    delay costs ``sum_t saving[o,t] x (K[o,t] - K[o,t-1])``. This is a
    first-order figure and a lower bound: an LP's optimal cost is convex in its
    right-hand sides, so losing the tonnes costs at least the tangent's estimate
    (and exactly that while the plan's basis does not change).

    Columns: ``supplier_id, commodity, country, available_from, capacity_t``
    (in the last year), ``delay_cost_usd`` (model cost), ``first_year_saving_usd_per_kg``.
    Sorted by ``delay_cost_usd``, largest first; ``top`` keeps that many.
    """
    years = config.horizon.years
    columns = [
        "supplier_id",
        "commodity",
        "country",
        "available_from",
        "capacity_t",
        "delay_cost_usd",
        "first_year_saving_usd_per_kg",
    ]
    sup = dataset.suppliers
    if not years or "available_from" not in sup.columns:
        return pd.DataFrame(columns=columns)
    start = pd.to_numeric(sup["available_from"], errors="coerce")
    starting = set(np.flatnonzero(start.between(years[0], years[-1]).to_numpy()))
    if not starting:
        return pd.DataFrame(columns=columns)
    table = offers(dataset, config)
    table = table[table["row"].isin(starting)].sort_values(["row", "year"], kind="stable")
    table["lost_t"] = table["capacity_t"] - table.groupby("row")["capacity_t"].shift(fill_value=0.0)
    binding = result.binding
    cap = binding[binding["family"] == "capacity"]
    saving = (
        cap.assign(year=cap["year"].astype(float))
        .groupby(["supplier_id", "commodity", "year"])["saving_usd_per_t"]
        .sum()
    )
    key = pd.MultiIndex.from_arrays(
        [table["supplier_id"], table["commodity"], table["year"].astype(float)]
    )
    table["saving_usd_per_t"] = saving.reindex(key).fillna(0.0).to_numpy()
    table["cost_usd"] = table["saving_usd_per_t"] * table["lost_t"]
    first = table.drop_duplicates("row", keep="first").set_index("row")
    last = table.drop_duplicates("row", keep="last").set_index("row")
    out = pd.DataFrame(
        {
            "supplier_id": first["supplier_id"],
            "commodity": first["commodity"],
            "country": first["country"],
            "available_from": start.iloc[first.index].astype(int).to_numpy(),
            "capacity_t": last["capacity_t"],
            "delay_cost_usd": table.groupby("row")["cost_usd"].sum(),
            "first_year_saving_usd_per_kg": (
                table[table["lost_t"] > _TOL_T]
                .drop_duplicates("row")
                .set_index("row")["saving_usd_per_t"]
                .reindex(first.index)
                .fillna(0.0)
                / 1000.0
            ),
        }
    )
    out = out.sort_values(
        ["delay_cost_usd", "supplier_id", "commodity"], ascending=[False, True, True]
    )
    out = out.reset_index(drop=True)[columns]
    return out if top is None else out.head(top)


def stock_cover(result: OptimisationResult) -> pd.DataFrame:
    """Stock at each year end and the days of that year's demand it covers.

    Columns: ``buyer, commodity, year, closing_t, cover_days, target_days``
    (NaN without a target) and ``meets_target``.
    """
    stocks = result.stocks
    columns = ["buyer", "commodity", "year", "closing_t", "cover_days", "target_days"]
    if stocks.empty:
        return pd.DataFrame(columns=[*columns, "meets_target"])
    daily = stocks["demand_t"] / 365.0
    target_days = stocks["target_t"] / daily.where(daily > 0)
    out = stocks.assign(target_days=target_days)[columns]
    out["meets_target"] = np.where(
        out["target_days"].isna(), pd.NA, out["cover_days"] >= out["target_days"] - 1e-6
    )
    return out.reset_index(drop=True)


def _stage_of(frame: pd.DataFrame) -> pd.Series:
    """``refining`` in a route is another spelling of ``separation``."""
    return frame["stage"].replace({"refining": RouteStage.SEPARATION.value})


def union_benchmarks(
    result: OptimisationResult,
    dataset: Dataset,
    config: Config,
    buyer: str = "EU",
    year: int | None = None,
) -> pd.DataFrame:
    """The CRMA 2030 benchmarks for one buyer's plan and for the pipeline at home.

    Per commodity and benchmark, in ``year`` (default the horizon's last):

    - ``extraction``, ``processing``, ``recycling``: tonnes the plan buys whose
      mining, separation or recycling stage is in the buyer's home, as a share
      of its purchases (``plan_share``), and home capacity at that stage as a
      share of its demand (``pipeline_share``), against the benchmark's
      ``target_share`` (10%, 40%, 25%);
    - ``single country at <stage>``: the largest non-home country's share of
      purchases at that stage (``plan_share``) against 65%.

    A route that leaves out a stage counts as not at home there. ``meets`` is
    True when a share meets its target (NaN where the plan buys nothing).
    """
    columns = [
        "buyer",
        "commodity",
        "year",
        "benchmark",
        "stage",
        "target_share",
        "plan_share",
        "pipeline_share",
        "country",
        "meets",
    ]
    if buyer not in config.buyers:
        return pd.DataFrame(columns=columns)
    years = config.horizon.years
    year = year if year is not None else (years[-1] if years else None)
    home = home_and_partners(dataset, config)
    home = set(home.loc[(home["buyer"] == buyer) & (home["relation"] == HOME), "country"])

    mix = result.stage_mix
    mix = mix[mix["buyer"] == buyer]
    metrics = result.metrics[result.metrics["buyer"] == buyer]
    if year is not None and "year" in mix.columns:
        mix = mix[mix["year"] == year]
        metrics = metrics[metrics["year"] == year]
    mix = mix.assign(stage=_stage_of(mix))
    bought = metrics.set_index("commodity")["bought_t"]
    demand = metrics.set_index("commodity")["demand_t"]

    cap = offers(dataset, config)
    if year is not None and years:
        cap = cap[cap["year"] == year]
    stages = route_stages(dataset.suppliers.reset_index(drop=True))
    stages = stages.assign(stage=_stage_of(stages))
    cap_by_row = cap.groupby("row")["capacity_t"].sum()
    stages = stages.assign(capacity_t=cap_by_row.reindex(stages["row"]).fillna(0.0).to_numpy())
    at_home = stages[stages["country"].astype(str).isin(home)]

    rows = []
    for commodity in sorted(demand.index):
        total = float(bought.get(commodity, 0.0))
        need = float(demand.get(commodity, 0.0))
        own = mix[mix["commodity"] == commodity]
        for stage, target in CRMA_2030.items():
            name = {"mining": "extraction", "separation": "processing"}.get(stage, stage)
            plan_t = own.loc[(own["stage"] == stage) & own["country"].isin(home), "tonnes"].sum()
            cap_t = at_home.loc[
                (at_home["stage"] == stage) & (at_home["commodity"] == commodity), "capacity_t"
            ].sum()
            share = plan_t / total if total > _TOL_T else np.nan
            rows.append(
                (commodity, name, stage, target, share, cap_t / need if need > 0 else np.nan, "")
            )
        for stage, part in own.groupby("stage", sort=True):
            foreign = part[~part["country"].isin(home)]
            if foreign.empty or total <= _TOL_T:
                continue
            top = foreign.sort_values(["tonnes", "country"], ascending=[False, True]).iloc[0]
            rows.append(
                (
                    commodity,
                    f"single country at {stage or 'seller'}",
                    stage,
                    CRMA_SINGLE_COUNTRY,
                    float(top["tonnes"]) / total,
                    np.nan,
                    str(top["country"]),
                )
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "commodity",
            "benchmark",
            "stage",
            "target_share",
            "plan_share",
            "pipeline_share",
            "country",
        ],
    )
    single = frame["benchmark"].str.startswith("single country")
    meets = np.where(
        single,
        frame["plan_share"] <= frame["target_share"] + 1e-9,
        frame["plan_share"] >= frame["target_share"] - 1e-9,
    )
    frame["meets"] = pd.Series(meets, dtype=object).where(frame["plan_share"].notna(), pd.NA)
    frame.insert(0, "buyer", buyer)
    frame.insert(2, "year", year if year is not None else np.nan)
    return frame[columns]
