"""Batches: one report per configuration, then an ``index.html`` comparing the runs.

A configuration that fails (bad key, bad data, solver error) does not stop
the others; the index lists it with its error. The index folder,
``YYYYMMDD-HHMMSS-batch``, is written atomically like a report folder and
also holds the comparison as ``index.csv``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import pandas as pd

from riskengine._render import render
from riskengine.config import Config, load_config
from riskengine.data import Dataset
from riskengine.exceptions import RiskEngineError
from riskengine.progress import Progress
from riskengine.report.html import Column, fmt_num, fmt_pct, fmt_t, fmt_usd, table_html
from riskengine.report.run import folder_stem, run_report, write_atomically
from riskengine.report.writers import write_csv, write_text

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = [
    "BatchResult",
    "BatchRun",
    "comparison_table",
    "config_paths",
    "run_batch",
    "settings_table",
]

_CONFIG_SUFFIXES = (".yaml", ".yml")
#: Per-buyer figures compared side by side: key in summary.json -> (label, formatter).
_COMPARED = {
    "purchase_cost_usd": ("purchase cost USD", fmt_usd),
    "expected_loss_usd": ("expected disruption loss USD (model)", fmt_usd),
    "average_risk": ("average risk (0-100)", fmt_num(1)),
    "shortfall_t": ("shortfall t", fmt_t),
    "china_share": ("China share", fmt_pct),
}
#: Figures that add up over buyers, with a total row in the comparison.
_ADDITIVE = ("purchase_cost_usd", "expected_loss_usd", "shortfall_t")
#: The ``buyer`` of the total rows.
TOTAL = "all buyers"


@dataclass(frozen=True)
class BatchRun:
    """One configuration of a batch.

    Attributes
    ----------
    config : Path
        The configuration file.
    folder : Path or None
        The report folder, None when the run failed.
    error : str
        Why it failed ('' when it did not).
    internal : bool
        True when the failure was an unexpected internal error, not bad input.
    seconds : float
        Wall time of the run.
    summary : dict or None
        The run's ``summary.json``.
    settings : dict or None
        The configuration as resolved, as dotted keys (``optimiser.risk_aversion``) and values.
    """

    config: Path
    folder: Path | None
    error: str = ""
    internal: bool = False
    seconds: float = 0.0
    summary: dict[str, Any] | None = None
    settings: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """True when the report was written."""
        return self.folder is not None


@dataclass(frozen=True)
class BatchResult:
    """All runs of a batch and the index folder."""

    runs: tuple[BatchRun, ...]
    index: Path

    @property
    def exit_code(self) -> int:
        """0 when every run succeeded, 1 if any hit an internal error, else 2 if any failed."""
        if any(r.internal for r in self.runs):
            return 1
        return 2 if any(not r.ok for r in self.runs) else 0


def config_paths(items: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given, and the ``*.yaml``/``*.yml`` files of folders (sorted by name)."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths += sorted(
                p for p in path.iterdir() if p.suffix.lower() in _CONFIG_SUFFIXES and p.is_file()
            )
        else:
            paths.append(path)
    return paths


def _one(
    path: Path,
    overrides: Sequence[str],
    data: Dataset | str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str] | None,
    debug: bool,
    log: TextIO | None = None,
) -> BatchRun:
    start = time.perf_counter()
    try:
        config = load_config(path, overrides)
        folder = run_report(config, out_dir, path, dataset=data, log=log)
    except RiskEngineError as exc:
        return BatchRun(path, None, str(exc), False, time.perf_counter() - start)
    except Exception as exc:
        if debug:
            raise
        return BatchRun(
            path,
            None,
            f"internal error: {type(exc).__name__}: {exc}",
            True,
            time.perf_counter() - start,
        )
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    settings = _dotted(config.model_dump(mode="json"))
    return BatchRun(path, folder, "", False, time.perf_counter() - start, summary, settings)


def _dotted(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested dict as ``{"a.b": value}``; lists stay values."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            out |= _dotted(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def settings_table(runs: Sequence[BatchRun]) -> pd.DataFrame:
    """The settings that differ between the successful runs: ``setting`` and one column a run.

    The configuration's ``name`` is left out; a setting a run lacks shows as empty.
    """
    done = [(i, r) for i, r in enumerate(runs, start=1) if r.settings is not None]
    labels = {i: f"{i}: {(r.summary or {}).get('config_name', r.config.stem)}" for i, r in done}
    keys = sorted({k for _, r in done for k in (r.settings or {})} - {"name"})
    rows = []
    for key in keys:
        values = [(r.settings or {}).get(key) for _, r in done]
        shown = [json.dumps(v, sort_keys=True) if not isinstance(v, str) else v for v in values]
        if len(set(shown)) > 1:
            rows.append(
                {"setting": key, **{labels[i]: v for (i, _), v in zip(done, shown, strict=True)}}
            )
    return pd.DataFrame(rows, columns=["setting", *labels.values()])


def comparison_table(runs: Sequence[BatchRun]) -> pd.DataFrame:
    """Per buyer and figure (rows), one column per successful run (``1: <name>``, ...)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for i, run in enumerate(runs, start=1):
        if run.summary is None:
            continue
        label = f"{i}: {run.summary.get('config_name', run.config.stem)}"
        for buyer, figures in sorted(run.summary.get("buyers", {}).items()):
            for key in _COMPARED:
                rows.setdefault((buyer, key), {})[label] = figures.get(key)
    frame = pd.DataFrame(
        [
            {"buyer": b, "figure": k, **v}
            for (b, k), v in sorted(
                rows.items(), key=lambda item: (item[0][0], list(_COMPARED).index(item[0][1]))
            )
        ]
    )
    if frame.empty:
        return frame
    runs_ = [c for c in frame.columns if c not in ("buyer", "figure")]
    total = [
        {"buyer": TOTAL, "figure": key, **frame.loc[frame["figure"] == key, runs_].sum().to_dict()}
        for key in _ADDITIVE
    ]
    return pd.concat([frame, pd.DataFrame(total)], ignore_index=True)


