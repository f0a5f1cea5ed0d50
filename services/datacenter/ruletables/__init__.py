"""The data centre's rule tables: the JSON files in `tables/` (the mechanism is services/kit/ruletables.py)."""
from __future__ import annotations

from pathlib import Path

from services.kit.ruletables import (RuleTable, add_months, band_for, check_bands, decimal, effective,  # noqa: F401
                                     load_dir, parse)

TABLES_DIR = Path(__file__).parent / "tables"


def load_defaults() -> tuple[RuleTable, ...]:
    """Every table shipped in `tables/`, read afresh (callers keep the result)."""
    return load_dir(TABLES_DIR)
