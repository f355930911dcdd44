"""Invariants of the LP (hypothesis): relaxing never costs, order and scale do not matter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskengine.data.dataset import Dataset
from riskengine.data.synthetic import generate_dataset
from riskengine.optimise import OptimisationResult, build_problem, optimise, solve
from tests.optimise.helpers import make_config, random_scores

FAST = settings(max_examples=20, deadline=None)
seeds = st.integers(0, 10_000)
offers = st.integers(7, 50)
modes = st.sampled_from(["joint", "separate"])
shares = st.floats(0.2, 1.0)
#: Hard shares within one percentage point of "no constraint" (a country cap above 99%, a
#: partner floor below 1%) make the LP ill-conditioned: with a single source a cap row reads
#: (1 - theta) x <= 0, and HiGHS's feasibility tolerance (1e-7 kt a row, on the cap and the
#: bought rows) lets up to 2e-7 / (1 - theta) kt through, an amount that depends on the
#: solver's path (seed 0, 8 offers, theta 0.99999, hard: 20 t and USD 8 m of lost supply
#: appear or vanish as max_supplier_share goes 0.75 -> 0.9). The invariants are tested away
#: from that edge, which docs/methodology.md states.
caps = st.floats(0.2, 0.99) | st.just(1.0)
alphas = st.just(0.0) | st.floats(0.01, 0.6)


def _cap(theta: float) -> float:
    """A relaxed cap kept out of the ill-conditioned edge: above 99% it is no cap."""
    return 1.0 if theta > 0.99 else theta


def _floor(alpha: float) -> float:
    """A relaxed floor kept out of the ill-conditioned edge: below 1% it is no floor."""
    return 0.0 if alpha < 0.01 else alpha


def _data(n: int, seed: int) -> Dataset:
    return generate_dataset(n, seed=seed, n_countries=8)


enforcements = st.sampled_from(["soft", "hard"])
POLICY_KEYS = (
    "max_country_share",
    "min_partner_share",
    "country_share_overrides",
    "enforce",
    "violation_usd_per_kg",
)


def _config(**opt: object):
    """Version-2 configuration: policy keys go to both buyers' policies."""
    policy = {k: opt.pop(k) for k in POLICY_KEYS if k in opt}
    return make_config(policy or None, risk_aversion=1.0, **opt)


def _solve(
    data: Dataset, mode: str, scores: pd.DataFrame | None = None, **opt: object
) -> OptimisationResult:
    config = _config(**opt)
    scores = random_scores(data, config, seed=1) if scores is None else scores
    result = optimise(data, config, scores, mode=mode)
    assert result.is_optimal
    return result


def _objective(data: Dataset, mode: str, **opt: object) -> float:
    """Objective only (build and solve, no result tables: faster)."""
    config = _config(**opt)
    solution = solve(build_problem(data, config, random_scores(data, config, seed=1), mode))
    assert solution.is_ok
    return solution.objective_usd


def _no_higher(relaxed: float, base: float) -> None:
    assert relaxed <= base + 1e-9 * abs(base) + 1e-6


@FAST
@given(
    seeds,
    offers,
    modes,
    enforcements,
    caps,
    shares,
    alphas,
    st.floats(0, 0.5),
    st.floats(0, 0.5),
    st.floats(0, 0.5),
)
def test_relaxing_a_cap_never_raises_the_objective(
    seed: int,
    n: int,
    mode: str,
    enforce: str,
    theta: float,
    sigma: float,
    alpha: float,
    d_theta: float,
    d_sigma: float,
    d_alpha: float,
) -> None:
    data = _data(n, seed)
    start = {
        "max_country_share": theta,
        "max_supplier_share": sigma,
        "min_partner_share": alpha,
        "enforce": enforce,
    }
    base = _objective(data, mode, **start)
    for change in (
        {"max_country_share": _cap(min(1.0, theta + d_theta))},
        {"max_supplier_share": min(1.0, sigma + d_sigma)},
        {"min_partner_share": _floor(max(0.0, alpha - d_alpha))},
        {"enforce": "soft"},
    ):
        _no_higher(_objective(data, mode, **(start | change)), base)


@FAST
@given(seeds, offers, modes, caps, st.floats(1.0, 500.0), st.floats(0.0, 500.0))
def test_a_dearer_violation_never_lowers_the_objective(
    seed: int, n: int, mode: str, theta: float, w: float, more: float
) -> None:
    data = _data(n, seed)
    cap = {"max_country_share": theta, "min_partner_share": 0.3}
    base = _objective(data, mode, violation_usd_per_kg=w, **cap)
    dearer = _objective(data, mode, violation_usd_per_kg=w + more, **cap)
    assert dearer >= base - 1e-9 * abs(base) - 1e-6
    hard = _objective(data, mode, enforce="hard", **cap)
    assert hard >= dearer - 1e-9 * abs(dearer) - 1e-6  # hard = an infinite price