def _run_row(number: int, run: BatchRun, index_dir: Path) -> dict[str, Any]:
    """What the index shows of one run: its headline figures and link, or its error."""
    row: dict[str, Any] = {
        "number": number,
        "config": run.config,
        "ok": run.ok and run.folder is not None,
        "error": run.error,
        "seconds": f"{run.seconds:.1f}",
    }
    if run.folder is None:
        return row
    plan = (run.summary or {}).get("plan", {})
    horizon = (run.summary or {}).get("horizon") or {}
    years = horizon.get("years") or []
    over = years and horizon.get("purchase_cost_usd") is not None
    return row | {
        "href": Path(os.path.relpath(run.folder / "report.html", index_dir)).as_posix(),
        "folder": run.folder.name,
        "first": f" in {years[0]}" if years else "",
        "cost": fmt_usd(plan.get("purchase_cost_usd")),
        "over": {
            "cost": fmt_usd(horizon.get("purchase_cost_usd")),
            "years": f"{years[0]}-{years[-1]}",
        }
        if over
        else None,
        "short": fmt_t(plan.get("shortfall_t")),
        "status": plan.get("status", ""),
    }


def _comparison_html(table: pd.DataFrame) -> Markup | None:
    if table.empty:
        return None
    shown = table.assign(figure=table["figure"].map(lambda k: _COMPARED[k][0]))
    runs = [c for c in table.columns if c not in ("buyer", "figure")]
    columns: list[Column] = [("buyer", "buyer", None), ("figure", "figure", None)]
    html_rows = []
    for key, part in zip(table["figure"], shown.to_dict("records"), strict=True):
        fmt = _COMPARED[key][1]
        html_rows.append({**part, **{r: fmt(part[r]) if part[r] is not None else "" for r in runs}})
    columns += [(r, r, None) for r in runs]
    return table_html(pd.DataFrame(html_rows), columns)


def _settings_html(runs: Sequence[BatchRun]) -> Markup | None:
    table = settings_table(runs)
    if table.empty:
        return None
    columns: list[Column] = [(c, c, None) for c in table.columns]
    return table_html(table, columns)


def index_html(runs: Sequence[BatchRun], table: pd.DataFrame, index_dir: Path) -> str:
    """The ``index.html`` text (template ``report/batch_index.html``): runs with their purchase
    cost and links (or errors), what differs between the configurations, then the
    side-by-side comparison with totals.

    Links are relative to ``index_dir`` (a folder next to where the index will live).
    """
    failed = sum(not r.ok for r in runs)
    return str(
        render(
            "report/batch_index.html",
            title="riskengine batch report",
            subtitle=f"{len(runs)} configurations, {len(runs) - failed} written, {failed} failed",
            nav=[("runs", "Runs"), ("differs", "What differs"), ("compare", "Side by side")],
            runs=[_run_row(i, run, index_dir) for i, run in enumerate(runs, start=1)],
            settings=_settings_html(runs),
            comparison=_comparison_html(table),
        )
    )


def _index_root(runs: Sequence[BatchRun], out_dir: str | os.PathLike[str] | None) -> Path:
    if out_dir is not None:
        return Path(out_dir)
    written = [r.folder for r in runs if r.folder is not None]
    return written[0].parent if written else Path(Config().report.out_dir)


def run_batch(
    paths: Iterable[str | os.PathLike[str]],
    overrides: Sequence[str] = (),
    data: Dataset | str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    progress: TextIO | None = sys.stderr,
    debug: bool = False,
) -> BatchResult:
    """Write a report for each configuration, then the comparing ``index.html``.

    Parameters
    ----------
    paths : iterable of path-like
        Configuration files, or folders of them (``*.yaml``, ``*.yml``).
    overrides : sequence of str
        ``KEY=VALUE`` overrides applied to every configuration.
    data : Dataset or path-like, optional
        Tables used by every run instead of each configuration's ``data.dir``.
    out_dir : path-like, optional
        Folder for the report folders and the index folder; default each
        configuration's ``report.out_dir`` (the index goes next to the first report).
    progress : text stream, optional
        Where the progress bar goes (None for silence).
    debug : bool
        Re-raise internal errors instead of recording them.

    Returns
    -------
    BatchResult
        Runs (folder or error each), the index folder and ``exit_code``.
    """
    files = config_paths(paths)
    runs: list[BatchRun] = []
    bar = Progress(len(files), progress is not None, stream=progress, lines=True)
    for path in files:
        run = _one(path, overrides, data, out_dir, debug, progress)  # notes go with progress
        runs.append(run)
        state = "ok" if run.ok else "FAILED"
        bar.update(1, f"{path.name}: {state} ({run.seconds:.1f} s)")
    table = comparison_table(runs)
    created = datetime.now().astimezone()

    def write(tmp: Path) -> None:
        write_text(index_html(runs, table, tmp), tmp / "index.html")
        write_csv(table, tmp / "index.csv")

    index = write_atomically(_index_root(runs, out_dir), folder_stem(created, "batch"), write)
    return BatchResult(tuple(runs), index)
