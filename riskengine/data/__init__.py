"""Input tables: schemas, loading, validation, and synthetic datasets."""

from riskengine.data.dataset import Dataset, load_dataset, shipped_data_dir, write_dataset
from riskengine.data.schema import TABLES, Column, TableSpec

__all__ = [
    "TABLES",
    "Column",
    "Dataset",
    "TableSpec",
    "load_dataset",
    "shipped_data_dir",
    "write_dataset",
]
