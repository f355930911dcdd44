"""The optimiser's answer: :class:`OptimisationResult`, built by :func:`make_result`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from riskengine import _notebook as nb
from riskengine.enums import Mode
from riskengine.exceptions import RiskEngineError
from riskengine.formatting import frame_records
from riskengine.optimise import _tables
from riskengine.optimise._contracts import INFEASIBLE_HINT
from riskengine.optimise._text import country_mix_text
from riskengine.optimise.binding import binding
from riskengine.optimise.milp import MILP_MESSAGE, MILP_NOT_SOLVED
from riskengine.optimise.problem import Problem
from riskengine.optimise.solution import Solution, SolveStatus

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["OptimisationResult", "country_mix_text", "make_result", "records"]

#: Relative tolerance of the self-check (objective recomputed from the tables).
CHECK_RTOL = 1e-6


def _number(value: float) -> float | None:
    """A float for JSON: NaN becomes None."""
    return None if math.isnan(value) else float(value)


records = frame_records  # the one table-to-JSON converter (riskengine.formatting)


@dataclass(frozen=True, repr=False)
class OptimisationResult:
    """A sourcing plan with its diagnostics. Tonnes a year, USD, shares as fractions 0-1.

    Money is kept apart (contract section 5.5): ``purchase_cost_usd`` is what
    would be paid to suppliers; ``risk_charge_usd`` (lambda x the expected
    disruption loss), ``lost_supply_usd`` (unmet demand at its lost-supply
    value) and ``violation_usd`` (soft policy caps exceeded) are *model
    costs*; ``objective_usd`` is their sum with the purchase cost, the figure
    the optimiser minimises, labelled model cost wherever it is shown.

    Attributes
    ----------
    status : SolveStatus
        ``optimal``, or why not (then the tables are empty or provisional).
    objective_usd : float
        The model cost the solver minimised, USD.
    purchase_cost_usd, risk_charge_usd, lost_supply_usd, violation_usd : float
        The objective's terms, USD; with ``holding_usd`` they sum to ``objective_usd``.
    holding_usd : float
        Cost of holding strategic stocks, USD (money, apart from purchases).
    thrifting_usd : float
        Premium paid for product variants that use less of an element (e.g.
        grain-boundary-diffused magnets), USD (money, apart from purchases).
    expected_loss_usd : float
        Disruption loss to expect in a year, sum of q x V x tonnes bought (no
        lambda), USD.
    allocations : DataFrame
        ``buyer, supplier_id, commodity, country, relation, tonnes,
        price_usd_per_kg, purchase_usd, risk_score, disruption_probability,
        expected_loss_usd, risk_charge_usd, offtake_t, route``, non-zero rows
        (``year`` after ``commodity`` with a horizon). :func:`riskengine.buy_list`
        shows it as a purchase order.
    shortfalls : DataFrame
        ``buyer, commodity, demand_t, served_t, shortfall_t,
        lost_value_usd_per_kg, lost_supply_usd`` for every need.
    violations : DataFrame
        Soft policy rows exceeded: ``family, buyer, commodity, country, share,
        excess_t, violation_usd_per_kg, violation_usd``.
    stage_mix : DataFrame
        Tonnes and shares of purchases per processing stage and country (from
        the offers' routes): where the material is mined, separated, made into
        metal or magnets; the CRMA counts the 65% benchmark at each stage.
    products : DataFrame
        Product made with each variant (bill of materials): ``buyer, family,
        variant, year, product_t, tonnes, share, base_share, premium_usd``;
        empty without product demand.
    stocks : DataFrame
        Strategic stocks per buyer, commodity (and year): ``closing_t``,
        ``target_t``, ``gap_t``, ``cover_days`` (days of that year's demand),
        ``holding_usd``; empty without ``stocks.csv``.
    mix_by_country, mix_by_supplier : DataFrame
        Tonnes and shares of purchases (and of demand, or of capacity).
    metrics : DataFrame
        Per buyer and commodity: money, average price, risk and disruption
        probability, HHI, China and home-and-partner shares of purchases, the
        largest non-home country, CRMA compliance (no non-home country above
        65% of purchases; NaN when nothing is bought), marginal cost of demand.
    binding : DataFrame
        Binding constraints with ``shadow_price_usd_per_kg`` (objective change
        per extra kg of right-hand side), its split by term and ``driver``,
        ``saving_usd_per_t`` and a ``sentence``; empty without duals.
    mode, risk_aversion
        Model settings used.
    model : dict
        Version, risk charge, shortfall rule and each buyer's policy in words.
    notes : tuple of str
        Deprecations and data fallbacks the analyst should read.
    solver, solver_version, backend : str
        Who solved it.
    build_s, solve_s : float
        Backend model build and solver seconds.
    objective_check_usd : float
        Objective recomputed from the plan's tables.
    duals_available : bool
        False when not optimal, or for a MILP.
    message : str
        The solver's or the self-check's explanation of a non-optimal status.
    size : dict
        Rows, columns and non-zeros of the LP.
    milp : bool
        True when a minimum order quantity or a supplier limit made the model a MILP.

    Examples
    --------
    >>> import riskengine
    >>> result = riskengine.optimise(riskengine.load_dataset(), riskengine.Config())
    >>> result
    OptimisationResult(status=optimal, purchase_cost_usd=..., mode=joint, risk_aversion=1, ...)
    >>> result.years  # the default horizon
    (2026, 2027, 2028, 2029, 2030)
    >>> result.to_frame("metrics").columns[:5].tolist()
    ['buyer', 'commodity', 'year', 'demand_t', 'served_t']
    >>> fig = result.plot("EU")  # matplotlib Figure: the EU mix by country
    """

    status: SolveStatus
    objective_usd: float
    purchase_cost_usd: float
    risk_charge_usd: float
    lost_supply_usd: float
    violation_usd: float
    expected_loss_usd: float
    holding_usd: float
    thrifting_usd: float
    allocations: pd.DataFrame
    shortfalls: pd.DataFrame
    violations: pd.DataFrame
    stocks: pd.DataFrame
    products: pd.DataFrame
    stage_mix: pd.DataFrame
    mix_by_country: pd.DataFrame
    mix_by_supplier: pd.DataFrame
    metrics: pd.DataFrame
    binding: pd.DataFrame
    mode: Mode
    risk_aversion: float
    solver: str
    solver_version: str
    backend: str
    build_s: float
    solve_s: float
    objective_check_usd: float
    duals_available: bool
    message: str = ""
    size: dict[str, int] = field(default_factory=dict)
    milp: bool = False
    model: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def is_optimal(self) -> bool:
        """True when the plan is optimal (and passed the self-check)."""
        return self.status.is_ok

    @property
    def shortfall_t(self) -> float:
        """Unmet demand over all buyers and commodities, tonnes."""
        return float(self.shortfalls["shortfall_t"].sum())

    @property
    def years(self) -> tuple[int, ...]:
        """The planning years (empty for the one-period model)."""
        if "year" not in self.shortfalls.columns:
            return ()
        return tuple(int(y) for y in sorted(set(self.shortfalls["year"])))

    def by_year(self) -> pd.DataFrame:
        """Per planning year: tonnes, money and China's share of purchases (one row without a
        horizon). Money: ``purchase_cost_usd`` and ``holding_usd`` are paid; the rest are
        model costs."""
        return _tables.by_year(self.metrics)

    def for_year(self, year: int) -> OptimisationResult:
        """The plan of one planning year, its tables filtered and its money summed from them."""
        if year not in self.years:
            valid = ", ".join(map(str, self.years)) or "none (no horizon)"
            raise RiskEngineError(f"year {year!r} is not a planning year; valid: {valid}")
        pick = {
            name: _in_year(getattr(self, name), year)
            for name in (*TABLES, "mix_by_supplier")
            if isinstance(getattr(self, name), pd.DataFrame)
        }
        m = pick["metrics"]
        keys = (
            "purchase_cost_usd",
            "risk_charge_usd",
            "lost_supply_usd",
            "violation_usd",
            "holding_usd",
            "expected_loss_usd",
        )
        money: dict[str, Any] = {k: float(m[k].sum()) for k in keys}
        money["thrifting_usd"] = float(pick["products"]["premium_usd"].sum())
        total = float(m["model_cost_usd"].sum()) + money["thrifting_usd"]
        return replace(self, **pick, **money, objective_usd=total, objective_check_usd=total)

    @property
    def served_t(self) -> float:
        """Demand served over all buyers and commodities, tonnes."""
        return float(self.shortfalls["served_t"].sum())

    def __repr__(self) -> str:
        return (
            f"OptimisationResult(status={self.status.value}, "
            f"purchase_cost_usd={self.purchase_cost_usd:,.0f}, mode={self.mode.value}, "
            f"risk_aversion={self.risk_aversion:g}, model_cost_usd={self.objective_usd:,.0f}, "
            f"allocations={len(self.allocations)} rows, shortfall_t={self.shortfall_t:,.1f}, "
            f"binding={len(self.binding)}, "
            f"solver={self.solver} {self.solver_version} via {self.backend})"
        )

    def summary(self, top: int = 5) -> str:
        """A readable text summary: status, money, volumes, metrics, top shadow prices."""
        from riskengine.optimise._text import summary_text

        return summary_text(self, top)

    def to_frame(self, table: str = "allocations") -> pd.DataFrame:
        """A copy of one of the result's tables.

        Parameters
        ----------
        table : {"allocations", "shortfalls", "metrics", "mix_by_country", \
"mix_by_supplier", "binding"}
            Default ``allocations``: the plan, one row per buyer and offer bought
            (tonnes a year, USD/kg, USD).
        """
        return nb.pick_table(self, table, TABLES)

    def plot(self, buyer: str | None = None) -> Figure:
        """Each commodity's mix by country as a share of demand (a matplotlib Figure).

        ``buyer`` picks one buyer; default every buyer, one panel each. See
        :func:`riskengine.plotting.plot_mix`.
        """
        from riskengine.plotting import plot_mix

        return plot_mix(self, buyer)

    def _repr_html_(self) -> str:
        """Notebook view: status line, the buy list (:func:`riskengine.buy_list`), then one
        row per buyer and commodity."""
        demand = float(self.shortfalls["demand_t"].sum())
        facts = [
            f"{self.mode.value} buying",
            f"risk_aversion {self.risk_aversion:g}",
            f"purchase cost USD {nb.number(self.purchase_cost_usd)}",
            f"served {nb.fmt_t(demand - self.shortfall_t)} of {nb.fmt_t(demand)} t",
            f"expected disruption loss USD {nb.number(self.expected_loss_usd)} a year",
            f"model cost USD {nb.number(self.objective_usd)} (not money paid)",
            f"{len(self.binding)} binding constraints",
        ]
        if self.message:
            facts.append(self.message)
        facts.extend(self.notes)
        shown, more = self, "result.to_frame('metrics')"
        if self.years:
            first, last = self.years[0], self.years[-1]
            facts[2:2] = [
                f"{first}-{last}: money and tonnes are totals over the years; the table "
                f"shows {first} (result.by_year(), result.for_year(year))"
            ]
            shown = self.for_year(first) if self.is_optimal else self
        from riskengine.optimise.buylist import buy_list

        when = f" in {self.years[0]}" if self.years else ""
        orders = nb.html_table(
            f"To buy{when}: per buyer, offer and commodity, largest orders first",
            buy_list(shown),
            _BUY_COLUMNS,
            more="riskengine.buy_list(result) for every row and year",
        )
        return nb.html_view(
            "OptimisationResult",
            self.status.value,
            self.is_optimal,
            facts,
            _overview(shown),
            _HTML_COLUMNS,
            more=more,
            before=orders,
            heading="Per buyer and commodity",
        )

    def to_dict(self, *, frames: bool = False) -> dict[str, Any]:
        """A JSON-ready dict of the result (tables as lists of row dicts).

        ``purchase_cost_usd + risk_charge_usd + lost_supply_usd + violation_usd +
        holding_usd`` equals ``objective_usd`` (the model cost). ``frames=True``
        keeps the tables as DataFrames, for :func:`riskengine.formatting.json_text`
        to write directly (the command line's ``--format json``).
        """
        head = {
            "status": self.status.value,
            "objective_usd": _number(self.objective_usd),
            "purchase_cost_usd": _number(self.purchase_cost_usd),
            "risk_charge_usd": _number(self.risk_charge_usd),
            "lost_supply_usd": _number(self.lost_supply_usd),
            "violation_usd": _number(self.violation_usd),
            "expected_loss_usd": _number(self.expected_loss_usd),
            "holding_usd": _number(self.holding_usd),
            "thrifting_usd": _number(self.thrifting_usd),
            "objective_check_usd": _number(self.objective_check_usd),
            "message": self.message,
            "mode": self.mode.value,
            "risk_aversion": self.risk_aversion,
            "served_t": self.served_t,
            "shortfall_t": self.shortfall_t,
            "model": dict(self.model),
            "notes": list(self.notes),
            "solver": {
                "name": self.solver,
                "version": self.solver_version,
                "backend": self.backend,
                "build_s": self.build_s,
                "solve_s": self.solve_s,
            },
            "duals_available": self.duals_available,
            "milp": self.milp,
            "size": dict(self.size),
        }
        tables = {name: getattr(self, name) for name in TABLES}
        if not frames:
            tables = {name: records(table) for name, table in tables.items()}
        return head | tables


#: The tables :meth:`OptimisationResult.to_frame` can return.
TABLES = (
    "allocations",
    "shortfalls",
    "violations",
    "stocks",
    "products",
    "stage_mix",
    "metrics",
    "mix_by_country",
    "mix_by_supplier",
    "binding",
)

_HTML_COLUMNS: list[nb.Column] = [
    ("buyer", "buyer", str),
    ("commodity", "commodity", str),
    ("demand_t", "demand t", nb.fmt_t),
    ("served_t", "served t", nb.fmt_t),
    ("shortfall_t", "short t", nb.fmt_t),
    ("average_price_usd_per_kg", "USD/kg", nb.number),
    ("average_risk", "avg risk", nb.number),
    ("china_share", "CN", nb.fmt_pct),
    ("main_supplier", "main supplier", str),
    ("crma_compliant", "CRMA 65%", nb.fmt_yes),
]


_BUY_COLUMNS: list[nb.Column] = [
    ("buyer", "buyer", str),
    ("supplier_id", "offer", str),
    ("commodity", "commodity", str),
    ("tonnes", "to buy t", nb.fmt_t),
    ("price_usd_per_kg", "USD/kg", lambda v: nb.number(v, 2)),
    ("purchase_usd", "USD", nb.number),
    ("risk_score", "risk", lambda v: nb.number(v, 1)),
    ("disruption_probability", "disruption p", nb.fmt_pct),
    ("route", "route", str),
    ("terms", "offtake or spot", str),
]


def _overview(result: OptimisationResult) -> pd.DataFrame:
    """Metrics per buyer and commodity with the offer that supplies the most."""
    alloc = result.allocations.sort_values(
        ["buyer", "commodity", "tonnes", "supplier_id"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    main = alloc.drop_duplicates(["buyer", "commodity"])[["buyer", "commodity", "supplier_id"]]
    frame = result.metrics.merge(main, on=["buyer", "commodity"], how="left")
    return frame.rename(columns={"supplier_id": "main_supplier"}).fillna({"main_supplier": "-"})


def _in_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    if "year" not in frame.columns:
        return frame
    return frame[frame["year"] == year].reset_index(drop=True)


def _model(problem: Problem) -> dict[str, Any]:
    settings = problem.structure.settings
    return {
        "version": settings.version,
        "risk_charge": _tables.risk_charge_rule(problem),
        "shortfall": settings.shortfall.value,
        "policies": {b: p.describe() for b, p in sorted(settings.policies.items())},
    }


def make_result(problem: Problem, solution: Solution) -> OptimisationResult:
    """Tables, metrics and shadow prices from a solved problem, with the self-check.

    An optimal solution whose objective, recomputed from the plan's tables,
    differs from the solver's by more than :data:`CHECK_RTOL` is reported as
    ``numerical``, never as optimal.
    """
    alloc = _tables.allocations(problem, solution)
    short = _tables.shortfalls(problem, solution)
    viol = _tables.violations(problem, solution)
    mix = _tables.mix_by_country(problem, alloc, short)
    money = _tables.money(problem, solution)
    stages = _tables.stage_mix(problem, solution)
    check = money["objective_usd"] if solution.values_t is not None else float("nan")
    baseline = _tables.thrifting_baseline_usd(problem)
    solution = replace(solution, objective_usd=solution.objective_usd - baseline)
    solution = _self_check(_explain(problem, solution), check)
    return OptimisationResult(
        status=solution.status,
        objective_usd=solution.objective_usd,
        purchase_cost_usd=money["purchase_usd"],
        risk_charge_usd=money["risk_charge_usd"],
        lost_supply_usd=money["lost_supply_usd"],
        violation_usd=money["violation_usd"],
        expected_loss_usd=float(alloc["expected_loss_usd"].sum()),
        holding_usd=money["holding_usd"],
        thrifting_usd=money["thrifting_usd"],
        allocations=alloc,
        shortfalls=short,
        violations=viol,
        stocks=_tables.stocks(problem, solution),
        products=_tables.products(problem, solution),
        stage_mix=stages,
        mix_by_country=mix,
        mix_by_supplier=_tables.mix_by_supplier(alloc, short, problem, solution),
        metrics=_tables.metrics(problem, solution, alloc, short, mix, viol, stages),
        binding=binding(problem, solution),
        mode=problem.mode,
        risk_aversion=problem.risk_aversion,
        solver=solution.solver,
        solver_version=solution.solver_version,
        backend=solution.backend,
        build_s=solution.build_s,
        solve_s=solution.solve_s,
        objective_check_usd=check,
        duals_available=solution.duals_available,
        message=solution.message,
        size={"rows": problem.n_rows, "columns": problem.n_cols, "nonzeros": problem.matrix.nnz},
        milp=problem.is_mip,
        model=_model(problem),
        notes=problem.structure.notes,
    )


def _explain(problem: Problem, solution: Solution) -> Solution:
    """Name the likely cause of infeasibility (only contracts can make the model infeasible),
    and say that a MILP has no shadow prices."""
    contracts = any(b.family == "contract" for b in problem.blocks)
    if solution.status is SolveStatus.INFEASIBLE and contracts:
        hint = INFEASIBLE_HINT
        if problem.is_mip:
            hint += (
                ", or lower optimiser.min_order_t or raise "
                "max_suppliers_per_commodity (contracted offers must be ordered from); "
                "or the time limit stopped the solver before it found an integer plan"
            )
        return replace(solution, message=f"infeasible: {hint}")
    if solution.status is SolveStatus.INFEASIBLE and problem.is_mip:
        # buying nothing is feasible, so this is a solver stopped early (CBC says
        # "Integer infeasible" when its time limit ends the search before a first plan)
        return replace(solution, status=SolveStatus.NOT_SOLVED, message=MILP_NOT_SOLVED)
    if problem.is_mip and solution.is_ok:
        return replace(solution, message=MILP_MESSAGE)
    return solution


def _self_check(solution: Solution, check: float) -> Solution:
    if not solution.is_ok:
        return solution
    gap = abs(solution.objective_usd - check)
    if gap <= CHECK_RTOL * max(1.0, abs(solution.objective_usd)):
        return solution
    message = (
        f"self-check failed: objective {solution.objective_usd:,.2f} USD from the solver "
        f"but {check:,.2f} USD recomputed from the plan; try the other solver"
    )
    return replace(
        solution,
        status=SolveStatus.NUMERICAL,
        message=message,
        row_dual_usd_per_kg=None,
        col_dual_usd_per_kg=None,
    )
