"""``riskengine score``: price, capacity and (with --plan) the plan's tonnes; rounded CSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.conftest import DEFAULT_CONFIG, SEEDS


def test_score_shows_price_and_capacity(run_cli):
    code, out, _ = run_cli("score", "--config", str(DEFAULT_CONFIG), "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    sup = pd.read_csv(SEEDS / "suppliers.csv").set_index(["supplier_id", "commodity"])
    row = table.iloc[0]
    assert (
        row["price_usd_per_kg"]
        == sup.loc[(row["supplier_id"], row["commodity"]), "price_usd_per_kg"]
    )
    assert row["capacity_t"] == sup.loc[(row["supplier_id"], row["commodity"]), "capacity_t"]
    code, out, _ = run_cli("score", "--config", str(DEFAULT_CONFIG), "--buyer", "EU")
    assert "USD/kg" in out.splitlines()[0] and "capacity t" in out.splitlines()[0]


def test_score_plan_adds_the_tonnes_to_buy(run_cli):
    code, out, _ = run_cli(
        "score", "--config", str(DEFAULT_CONFIG), "--plan", "--format", "csv", "--buyer", "JP"
    )
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    code, orders, _ = run_cli("optimise", "--config", str(DEFAULT_CONFIG), "--format", "csv")
    alloc = pd.read_csv(io.StringIO(orders))
    first = alloc[(alloc["year"] == alloc["year"].min()) & (alloc["buyer"] == "JP")]
    assert table["to_buy_t"].sum() == pytest.approx(first["tonnes"].sum(), rel=1e-6)
    assert (table["to_buy_t"] >= 0).all()


def test_cli_csv_floats_are_rounded(run_cli):
    code, out, _ = run_cli("optimise", "--config", str(DEFAULT_CONFIG), "--format", "csv")
    assert code == 0
    numbers = [f for line in out.splitlines()[1:] for f in line.split(",") if "." in f]
    assert numbers and all(len(f.split(".")[1]) <= 6 for f in numbers if f[0].isdigit())
