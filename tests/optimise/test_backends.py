"""Backends agree with each other and with an independent scipy model of contract section 5."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from riskengine.config.schema import Config
from riskengine.data.dataset import Dataset
from riskengine.data.synthetic import generate_dataset
from riskengine.exceptions import ConfigError, SolverError
from riskengine.optimise import build_problem, solve, write_lp
from tests.optimise.helpers import PATHS, make_config, random_scores

VALUES = {"default": 900.0, "terbium": 4000.0, "yttrium": 60.0}
SETTINGS = [
    ({"risk_aversion": 1.0}, {"max_country_share": 0.65}),
    (
        {"risk_aversion": 0.5, "max_supplier_share": 0.3},
        {
            "max_country_share": 0.5,
            "min_partner_share": 0.3,
            "country_share_overrides": {"CN": 0.4},
        },
    ),
    (
        {"risk_aversion": 2.5},
        {"max_country_share": 0.5, "min_partner_share": 0.2, "enforce": "hard"},
    ),
    (
        {"risk_aversion": 1.0},
        {"max_country_share": 0.6, "violation_usd_per_kg": {"default": 50.0, "terbium": 400.0}},
    ),
]


def _relation(dataset: Dataset, config: Config, buyer: str, country: str) -> str:
    bloc = dict(zip(dataset.countries["country"], dataset.countries["bloc"], strict=True))
    spec = config.buyers[buyer]
    if country in spec.home or bloc.get(country) in spec.home:
        return "home"
    return "partner" if country in spec.partners or bloc.get(country) in spec.partners else "other"


def _value(commodity: str) -> float:
    return VALUES.get(commodity, VALUES["default"])


def linprog_objective(dataset: Dataset, config: Config, scores: pd.DataFrame, mode: str) -> float:
    """Contract section 5.2 (one year) written out directly in tonnes and USD, solved by scipy.

    Columns: x (per buyer and offer), u (per need), then one violation per soft
    cap row and per soft floor row. Caps and floors are on what the buyer buys
    (sum of its x), written without any helper variable.
    """
    opt = config.optimiser
    lam = opt.risk_aversion
    q = {
        (r.buyer, r.supplier_id, r.commodity): r.disruption_probability for r in scores.itertuples()
    }
    available = {str(k): v for k, v in opt.status_availability.items()}
    offers = [
        o._replace(capacity_t=o.capacity_t * available[o.status])
        for o in dataset.suppliers.itertuples()
    ]
    needs = [
        (d.buyer, d.commodity, d.demand_t) for d in dataset.demand.itertuples() if d.demand_t > 0
    ]
    total = {c: sum(d for _, cc, d in needs if cc == c) for _, c, _ in needs}
    cost, upper, x_of = [], [], []
    for p, (b, c, d) in enumerate(needs):
        for o, offer in enumerate(offers):
            if offer.commodity != c:
                continue
            risk = lam * q[(b, offer.supplier_id, c)] * _value(c)
            cost.append(1000 * (offer.price_usd_per_kg + risk))
            cap = offer.capacity_t * d / total[c] if mode == "separate" else np.inf
            upper.append(min(opt.max_supplier_share * d, cap))
            x_of.append((p, o, b, c, offer.country))
    n_x = len(cost)
    for _, c, _ in needs:  # unmet demand at V, and above lambda = 1 weighted like the risk charge
        cost.append(1000 * _value(c) * (1 + max(lam - 1, 0)))
        upper.append(np.inf)
    ub_rows: list[dict[int, float]] = []
    rhs: list[float] = []
    if mode == "joint":
        for o, offer in enumerate(offers):
            cols = [j for j, x in enumerate(x_of) if x[1] == o]
            if cols:
                ub_rows.append({j: 1.0 for j in cols})
                rhs.append(offer.capacity_t)
    for p, (b, c, _d) in enumerate(needs):
        policy = config.buyers[b].policy
        soft = policy.enforce.value == "soft"
        w = _violation(policy, c)
        mine = [j for j, x in enumerate(x_of) if x[0] == p]
        for k in sorted({x_of[j][4] for j in mine}):
            theta = policy.country_share_overrides.get(k, policy.max_country_share)
            if _relation(dataset, config, b, k) == "home" or theta is None or theta >= 1:
                continue
            row = {j: float(x_of[j][4] == k) - theta for j in mine}  # k's tonnes - theta * bought
            if soft:
                row[len(cost)] = -1.0
                cost.append(1000 * w)
                upper.append(np.inf)
            ub_rows.append(row)
            rhs.append(0.0)
        alpha = policy.min_partner_share
        if alpha > 0:  # alpha * bought - trusted tonnes (- violation) <= 0
            row = {j: alpha - (_relation(dataset, config, b, x_of[j][4]) != "other") for j in mine}
            if soft:
                row[len(cost)] = -1.0
                cost.append(1000 * w)
                upper.append(np.inf)
            ub_rows.append(row)
            rhs.append(0.0)
    a_eq = sp.lil_matrix((len(needs), len(cost)))
    for j, (p, *_rest) in enumerate(x_of):
        a_eq[p, j] = 1
    for p in range(len(needs)):
        a_eq[p, n_x + p] = 1
    a_ub = sp.lil_matrix((len(ub_rows), len(cost)))
    for i, row in enumerate(ub_rows):
        for j, v in row.items():
            a_ub[i, j] = v
    res = linprog(
        cost,
        A_ub=a_ub.tocsr(),
        b_ub=rhs,
        A_eq=a_eq.tocsr(),
        b_eq=[d for *_, d in needs],
        bounds=list(zip([0] * len(cost), upper, strict=True)),
        method="highs",
    )
    assert res.status == 0, res.message
    return float(res.fun)


def _violation(policy, commodity: str) -> float:
    w = policy.violation_usd_per_kg
    if w is None:
        return 0.25 * _value(commodity)
    if isinstance(w, float):
        return w
    return w.get(commodity, w["default"])


@pytest.mark.parametrize("settings", SETTINGS, ids=["soft", "tight", "hard", "w-map"])
@pytest.mark.parametrize(("n_offers", "mode"), [(70, "joint"), (70, "separate"), (350, "joint")])
def test_both_backends_match_an_independent_scipy_model(
    n_offers: int, mode: str, settings: tuple[dict, dict]
) -> None:
    optimiser, policy = settings
    data = generate_dataset(n_offers, seed=n_offers)
    config = make_config(policy, shortfall_penalty_usd_per_kg=VALUES, **optimiser)
    scores = random_scores(data, config, seed=1)
    expected = linprog_objective(data, config, scores, mode)
    problem = build_problem(data, config, scores, mode)
    for backend in ("highs", "pulp"):
        ours = solve(problem, "highs", backend)
        assert ours.is_ok
        assert ours.objective_usd == pytest.approx(expected, rel=1e-7)


def _mix(problem, solution) -> pd.Series:
    x = problem.structure.x.assign(tonnes=solution.values_t[: problem.n_x])
    return x.groupby(["buyer", "commodity", "country"])["tonnes"].sum()


@pytest.mark.parametrize("n_offers", [70, 700, 3000])
def test_all_paths_agree_on_objective_and_mix(n_offers: int) -> None:
    data = generate_dataset(n_offers, seed=7)
    config = make_config(
        {"min_partner_share": 0.25, "max_country_share": 0.6},
        risk_aversion=1.0,
        max_supplier_share=0.5,
    )
    problem = build_problem(data, config, random_scores(data, config, seed=7))
    solutions = [solve(problem, solver, backend) for solver, backend in PATHS]
    assert all(s.is_ok for s in solutions)
    reference = solutions[0]
    for other in solutions[1:]:
        assert other.objective_usd == pytest.approx(reference.objective_usd, rel=1e-8)
        pd.testing.assert_series_equal(
            _mix(problem, other), _mix(problem, reference), atol=1e-4, rtol=1e-6
        )


def test_pulp_duals_match_highs_duals() -> None:
    data = generate_dataset(140, seed=4)
    config = make_config({"min_partner_share": 0.3, "max_country_share": 0.65}, risk_aversion=1.0)
    problem = build_problem(data, config, random_scores(data, config, seed=4))
    direct, via_pulp = solve(problem, "highs", "highs"), solve(problem, "highs", "pulp")
    assert via_pulp.row_dual_usd_per_kg == pytest.approx(direct.row_dual_usd_per_kg, abs=1e-6)
    assert via_pulp.col_dual_usd_per_kg == pytest.approx(direct.col_dual_usd_per_kg, abs=1e-6)


def test_solver_and_backend_are_recorded() -> None:
    data = generate_dataset(70, seed=1)
    config = make_config()
    problem = build_problem(data, config, random_scores(data, config))
    direct, cbc = solve(problem, "highs"), solve(problem, "cbc")
    assert (direct.solver, direct.backend) == ("highs", "highs")
    assert (cbc.solver, cbc.backend) == ("cbc", "pulp")
    assert direct.solver_version.count(".") == 2


def test_cbc_with_the_highs_backend_is_refused() -> None:
    data = generate_dataset(70, seed=1)
    config = make_config()
    problem = build_problem(data, config, random_scores(data, config))
    with pytest.raises(ConfigError, match="runs through PuLP: use backend 'pulp'"):
        solve(problem, "cbc", "highs")


def test_missing_cbc_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import pulp

    from riskengine.optimise import _pulp

    monkeypatch.setattr(_pulp.shutil, "which", lambda name: None)
    monkeypatch.setattr(pulp, "PULP_CBC_CMD", None)
    data = generate_dataset(70, seed=1)
    config = make_config()
    problem = build_problem(data, config, random_scores(data, config))
    with pytest.raises(
        SolverError,
        match=r"solver 'cbc' is not available: install CBC "
        r"\(pip install 'pulp\[cbc\]'",
    ):
        solve(problem, "cbc")


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
def test_write_lp_exports_the_model(tmp_path, suffix: str) -> None:
    data = generate_dataset(70, seed=1)
    config = make_config({"min_partner_share": 0.2})
    problem = build_problem(data, config, random_scores(data, config))
    path = write_lp(problem, tmp_path / f"model{suffix}")
    text = path.read_text()
    if suffix == ".lp":
        assert "Minimize" in text and "Subject To" in text
        assert "x0_EU_dysprosium_sup_000003" in text
    else:
        assert "ROWS" in text and "COLUMNS" in text