@FAST
@given(seeds, offers, st.floats(0.0, 3.0), st.lists(st.floats(1.0, 5.0), min_size=50, max_size=50))
def test_raising_prices_never_raises_the_risk_charge_per_tonne(
    seed: int, n: int, lam: float, factors: list[float]
) -> None:
    data = _data(n, seed)
    config = _config(max_country_share=0.6)
    problem = build_problem(data, config, random_scores(data, config, seed=seed))
    problem = problem.with_risk_aversion(lam)
    dearer = problem.with_parameters(
        price_usd_per_kg=problem.params.price_usd_per_kg * np.resize(factors, problem.n_x)
    )
    assert (dearer.arrays.parts["risk_charge"] <= problem.arrays.parts["risk_charge"] + 1e-9).all()


@FAST
@given(seeds, offers, modes, st.floats(0.0, 0.6), st.floats(0.0, 0.4))
def test_raising_a_country_override_never_raises_the_objective(
    seed: int, n: int, mode: str, cap: float, more: float
) -> None:
    data = _data(n, seed)
    base = _objective(data, mode, country_share_overrides={"CN": cap})
    relaxed = _cap(cap + more)
    _no_higher(_objective(data, mode, country_share_overrides={"CN": relaxed}), base)


@FAST
@given(seeds, offers, modes, alphas, st.lists(st.floats(1.0, 3.0), min_size=50, max_size=50))
def test_adding_capacity_never_raises_the_objective(
    seed: int, n: int, mode: str, alpha: float, factors: list[float]
) -> None:
    data = _data(n, seed)
    base = _objective(data, mode, min_partner_share=alpha)
    bigger = data.suppliers.assign(capacity_t=data.suppliers["capacity_t"] * factors[:n])
    _no_higher(_objective(data.with_tables(suppliers=bigger), mode, min_partner_share=alpha), base)


@FAST
@given(seeds, offers, modes, alphas, st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(
    seed: int, n: int, mode: str, alpha: float, rnd: object
) -> None:
    data = _data(n, seed)
    config = make_config(risk_aversion=1.0, min_partner_share=alpha)
    scores = random_scores(data, config, seed=seed)
    base = _solve(data, mode, scores, min_partner_share=alpha)
    state = rnd.randint(0, 2**31)  # type: ignore[attr-defined]
    shuffled = data.with_tables(
        suppliers=data.suppliers.sample(frac=1, random_state=state),
        demand=data.demand.sample(frac=1, random_state=state + 1),
    )
    other = _solve(
        shuffled, mode, scores.sample(frac=1, random_state=state + 2), min_partner_share=alpha
    )
    assert other.objective_usd == base.objective_usd
    pd.testing.assert_frame_equal(other.allocations, base.allocations)
    pd.testing.assert_frame_equal(other.shortfalls, base.shortfalls)


@FAST
@given(seeds, offers, modes, alphas, st.floats(0.1, 10.0))
def test_scaling_demand_and_capacity_scales_tonnes(
    seed: int, n: int, mode: str, alpha: float, k: float
) -> None:
    data = _data(n, seed)
    # the LP's own plan (sharing "none"): the sharing stages hold scaled plans to 0.1% of
    # each need (tests/optimise/test_alliance_sharing.py), not to 1e-5 t
    base = _solve(data, mode, min_partner_share=alpha, sharing="none")
    scaled = data.with_tables(
        suppliers=data.suppliers.assign(capacity_t=data.suppliers["capacity_t"] * k),
        demand=data.demand.assign(demand_t=data.demand["demand_t"] * k),
    )
    other = _solve(scaled, mode, min_partner_share=alpha, sharing="none")
    assert other.objective_usd == pytest.approx(k * base.objective_usd, rel=1e-7)
    keys = ["buyer", "commodity", "supplier_id"]
    tonnes = [*keys, "tonnes"]
    merged = base.allocations[tonnes].merge(other.allocations[tonnes], on=keys, how="outer")
    merged = merged.fillna({"tonnes_x": 0.0, "tonnes_y": 0.0})
    assert merged["tonnes_y"].to_numpy() == pytest.approx(
        k * merged["tonnes_x"].to_numpy(), rel=1e-6, abs=1e-5 * max(k, 1)
    )
    assert other.shortfalls["shortfall_t"].to_numpy() == pytest.approx(
        k * base.shortfalls["shortfall_t"].to_numpy(), rel=1e-6, abs=1e-5 * max(k, 1)
    )


def test_property_helpers_are_deterministic() -> None:
    data = _data(21, 3)
    a, b = _solve(data, "joint"), _solve(data, "joint")
    assert a.objective_usd == b.objective_usd
    assert np.array_equal(a.allocations["tonnes"], b.allocations["tonnes"])
