"""One report run: compute, render every file in memory-light steps, publish the folder atomically.

The folder is written under a hidden temporary name next to its destination
and renamed into place only when every file is complete; on any failure the
temporary folder is removed (and an output folder this run created, if it is
still empty), so a failed run leaves nothing behind. Folder names are
``YYYYMMDD-HHMMSS-<config name>`` with ``-2``, ``-3`` ... when taken; an
earlier report is never overwritten.

The staging folder (:mod:`riskengine.report.staging`) is created before
anything is computed, so an unusable output folder fails at once (exit 2), and
staging folders left by killed runs are removed by later runs.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import TextIO

import pandas as pd

from riskengine._render import render
from riskengine._version import __version__
from riskengine.config import Config, load_config
from riskengine.config.arguments import check_path
from riskengine.config.schema import DataConfig
from riskengine.data import Dataset
from riskengine.pipeline import load_inputs
from riskengine.report.figures import (
    contributions_figure,
    frontier_figure,
    mix_figure,
    svg_text,
    years_figure,
)
from riskengine.report.horizon import years_figure_input
from riskengine.report.html import inline_svg
from riskengine.report.manifest import manifest
from riskengine.report.model import ReportData, StressResults, compute
from riskengine.report.sections import SECTIONS, render_sections
from riskengine.report.sources import SOURCES_FILE
from riskengine.report.staging import publish, staging, write_atomically
from riskengine.report.summary import summary_document
from riskengine.report.tables import build_tables, chart_offers, indicator_columns
from riskengine.report.workbook import workbook_sheets
from riskengine.report.writers import sha256_file, write_csv, write_json, write_text
from riskengine.report.xlsx import write_workbook

__all__ = [
    "folder_stem",
    "publish",
    "render_figures",
    "render_html",
    "run_report",
    "staging",
    "write_atomically",
    "write_report",
]

PathLike = str | os.PathLike[str]


def folder_stem(created: datetime, name: str) -> str:
    """``YYYYMMDD-HHMMSS-<name>``, the name reduced to letters, digits, ``.``, ``_`` and ``-``."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "report"
    return f"{created:%Y%m%d-%H%M%S}-{safe[:60]}"


def _chosen(data: ReportData) -> tuple[float, float, float]:
    """The report's plan as (lambda, supply loss to expect USD, purchase cost USD)."""
    res = data.horizon or data.result  # the frontier is traced over the whole horizon
    years = max(1, len(data.config.horizon.years)) if data.horizon is not None else 1
    loss = (res.expected_loss_usd + res.lost_supply_usd) / years
    return res.risk_aversion, loss, res.purchase_cost_usd / years


