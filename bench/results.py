"""Where each benchmark leaves its figures for the closing table of `make bench` (bench/summary.py):
one JSON file per benchmark under .var/bench/, replaced by every run."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from services.kit import config

DIRECTORY = config.REPO_ROOT / ".var" / "bench"  # one place whichever instance a benchmark ran against


def save(name: str, figures: dict) -> Path:
    DIRECTORY.mkdir(parents=True, exist_ok=True)
    path = DIRECTORY / f"{name}.json"
    path.write_text(json.dumps({"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **figures},
                               ensure_ascii=False, default=str, indent=1))
    return path


def load(name: str) -> dict | None:
    path = DIRECTORY / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None
