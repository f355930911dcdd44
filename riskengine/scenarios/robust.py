"""A robust sourcing plan: two-stage stochastic LP with a CVaR term (Rockafellar-Uryasev).

First stage (decided now): contracted tonnes ``y[b,o]`` per buyer and offer,
paying a contract fee ``f * c[b,o]`` per tonne contracted, where ``c[b,o]`` is
the baseline risk-adjusted cost of the offer (``1000 * price * (1 + lambda *
risk / 100)``, USD/t) and ``f`` is ``contract_fee``.

Second stage (per scenario ``s``, probability ``w_s``): the same LP as the
deterministic model with the scenario's capacities, prices and demand
(``x_s``: tonnes bought, ``u_s``: shortfall, every cap and floor), where the
part of ``x_s`` above the contract is bought spot at a premium:

    x_s[b,o] - z_s[b,o] <= y[b,o],   z_s >= 0
    C_s = f * c . y  +  c_s . x_s  +  (m - 1) * c_s . z_s  +  P . u_s

with ``c_s`` the scenario's risk-adjusted cost and ``m`` the ``spot_premium``.

Objective, with the Rockafellar-Uryasev linearisation of CVaR at level alpha:

    minimise  sum_s w_s C_s + beta * ( eta + 1 / (1 - alpha) * sum_s w_s t_s )
    s.t.      t_s >= C_s - eta,  t_s >= 0,  eta free.

At the optimum ``eta`` is the value-at-risk and the bracket is CVaR_alpha, the
expected cost of the worst ``1 - alpha`` of probability. With ``alpha = 0`` the
bracket is the expected cost, so the plan equals the expected-cost plan
(``beta = 0``). The deterministic plan is evaluated in the same model with its
contract fixed to its optimal tonnes; the difference is the price of robustness.
All costs are risk-adjusted USD, the optimiser's objective (purchase + risk
charge + shortfall penalty) plus contract fees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskengine.exceptions import RiskEngineError
from riskengine.optimise._highs import new_highs
from riskengine.optimise.families import TONNES_PER_UNIT, USD_PER_UNIT
from riskengine.optimise.result import records
from riskengine.optimise.solution import SolveStatus
from riskengine.scenarios._index import ModelIndex, ScenarioArrays
from riskengine.scenarios.model import ScenarioEffect

__all__ = ["RobustResult", "RobustSettings", "compare_plans", "cvar", "scenario_weights"]


@dataclass(frozen=True)
class RobustSettings:
    """Parameters of the robust model.

    Attributes
    ----------
    alpha : float
        CVaR level in [0, 1): 0.9 = the worst 10% of probability.
    beta : float
        Weight of CVaR against expected cost (>= 0).
    spot_premium : float
        Spot price as a multiple of the scenario price (>= 1).
    contract_fee : float
        Fee per contracted tonne as a share of the offer's baseline cost (>= 0).
    """

    alpha: float = 0.9
    beta: float = 1.0
    spot_premium: float = 1.5
    contract_fee: float = 0.05

    def __post_init__(self) -> None:
        checks = {
            "alpha": 0 <= self.alpha < 1,
            "beta": self.beta >= 0,
            "spot_premium": self.spot_premium >= 1,
            "contract_fee": self.contract_fee >= 0,
        }
        valid = {
            "alpha": "0 <= alpha < 1",
            "beta": ">= 0",
            "spot_premium": ">= 1",
            "contract_fee": ">= 0",
        }
        for name, ok in checks.items():
            if not ok:
                raise RiskEngineError(
                    f"robust {name} = {getattr(self, name)!r}: expected {valid[name]}"
                )


def scenario_weights(
    effects: Sequence[ScenarioEffect], baseline: ScenarioEffect
) -> tuple[list[ScenarioEffect], np.ndarray]:
    """Probabilities of the scenarios, completed as documented in ``docs/scenarios.md``.

    Scenarios without a probability share what the others leave (1 minus their
    sum) equally. When every scenario has one and they sum to less than 1, the
    rest goes to ``baseline`` (nothing happens), which is appended. Sums above 1
    are an error.
    """
    given = np.array([e.probability if e.probability is not None else np.nan for e in effects])
    known = np.nansum(given)
    names = ", ".join(f"{e.name} {e.probability:g}" for e in effects if e.probability is not None)
    if known > 1.0 + 1e-9:
        raise RiskEngineError(
            f"scenario probabilities sum to {known:g} (> 1): {names}; "
            "lower them or leave some out (they then share the rest)"
        )
    rest = max(0.0, 1.0 - known)
    missing = np.isnan(given)
    if missing.any():
        if rest <= 1e-12:
            raise RiskEngineError(
                f"scenario probabilities already sum to 1 ({names}), leaving "
                "nothing for the scenarios without one; give every scenario "
                "a probability or lower some"
            )
        given[missing] = rest / missing.sum()
        return list(effects), given
    if rest > 1e-12:
        return [*effects, baseline], np.append(given, rest)
    return list(effects), given


def cvar(costs: np.ndarray, weights: np.ndarray, alpha: float) -> float:
    """CVaR_alpha of a discrete cost distribution (Rockafellar-Uryasev minimum over eta)."""
    costs, weights = np.asarray(costs, float), np.asarray(weights, float)
    tail = np.maximum(costs[None, :] - costs[:, None], 0.0) @ weights
    return float(np.min(costs + tail / (1.0 - alpha)))


# --------------------------------------------------------------------------- the LP


@dataclass(frozen=True)
class _Layout:
    n_x: int
    n_p: int
    n_s: int
    with_cvar: bool

    @property
    def per_s(self) -> int:
        return 2 * self.n_x + self.n_p

    def x(self, s: int) -> int:
        return self.n_x + s * self.per_s

    @property
    def eta(self) -> int:
        return self.n_x + self.n_s * self.per_s

    @property
    def n_cols(self) -> int:
        return self.eta + (1 + self.n_s if self.with_cvar else 0)


@dataclass(frozen=True)
class _Answer:
    status: str
    y_t: np.ndarray
    costs_usd: np.ndarray
    shortfall_t: np.ndarray
    spot_t: np.ndarray


def _solve(
    index: ModelIndex,
    arrays: list[ScenarioArrays],
    weights: np.ndarray,
    settings: RobustSettings,
    fixed_y: np.ndarray | None,
    time_limit_s: float | None,
) -> _Answer:
    """Build the two-stage LP from arrays, solve it with HiGHS, return per-scenario costs."""
    lay = _Layout(
        index.n_x, index.n_cols - index.n_x, len(arrays), fixed_y is None and settings.beta > 0
    )
    fee = settings.contract_fee * arrays_base_cost(index)
    matrix, row_lo, row_hi = _rows(index, arrays, lay, fee, settings.spot_premium - 1.0)
    cost, col_lo, col_hi = _columns(arrays, weights, settings, lay, fee, fixed_y)
    values = _run_lp(
        matrix,
        cost,
        (col_lo, col_hi),
        (row_lo, row_hi),
        time_limit_s,
        f"{lay.n_s} scenarios, {lay.n_cols:,} columns",
    )
    return _answer(index, arrays, lay, fee, settings, values, SolveStatus.OPTIMAL.value)


def _run_lp(
    matrix: sp.csr_matrix,
    cost: np.ndarray,
    cols: tuple[np.ndarray, np.ndarray],
    rows: tuple[np.ndarray, np.ndarray],
    time_limit_s: float | None,
    size: str,
) -> np.ndarray:
    """Solve ``min cost x`` s.t. bounds with HiGHS; the column values, or an error."""
    h = new_highs(time_limit_s)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), matrix.shape[0]
    lp.col_cost_, (lp.col_lower_, lp.col_upper_) = cost, cols
    lp.row_lower_, lp.row_upper_ = rows
    csc = matrix.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    if h.passModel(lp) == highspy.HighsStatus.kError:
        raise RiskEngineError("HiGHS rejected the robust LP (passModel returned kError)")
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        what = h.modelStatusToString(h.getModelStatus())
        raise RiskEngineError(
            f"the robust LP ({size}) was not solved to optimality (HiGHS: {what}); raise "
            f"optimiser.time_limit_s (now {time_limit_s} s) or use fewer scenarios"
        )
    return np.asarray(h.getSolution().col_value, float)


def arrays_base_cost(index: ModelIndex) -> np.ndarray:
    """Baseline cost per x column (purchase + risk charge), USD/t (= kUSD/kt)."""
    return index.problem.cost[: index.n_x]


def _rows(
    index: ModelIndex, arrays: list[ScenarioArrays], lay: _Layout, fee: np.ndarray, extra: float
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    start, idx, value = index.csc
    a = sp.csc_matrix((value, idx, start), shape=(index.n_rows, index.n_cols))
    eye = sp.identity(lay.n_x, format="csr")
    block = sp.bmat(
        [[a, None], [sp.hstack([eye, sp.csr_matrix((lay.n_x, lay.n_p))]), -eye]], format="csr"
    )
    link_y = sp.vstack([sp.csr_matrix((index.n_rows, lay.n_x)), -eye])
    body = sp.hstack(
        [sp.kron(np.ones((lay.n_s, 1)), link_y), sp.kron(sp.identity(lay.n_s), block)], format="csr"
    )
    inf = np.full(lay.n_x, -np.inf)
    lo = np.concatenate([np.concatenate([arr.row_lower, inf]) for arr in arrays])
    hi = np.concatenate([np.concatenate([arr.row_upper, np.zeros(lay.n_x)]) for arr in arrays])
    body = sp.hstack([body, sp.csr_matrix((body.shape[0], lay.n_cols - body.shape[1]))])
    if not lay.with_cvar:
        return body.tocsr(), lo, hi
    tail = _cvar_rows(arrays, lay, fee, extra)
    return (
        sp.vstack([body, tail], format="csr"),
        np.concatenate([lo, np.full(lay.n_s, -np.inf)]),
        np.concatenate([hi, np.zeros(lay.n_s)]),
    )


def _cvar_rows(
    arrays: list[ScenarioArrays], lay: _Layout, fee: np.ndarray, extra: float
) -> sp.csr_matrix:
    """Row s: fee . y + cost of scenario s's columns - eta - t_s (<= 0)."""
    rows, cols, vals = [], [], []
    for s, arr in enumerate(arrays):
        own = _scenario_cost(arr, lay, 1.0, extra)
        rows.append(np.full(lay.n_x + lay.per_s + 2, s))
        cols.append(
            np.concatenate(
                [np.arange(lay.n_x), lay.x(s) + np.arange(lay.per_s), [lay.eta, lay.eta + 1 + s]]
            )
        )
        vals.append(np.concatenate([fee, own, [-1.0, -1.0]]))
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(lay.n_s, lay.n_cols),
    )