def render_figures(data: ReportData, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Figure stem -> SVG text."""
    offers, titles = chart_offers(tables["scores"])
    rows = int(offers.groupby("buyer").size().max()) if len(offers) else 1
    figures = {
        "risk_contributions": svg_text(
            contributions_figure(offers, indicator_columns(data.scores), rows, titles)
        ),
        "mix": svg_text(mix_figure(tables["mix_by_country"], data.result.shortfalls)),
    }
    if "frontier" in tables:
        figures["frontier"] = svg_text(frontier_figure(tables["frontier"], _chosen(data)))
    if data.horizon is not None:
        figures["years"] = svg_text(years_figure(*years_figure_input(data, tables)))
    return figures


def render_html(data: ReportData, tables: dict[str, pd.DataFrame], figures: dict[str, str]) -> str:
    """The whole ``report.html`` text (template ``report/report.html``)."""
    inline = {stem: inline_svg(svg, f"fig{i}") for i, (stem, svg) in enumerate(figures.items())}
    nav = [
        (k, v)
        for k, v in SECTIONS.items()
        if (k != "stress" or data.stress is not None or data.stress_note)
        and (k != "years" or data.horizon is not None)
    ]
    res = data.result
    subtitle = (
        f"Configuration {data.config.name} · data {data.dataset.vintage} · "
        f"plan {res.status.value} ({res.mode.value} buying) · riskengine {__version__}"
    )
    return str(
        render(
            "report/report.html",
            title=f"Rare-earth sourcing risk report: {data.config.name}",
            subtitle=subtitle,
            nav=nav,
            sections=render_sections(data, tables, inline),
            result=res,
        )
    )


def write_report(data: ReportData, folder: Path, created: datetime) -> None:
    """Write every report file into the existing, empty ``folder``; manifest last."""
    tables = build_tables(data)
    (folder / "tables").mkdir()
    for name, frame in tables.items():
        write_csv(frame, folder / "tables" / f"{name}.csv")
    sheets, headers = workbook_sheets(data, tables)
    write_workbook(sheets, folder / "tables.xlsx", readable=True, headers=headers)
    figures = render_figures(data, tables)
    (folder / "figures").mkdir()
    for stem, svg in figures.items():
        write_text(svg, folder / "figures" / f"{stem}.svg")
    write_text(render_html(data, tables, figures), folder / "report.html")
    write_json(summary_document(data, tables), folder / "summary.json")
    if data.notes.path is not None:
        shutil.copyfile(data.notes.path, folder / SOURCES_FILE)
    outputs = {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    write_json(manifest(data, created, outputs), folder / "manifest.json")


def _check_arguments(config: object, config_path: object, dataset: object, out_dir: object) -> None:
    if not isinstance(config, Config):
        check_path("run_report", "config (a Config or a YAML file)", config, optional=False)
    check_path("run_report", "config_path", config_path)
    if not isinstance(dataset, Dataset):
        check_path("run_report", "dataset (a Dataset, a folder or a workbook)", dataset)
    check_path("run_report", "out_dir", out_dir)


def _resolve(
    config: Config | PathLike,
    config_path: PathLike | None,
    dataset: Dataset | PathLike | None,
    out_dir: PathLike | None,
) -> tuple[Config, Path | None, Dataset]:
    _check_arguments(config, config_path, dataset, out_dir)
    if not isinstance(config, Config):
        config_path = config if config_path is None else config_path
        config = load_config(config)
    path = None if config_path is None else Path(config_path)
    if dataset is not None and not isinstance(dataset, Dataset):
        config = config.model_copy(update={"data": DataConfig(dir=Path(dataset).resolve())})
        dataset = None
    if out_dir is not None:
        config = config.model_copy(
            update={"report": config.report.model_copy(update={"out_dir": Path(out_dir)})}
        )
    inputs = load_inputs(config, dataset, config_path=path, who="run_report")
    return inputs.config, path, inputs.dataset


def run_report(
    config: Config | PathLike,
    out_dir: PathLike | None = None,
    config_path: PathLike | None = None,
    *,
    dataset: Dataset | PathLike | None = None,
    stress: StressResults | None = None,
    log: TextIO | None = None,
) -> Path:
    """Compute and write one report folder; return its path.

    Parameters
    ----------
    config : Config or path-like
        The resolved configuration, or a YAML file to load.
    out_dir : path-like, optional
        Folder that receives the report folder; default ``config.report.out_dir``.
    config_path : path-like, optional
        The file ``config`` was loaded from (hashed into the manifest).
    dataset : Dataset or path-like, optional
        The tables, or a folder or workbook to load; default ``config.data.dir``.
    stress : mapping of str to DataFrame, optional
        Stress-test tables (exposure, regret) to show; no stress section without them.
    log : text stream, optional
        Where the run's notes go as ``note: ...`` lines (tables taken from the
        shipped reference tables, skipped library scenarios); they are in the
        report's sources section either way.

    Returns
    -------
    Path
        The new folder ``<out_dir>/YYYYMMDD-HHMMSS-<config name>[-N]`` holding
        ``report.html``, ``summary.json``, ``manifest.json``, ``tables.xlsx``,
        ``tables/*.csv``, ``figures/*.svg`` and a copy of ``SOURCES.md``.

    Raises
    ------
    RiskEngineError
        Bad configuration or data (nothing is written).

    Examples
    --------
    >>> import tempfile
    >>> from riskengine.report import run_report
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = run_report("config/default.yaml", out_dir=tmp)
    ...     names = sorted(p.name for p in folder.iterdir())
    >>> names
    ['SOURCES.md', 'figures', 'manifest.json', 'report.html', 'summary.json', 'tables',
     'tables.xlsx']
    """
    config, path, data_set = _resolve(config, config_path, dataset, out_dir)
    created = datetime.now().astimezone()
    stem = folder_stem(created, config.name)
    out = Path(config.report.out_dir)
    with staging(out, stem) as tmp:  # first, so an unusable out_dir fails before computing
        data = compute(config, data_set, path, stress)
        for note in data.run_notes if log is not None else ():
            print(f"note: {note}", file=log)
        write_report(data, tmp, created)
        return publish(tmp, out, stem)
