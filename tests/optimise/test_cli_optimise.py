"""``riskengine optimise``: formats, options, exit codes (stand-in scores, not the scorer)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from riskengine.cli import main
from riskengine.data import write_dataset
from riskengine.data.synthetic import generate_dataset
from tests.conftest import DEFAULT_CONFIG
from tests.optimise.helpers import random_scores

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> Run:
    """Run ``riskengine optimise ARGS`` with random scores; capture at file-descriptor level."""
    monkeypatch.setattr(
        "riskengine.cli.optimise.default_scores",
        lambda data, config: random_scores(data, config, seed=0),
    )

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["optimise", "--config", str(DEFAULT_CONFIG), *argv])
        out, err = capfd.readouterr()
        return code, out, err

    return run


def test_json_is_one_document_with_the_contract_fields(cli: Run, data_dir: Path) -> None:
    code, out, err = cli("--data", str(data_dir), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)  # the whole of stdout, HiGHS banner included if any: must be JSON
    assert doc["status"] == "optimal" and doc["objective_usd"] > 0
    assert set(doc["allocations"][0]) >= {
        "buyer",
        "supplier_id",
        "commodity",
        "country",
        "tonnes",
        "price_usd_per_kg",
        "risk_score",
    }
    assert set(doc["shortfalls"][0]) >= {
        "buyer",
        "commodity",
        "demand_t",
        "served_t",
        "shortfall_t",
    }
    assert {"disruption_probability", "risk_charge_usd"} <= set(doc["allocations"][0])
    money = ("purchase_cost_usd", "risk_charge_usd", "lost_supply_usd", "violation_usd")
    assert sum(doc[k] for k in money) == pytest.approx(doc["objective_usd"], rel=1e-9)
    assert {"binding", "metrics", "mix_by_country", "violations"} <= set(doc)
    assert "alliance" not in doc and "frontier" not in doc


def test_json_with_alliance_and_frontier(cli: Run, data_dir: Path) -> None:
    code, out, _ = cli(
        "--data",
        str(data_dir),
        "--format",
        "json",
        "--mode",
        "separate",
        "--alliance",
        "--frontier",
        "3",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["mode"] == "separate"
    alliance = doc["alliance"]
    assert alliance["sign"].startswith("separate minus joint")
    assert {"buyer", "commodity", "cost_saving_usd", "shortfall_reduction_t"} <= set(
        alliance["value"][0]
    )
    assert {r["rule"] for r in alliance["by_rule"]} == {"proportional", "maxmin", "shapley", "none"}
    assert [c["candidate"] for c in alliance["candidate_value"]] == ["IN", "KR", "US"]
    assert [p["risk_aversion"] for p in doc["frontier"]["points"]] == [0.0, 0.1, 10.0]


def test_table_shows_mix_caps_and_shadow_prices(cli: Run, data_dir: Path) -> None:
    code, out, err = cli("--data", str(data_dir), "--top", "3")
    assert (code, err) == (0, "")
    # the purchase order first: the first planning year's buy list with a total per buyer
    assert out.startswith("To buy in 2026 (per buyer, offer and commodity")
    header = out.splitlines()[1].split()
    assert header[:5] == ["buyer", "offer", "commodity", "to", "buy"]
    orders = out[: out.index("Sourcing plan (joint, risk_aversion=1): optimal")]
    assert "EU:" in orders and "t to buy, USD" in orders
    assert "Mix by country" in out and "non-home cap 65%" in out
    assert "Most valuable constraints to relax" in out


def test_csv_is_the_allocations_table(cli: Run, data_dir: Path) -> None:
    code, out, _ = cli("--data", str(data_dir), "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == (
        "buyer,supplier_id,commodity,year,country,relation,tonnes,price_usd_per_kg,purchase_usd,"
        "risk_score,disruption_probability,expected_loss_usd,risk_charge_usd,offtake_t,route"
    )  # the default horizon is 2026-2030: one row per buyer, offer and year
    code, out, _ = cli(
        "--data",
        str(data_dir),
        "--format",
        "csv",
        "--set",
        "horizon.start=null",
        "--set",
        "horizon.end=null",
    )
    assert code == 0 and ",year," not in out.splitlines()[0]


def test_cbc_through_pulp_and_lp_export(cli: Run, data_dir: Path, tmp_path: Path) -> None:
    lp = tmp_path / "model.lp"
    code, out, _ = cli(
        "--data",
        str(data_dir),
        "--format",
        "json",
        "--set",
        "optimiser.solver=cbc",
        "--write-lp",
        str(lp),
    )
    assert code == 0
    assert json.loads(out)["solver"]["name"] == "cbc"
    assert "Subject To" in lp.read_text()


def test_cbc_with_highs_backend_is_bad_input(cli: Run, data_dir: Path) -> None:
    code, out, err = cli(
        "--data", str(data_dir), "--set", "optimiser.solver=cbc", "--backend", "highs"
    )
    assert (code, out) == (2, "")
    assert err == (
        "error: optimiser.solver 'cbc' runs through PuLP: use backend 'pulp' "
        "(--backend pulp) or optimiser.solver: highs\n"
    )


def test_time_limit_is_exit_1_with_status(cli: Run, tmp_path: Path) -> None:
    folder = write_dataset(generate_dataset(700, seed=3), tmp_path / "big")
    code, out, err = cli(
        "--data", str(folder), "--format", "json", "--set", "optimiser.time_limit_s=0.000001"
    )
    assert code == 1
    assert json.loads(out)["status"] == "time_limit"
    assert err.startswith("error: the solver did not reach an optimal plan (status time_limit")


def test_table_buy_list_matches_the_plan(cli: Run, data_dir: Path) -> None:
    code, out, _ = cli("--data", str(data_dir), "--format", "csv")
    assert code == 0
    alloc = pd.read_csv(io.StringIO(out))
    first = alloc[alloc["year"] == 2026]
    code, out, _ = cli("--data", str(data_dir))
    lines = out[: out.index("Sourcing plan")].strip().splitlines()
    rows = [line for line in lines[2:] if line.startswith(" ")]  # totals start with the buyer
    assert len(rows) == len(first)  # one line per 2026 purchase
    for buyer, part in first.groupby("buyer"):
        assert f"{buyer}: {len(part)} orders, {part['tonnes'].sum():,.1f} t to buy" in out
