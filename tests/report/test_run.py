"""Report folders: contents, determinism, manifest, atomic writes, never overwriting."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from riskengine import load_config, load_dataset
from riskengine.report import build_tables, compute, run_report
from riskengine.report import run as run_module
from riskengine.report.run import render_figures, render_html
from riskengine.report.summary import executive_summary
from tests.conftest import DEFAULT_CONFIG, SEEDS
from tests.report.conftest import DefaultReport

_EXPECTED = {
    "report.html",
    "summary.json",
    "manifest.json",
    "tables.xlsx",
    "SOURCES.md",
    "tables/buy_list.csv",
    "tables/buyers.csv",
    "tables/criticality.csv",
    "tables/scores.csv",
    "tables/allocations.csv",
    "tables/mix_by_country.csv",
    "tables/plan_metrics.csv",
    "tables/shadow_prices.csv",
    "tables/frontier.csv",
    "tables/alliance_value.csv",
    "figures/mix.svg",
    "figures/frontier.svg",
    "figures/risk_contributions.svg",
}


#: A report without the frontier and the two-stage plan, for tests of something else.
QUICK = ("report.frontier_points=0", "optimiser.stochastic.in_report=false")


@pytest.fixture(scope="module")
def two_runs(default_report: DefaultReport) -> tuple[Path, Path]:
    """Two reports from the shipped seeds and config/default.yaml into the same folder
    (the session's default report, then one more)."""
    first = default_report.folder
    second = run_report(DEFAULT_CONFIG, first.parent)  # as the fixture ran it
    return first, second


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_folder_holds_every_output(two_runs):
    first, _ = two_runs
    assert _files(first) >= _EXPECTED
    assert first.name.endswith("-default")


def test_two_runs_make_two_folders(two_runs):
    first, second = two_runs
    assert first != second and first.parent == second.parent
    assert sorted(p.name for p in first.parent.iterdir()) == sorted([first.name, second.name])


def test_outputs_are_byte_identical_apart_from_the_manifest(two_runs):
    first, second = two_runs
    files = _files(first)
    assert files == _files(second)
    for name in sorted(files - {"manifest.json"}):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_manifest_records_inputs_solver_and_versions(two_runs):
    first, _ = two_runs
    doc = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert doc["config"]["name"] == "default" and doc["config"]["optimiser"]["solver"] == "highs"
    hashes = {Path(i["path"]).name: i["sha256"] for i in doc["inputs"]}
    for name in ("suppliers.csv", "demand.csv", "countries.csv", "default.yaml"):
        source = SEEDS / name if name.endswith(".csv") else DEFAULT_CONFIG
        assert hashes[name] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert doc["solver"]["name"] == "highs" and doc["solver"]["status"] == "optimal"
    assert doc["solver"]["version"] and doc["solver"]["solve_s"] >= 0
    assert doc["python"]["version"] and doc["libraries"]["pandas"]
    assert doc["created"][:4].isdigit()
    report = (first / "report.html").read_bytes()
    assert doc["outputs"]["report.html"] == hashlib.sha256(report).hexdigest()


def test_failed_run_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(run_module, "write_workbook", broken)
    config = load_config(DEFAULT_CONFIG, [*QUICK])
    fresh = tmp_path / "new" / "reports"
    with pytest.raises(RuntimeError, match="disk full"):
        run_report(config, fresh)
    assert not (tmp_path / "new").exists()
    existing = tmp_path / "reports"
    (existing / "earlier").mkdir(parents=True)
    with pytest.raises(RuntimeError, match="disk full"):
        run_report(config, existing)
    assert [p.name for p in existing.iterdir()] == ["earlier"]


def test_failed_run_through_cli_exits_1_and_leaves_nothing(tmp_path, monkeypatch, run_cli):
    monkeypatch.setattr(run_module, "write_text", lambda *a, **k: 1 / 0)
    code, out, err = run_cli(
        "report",
        "--config",
        str(DEFAULT_CONFIG),
        "--out",
        str(tmp_path / "out"),
        *(arg for setting in QUICK for arg in ("--set", setting)),
    )
    assert code == 1 and out == ""
    assert "internal error: ZeroDivisionError" in err
    assert not (tmp_path / "out").exists()


def test_bad_config_exits_2_and_writes_nothing(tmp_path, run_cli):
    code, _, err = run_cli(
        "report",
        "--config",
        str(DEFAULT_CONFIG),
        "--out",
        str(tmp_path / "out"),
        "--set",
        "optimiser.risk_aversionn=2",
    )
    assert code == 2 and "unknown key 'optimiser.risk_aversionn'" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def small_data():
    config = load_config(
        DEFAULT_CONFIG,
        [
            "report.frontier_points=2",
            "report.stress_library=false",
            "optimiser.stochastic.in_report=false",  # its section: test_stochastic_section.py
        ],
    )
    return compute(config, load_dataset(SEEDS))


def test_default_report_stress_tests_the_library():
    config = load_config(DEFAULT_CONFIG, [*QUICK])
    data = compute(config, load_dataset(SEEDS))
    scenarios = data.stress["scenarios"]
    assert "china-full-ban" in set(scenarios["scenario"])
    assert set(data.stress) == {"scenarios", "by_buyer", "detail"}
    page = render_html(data, build_tables(data), {})
    assert 'id="stress"' in page and "china-full-ban" in page


def test_stress_section_only_with_stress_results(small_data):
    tables = build_tables(small_data)
    figures = render_figures(small_data, tables)
    assert 'id="stress"' not in render_html(small_data, tables, figures)
    exposure = pd.DataFrame({"scenario": ["<b>ban</b>"], "shortfall_t": [12.5]})
    stressed = replace(small_data, stress={"exposure": exposure})
    tables = build_tables(stressed)
    assert "stress_exposure" in tables
    page = render_html(stressed, tables, figures)
    assert 'id="stress"' in page and "&lt;b&gt;ban&lt;/b&gt;" in page


def test_summary_sentences_name_each_buyer(small_data):
    page = render_html(
        small_data, build_tables(small_data), render_figures(small_data, build_tables(small_data))
    )
    assert "EU: the recommended plan buys" in page and "JP: the recommended plan buys" in page
    assert "CRMA 65% benchmark" in page


def test_summary_words_name_shortfalls_and_crma_failures():
    config = load_config(
        DEFAULT_CONFIG,
        [
            "buyers.EU.policy.max_country_share=0.9",
            *QUICK,
            "optimiser.shortfall_penalty_usd_per_kg={default: 10000, lutetium: 100}",
        ],
    )
    data = compute(config, load_dataset(SEEDS))
    tables = build_tables(data)
    eu = next(line for line in executive_summary(data, tables) if line.startswith("EU:"))
    row = tables["buyers"].set_index("buyer").loc["EU"]
    assert (
        f"{row['served_t']:,.1f} t of the {row['demand_t']:,.1f} t demanded "
        f"({row['served_share']:.1%})"
    ) in eu
    metrics = tables["plan_metrics"].query("buyer == 'EU'").set_index("commodity")
    assert f"lutetium ({metrics.loc['lutetium', 'shortfall_t']:,.1f} t)" in eu
    failing = metrics[metrics["crma_compliant"].eq(False)]
    assert len(failing) and "Failing the CRMA 65% benchmark: " in eu
    first = failing.iloc[0]
    assert (
        f"{failing.index[0]} ({first['top_foreign_country']} "
        f"{first['top_foreign_share']:.0%} of purchases)"
    ) in eu


class _Sections(HTMLParser):
    """Each <section>'s id, its <li> texts, and its tables as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict] = []
        self._cell: list[str] | None = None
        self._li: list[str] | None = None
        self.first_table_at = -1

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "section":
            self.sections.append({"id": dict(attrs).get("id"), "items": [], "tables": []})
        elif tag == "table" and self.sections:
            self.sections[-1]["tables"].append([])
        elif tag == "tr" and self.sections and self.sections[-1]["tables"]:
            self.sections[-1]["tables"][-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "li":
            self._li = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.sections:
            self.sections[-1]["tables"][-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "li" and self._li is not None and self.sections:
            self.sections[-1]["items"].append("".join(self._li).strip())
            self._li = None

    def handle_data(self, data: str) -> None:
        for sink in (self._cell, self._li):
            if sink is not None:
                sink.append(data)


def test_report_opens_with_the_buy_list_and_the_answers(two_runs):
    first, _ = two_runs
    page = (first / "report.html").read_text(encoding="utf-8")
    parsed = _Sections()
    parsed.feed(page)
    buy = parsed.sections[0]
    assert buy["id"] == "buy"
    # the answers come before the first table, in the first screen
    assert page.index('<ul class="answers">') < page.index("<table")
    assert [item.split(" ")[0] for item in buy["items"]] == ["Short", "Fails", "Cost", "Risk"]
    assert "JP dysprosium" in buy["items"][0]  # the default plan is short of Dy for Japan
    orders = pd.read_csv(first / "tables" / "buy_list.csv")
    year = int(orders["year"].min())
    shown = orders[orders["year"] == year]
    assert len(buy["tables"]) == shown["buyer"].nunique()  # one table per buyer
    for table, (buyer, part) in zip(buy["tables"], shown.groupby("buyer"), strict=True):
        header, rows = table[0], table[1:]
        assert header[:4] == ["offer", "supplier", "commodity", "to buy t"]
        assert [r[0] for r in rows] == part["supplier_id"].tolist()
        assert [float(r[3].replace(",", "")) for r in rows] == pytest.approx(
            part["tonnes"].round(1).tolist()
        )
        assert f"{buyer}" in page


def test_buy_list_tonnes_add_up_to_the_plans_purchases(two_runs):
    first, _ = two_runs
    orders = pd.read_csv(first / "tables" / "buy_list.csv")
    metrics = pd.read_csv(first / "tables" / "metrics_by_year.csv")
    keys = ["buyer", "commodity", "year"]
    listed = orders.groupby(keys)["tonnes"].sum()
    both = pd.concat([listed, metrics.set_index(keys)["bought_t"]], axis=1).fillna(0.0)
    assert both["tonnes"].to_numpy() == pytest.approx(both["bought_t"].to_numpy(), abs=1e-3)
    first_year = orders[orders["year"] == orders["year"].min()]
    summary = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    assert first_year["purchase_usd"].sum() == pytest.approx(
        summary["plan"]["purchase_cost_usd"], rel=1e-6
    )


def test_xlsx_first_sheet_is_the_buy_list(two_runs):
    from openpyxl import load_workbook

    first, _ = two_runs
    book = load_workbook(first / "tables.xlsx", read_only=True)
    sheet = book[book.sheetnames[0]]
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    rows = sheet.max_row - 1
    book.close()
    assert book.sheetnames[0] == "To buy"
    assert header[:6] == ["buyer", "offer", "supplier", "commodity", "year", "to buy t"]
    assert rows == len(pd.read_csv(first / "tables" / "buy_list.csv"))


def test_xlsx_has_summary_assumptions_and_units_sheets(two_runs):
    from openpyxl import load_workbook

    first, _ = two_runs
    book = load_workbook(first / "tables.xlsx", read_only=True)
    names = book.sheetnames
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    settings = {r[0]: r[1] for r in book["Assumptions"].iter_rows(min_row=2, values_only=True)}
    units = [r[0] for r in book["Units"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert names[:4] == ["To buy", "Summary", "Assumptions", "Units"]
    doc = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    assert summary["purchase cost 2026"] == pytest.approx(doc["plan"]["purchase_cost_usd"])
    assert summary["configuration"] == "default"
    assert settings["optimiser.risk_aversion"] == pytest.approx(doc["plan"]["risk_aversion"])
    assert settings["horizon.start"] == 2026
    assert "sheet plan_metrics" in units and "..._usd_per_kg" in units
