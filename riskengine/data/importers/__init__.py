"""Importers of the sources' own published files (no network: the user downloads them).

| kind | file | updates |
| --- | --- | --- |
| ``wgi`` | World Bank WGI ``WGIData.csv`` or ``wgidataset`` CSV/xlsx | ``countries.governance`` |
| ``usgs`` | USGS MCS world-data CSV (``MCS2025_World_Data.csv``) | USGS-scaled mining rows of ``production.csv`` |
| ``comtrade`` | UN Comtrade (Comtrade+ or legacy) CSV export of imports by partner | a buyer's ``sourcing.csv`` rows |
| ``jrc`` | JRC CRM study supply-share table (2023 Appendix 7 layout) | ``production.csv`` shares or EU ``sourcing.csv`` |
"""

from riskengine.data.importers.apply import import_comtrade, import_jrc, import_usgs, import_wgi
from riskengine.data.importers.comtrade import read_comtrade_imports
from riskengine.data.importers.jrc import read_jrc_shares
from riskengine.data.importers.update import ImportResult, write_copy, write_in_place
from riskengine.data.importers.usgs import read_usgs_mine_production
from riskengine.data.importers.wgi import read_wgi

__all__ = [
    "KINDS",
    "ImportResult",
    "import_comtrade",
    "import_jrc",
    "import_usgs",
    "import_wgi",
    "read_comtrade_imports",
    "read_jrc_shares",
    "read_usgs_mine_production",
    "read_wgi",
    "write_copy",
    "write_in_place",
]

#: Importer kinds the command line offers.
KINDS: tuple[str, ...] = ("wgi", "usgs", "comtrade", "jrc")