def _scenario_cost(
    arr: ScenarioArrays, lay: _Layout, weight: float, spot_extra: float
) -> np.ndarray:
    """Cost of [x_s, u_s, z_s] in one scenario (z: the premium on top of x's cost)."""
    cost_x = arr.col_cost[: lay.n_x]
    return weight * np.concatenate([cost_x, arr.col_cost[lay.n_x :], spot_extra * cost_x])


def _columns(
    arrays: list[ScenarioArrays],
    weights: np.ndarray,
    settings: RobustSettings,
    lay: _Layout,
    fee: np.ndarray,
    fixed_y: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    extra = settings.spot_premium - 1.0
    parts = [_scenario_cost(arr, lay, w, extra) for arr, w in zip(arrays, weights, strict=True)]
    cost = np.concatenate([fee, *parts])
    ub_x = [arr.col_upper[: lay.n_x] for arr in arrays]
    hi = np.concatenate(
        [
            np.max(ub_x, axis=0) if fixed_y is None else fixed_y / TONNES_PER_UNIT,
            *[np.concatenate([u, np.full(lay.n_p, np.inf), u]) for u in ub_x],
        ]
    )
    lo = np.zeros(len(hi))
    if fixed_y is not None:
        lo[: lay.n_x] = hi[: lay.n_x]
    if lay.with_cvar:
        tail_w = settings.beta * weights / (1.0 - settings.alpha)
        cost = np.concatenate([cost, [settings.beta], tail_w])
        lo = np.concatenate([lo, [-np.inf], np.zeros(lay.n_s)])
        hi = np.concatenate([hi, [np.inf], np.full(lay.n_s, np.inf)])
    return cost, lo, hi


def _answer(
    index: ModelIndex,
    arrays: list[ScenarioArrays],
    lay: _Layout,
    fee: np.ndarray,
    settings: RobustSettings,
    values: np.ndarray,
    status: str,
) -> _Answer:
    y = values[: lay.n_x]
    costs, short, spot = [], [], []
    for s, arr in enumerate(arrays):
        part = values[lay.x(s) : lay.x(s) + lay.per_s]
        unit = _scenario_cost(arr, lay, 1.0, settings.spot_premium - 1.0)
        costs.append((fee @ y + unit @ part) * USD_PER_UNIT)
        short.append(part[lay.n_x : lay.n_x + index.n_pairs] * TONNES_PER_UNIT)
        spot.append(part[lay.n_x + lay.n_p :] * TONNES_PER_UNIT)
    return _Answer(status, y * TONNES_PER_UNIT, np.array(costs), np.array(short), np.array(spot))


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True, repr=False)
class RobustResult:
    """The robust plan next to the deterministic one, across the same scenarios.

    Attributes
    ----------
    settings : RobustSettings
    status : str
        ``optimal`` when the robust LP and every evaluation solved to optimality.
    contracts : DataFrame
        ``buyer, commodity, supplier_id, country, deterministic_t, robust_t``:
        contracted tonnes a year (the deterministic plan contracts what it buys).
    by_scenario : DataFrame
        ``scenario, weight`` and, per plan (``deterministic_``, ``robust_``),
        ``usd`` (risk-adjusted cost incl. fees), ``shortfall_t`` and ``spot_t``.
    comparison : DataFrame
        ``metric, deterministic, robust, difference`` for contracted_t,
        contract_fees_usd, nominal_usd (no disruption), expected_usd, cvar_usd,
        worst_usd, expected_shortfall_t and expected_spot_t.
    """

    settings: RobustSettings
    status: str
    contracts: pd.DataFrame
    by_scenario: pd.DataFrame
    comparison: pd.DataFrame

    def metric(self, name: str, plan: str = "robust") -> float:
        """One figure of :attr:`comparison`."""
        row = self.comparison.set_index("metric").loc[name]
        return float(row[plan])

    def __repr__(self) -> str:
        return (
            f"RobustResult(status={self.status}, alpha={self.settings.alpha:g}, "
            f"beta={self.settings.beta:g}, scenarios={len(self.by_scenario)}, "
            f"price_of_robustness_usd={self.metric('nominal_usd', 'difference'):,.0f})"
        )

    def summary(self) -> str:
        """Readable comparison and what the robust plan buys beyond the deterministic one."""
        from riskengine.scenarios._text import robust_text

        return robust_text(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "status": self.status,
            "settings": asdict(self.settings),
            "comparison": records(self.comparison),
            "by_scenario": records(self.by_scenario),
            "contracts": records(self.contracts),
        }


