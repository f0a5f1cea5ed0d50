"""The supervision service's sector names are the data centre's dictionary: every code of
dictionaries.sector, with the same name, and nothing else."""
from __future__ import annotations

import re
from pathlib import Path

from services.supervision import sectors

SQL = Path(__file__).parents[2] / "services/datacenter/migrations/0006_dictionaries.sql"


def dictionary() -> dict[str, str]:
    text = SQL.read_text(encoding="utf-8")
    block = text[text.index("INSERT INTO dictionaries.sector"):]
    block = block[:block.index(";")]
    return dict(re.findall(r"\('([a-z_]+)', '([^']+)', (?:NULL|'[^']*'), \d+\)", block))


def test_the_names_are_the_data_centres_dictionary():
    assert len(dictionary()) == 15
    assert sectors.NAMES == dictionary()


def test_a_name_for_every_code_and_something_readable_otherwise():
    assert sectors.name("hazardous_chemicals") == "危险化学品"
    assert sectors.name(None) == "未填写"
    assert sectors.name("", missing="—") == "—"
    assert sectors.name("unknown_sector") == "unknown_sector"
