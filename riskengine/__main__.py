"""``python -m riskengine``."""

from riskengine.cli import entry_point

entry_point()