def compare_plans(
    index: ModelIndex,
    x_columns: pd.DataFrame,
    effects: Sequence[ScenarioEffect],
    deterministic_x_t: np.ndarray,
    settings: RobustSettings | None = None,
    time_limit_s: float | None = None,
) -> RobustResult:
    """Solve the robust plan and evaluate it and the deterministic plan on the same scenarios.

    Parameters
    ----------
    index : ModelIndex
        The deterministic LP's structure.
    x_columns : DataFrame
        The problem's x columns (``buyer, commodity, supplier_id, country``).
    effects : sequence of ScenarioEffect
        The scenarios (weights: :func:`scenario_weights`).
    deterministic_x_t : ndarray
        The deterministic plan, tonnes per x column.
    settings : RobustSettings, optional
    time_limit_s : float, optional
        HiGHS time limit per LP.
    """
    settings = settings or RobustSettings()
    if not effects:
        raise RiskEngineError("the robust plan needs at least one scenario")
    noop = ScenarioEffect("baseline", "no change", None, "baseline", index.buyers)
    chosen, weights = scenario_weights(effects, noop)
    arrays = [index.scenario(e) for e in chosen]
    det_x = np.asarray(deterministic_x_t, float)
    robust = _solve(index, arrays, weights, settings, None, time_limit_s)
    plans = {"deterministic": det_x, "robust": robust.y_t}
    across = {
        k: _solve(index, arrays, weights, settings, y, time_limit_s) for k, y in plans.items()
    }
    nominal = {
        k: _solve(index, [index.scenario(noop)], np.ones(1), settings, y, time_limit_s)
        for k, y in plans.items()
    }
    answers = [robust, *across.values(), *nominal.values()]
    status = "optimal" if all(a.status == "optimal" for a in answers) else "numerical"
    fee = settings.contract_fee * arrays_base_cost(index)
    return RobustResult(
        settings,
        status,
        _contracts(x_columns, plans),
        _by_scenario(chosen, weights, across),
        _comparison(plans, across, nominal, weights, fee, settings.alpha),
    )


