"""Reports: one folder per run with HTML, CSV, xlsx, SVG figures, summary and manifest.

The recipe, each step public on its own::

    data = compute(config, dataset)        # scores, plan, frontier, alliance value
    tables = build_tables(data)            # the report's tables as DataFrames
    folder = run_report(config)            # everything, written atomically to a new folder
    batch = run_batch(["a.yaml", "b.yaml"])  # several configurations and an index.html
"""

from riskengine.report.batch import BatchResult, BatchRun, config_paths, run_batch
from riskengine.report.model import ReportData, StressResults, compute
from riskengine.report.run import run_report, write_report
from riskengine.report.summary import summary_document
from riskengine.report.tables import build_tables

__all__ = [
    "BatchResult",
    "BatchRun",
    "ReportData",
    "StressResults",
    "build_tables",
    "compute",
    "config_paths",
    "run_batch",
    "run_report",
    "summary_document",
    "write_report",
]
