"""The sectors (监管行业) by code with their Chinese names: the data centre's dictionary
dictionaries.sector (services/datacenter/migrations/0006_dictionaries.sql), held once here for the
supervision service's answers, consumers and jobs, which show a name beside every sector code
without a call per row. tests/unit/test_sector_names.py keeps it equal to the data centre's."""
from __future__ import annotations

NAMES = {"coal": "煤矿", "non_coal_mine": "非煤矿山", "hazardous_chemicals": "危险化学品", "fireworks": "烟花爆竹",
         "metallurgy": "冶金", "nonferrous": "有色", "building_materials": "建材", "machinery": "机械",
         "light_industry": "轻工", "textile": "纺织", "tobacco": "烟草", "commerce_trade": "商贸",
         "construction": "建筑施工", "transport": "交通运输", "other": "其他"}


def name(code: str | None, missing: str = "未填写") -> str:
    """The sector's name; `missing` when none was given, the code itself when it is unknown."""
    if not code:
        return missing
    return NAMES.get(code, code)