def _contracts(x_columns: pd.DataFrame, plans: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = x_columns[["buyer", "commodity", "supplier_id", "country"]].reset_index(drop=True)
    for name, y in plans.items():
        frame[f"{name}_t"] = np.where(np.abs(y) < 1e-6, 0.0, y)
    keep = (frame["deterministic_t"] > 0) | (frame["robust_t"] > 0)
    return frame[keep].reset_index(drop=True)


def _by_scenario(
    effects: list[ScenarioEffect], weights: np.ndarray, across: dict[str, _Answer]
) -> pd.DataFrame:
    frame = pd.DataFrame({"scenario": [e.name for e in effects], "weight": weights})
    for name, answer in across.items():
        frame[f"{name}_usd"] = answer.costs_usd
        frame[f"{name}_shortfall_t"] = answer.shortfall_t.sum(axis=1)
        frame[f"{name}_spot_t"] = answer.spot_t.sum(axis=1)
    return frame


def _comparison(
    plans: dict[str, np.ndarray],
    across: dict[str, _Answer],
    nominal: dict[str, _Answer],
    weights: np.ndarray,
    fee: np.ndarray,
    alpha: float,
) -> pd.DataFrame:
    rows = {}
    for name, y in plans.items():
        a = across[name]
        rows[name] = {
            "contracted_t": float(y.sum()),
            "contract_fees_usd": float(fee @ y),
            "nominal_usd": float(nominal[name].costs_usd[0]),
            "expected_usd": float(weights @ a.costs_usd),
            "cvar_usd": cvar(a.costs_usd, weights, alpha),
            "worst_usd": float(a.costs_usd.max()),
            "expected_shortfall_t": float(weights @ a.shortfall_t.sum(axis=1)),
            "expected_spot_t": float(weights @ a.spot_t.sum(axis=1)),
        }
    frame = pd.DataFrame(rows).rename_axis("metric").reset_index()
    frame["difference"] = frame["robust"] - frame["deterministic"]
    return frame
