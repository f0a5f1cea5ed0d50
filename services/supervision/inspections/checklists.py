"""The checklist catalogue inspections draw their items from: per sector, the criteria of the
sector's 重大事故隐患判定标准 (major: a finding matched to one is a 重大隐患) and the routine items
an inspector checks on site (常规检查项, not major).

The data are the JSON files in tables/checklists/: one per sector of the data centre's dictionary
(dictionaries.sector, named `<sector>.json`) and include files shared by several sectors (`sector`
null): `gongmao_common` (《工贸企业重大事故隐患判定标准》 第三条、第十一至十四条, included by the
eight 工贸 sectors) and `general_routine` (included by every sector). The sources are 应急管理部令
第4号 (煤矿) and 第10号 (工贸), 矿安〔2022〕88号 (金属非金属矿山), 安监总管三〔2017〕121号 (化工和
危险化学品, 烟花爆竹), 建质规〔2022〕2号 (房屋市政工程) and the 交通运输部 standard for road transport;
each file's `source` says which document and which part of it is loaded, and an item whose text or
clause number was not checked against the published text carries `verify: true`.

Pure: the only I/O is reading those files when `load` is called."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

DEFAULT = Path(__file__).parent / "tables" / "checklists"
CATEGORIES = frozenset({"equipment", "environment", "behaviour", "management", "fire", "electrical", "other"})
FALLBACK_SECTOR = "other"
_FILE_FIELDS = ("sector", "name", "version", "source", "items")
_ITEM_FIELDS = ("code", "clause", "text", "major", "category")


@dataclass(frozen=True)
class Item:
    code: str
    sector: str | None  # the sector of the file the item comes from; None for an include file
    clause: str
    text: str
    major: bool
    category: str
    source: str
    verify: bool = False


@dataclass(frozen=True)
class _Table:
    stem: str
    sector: str | None
    name: str
    version: str
    source: str
    includes: tuple[str, ...]
    items: tuple[Item, ...]


class Catalogue:
    def __init__(self, tables: dict[str, _Table]):
        self._by_sector = {t.sector: t for t in tables.values() if t.sector is not None}
        self._items = {i.code: i for t in tables.values() for i in t.items}
        self._resolved = {stem: _resolve(tables, stem) for stem in tables}

    def for_sector(self, sector: str) -> tuple[Item, ...]:
        """The sector's own items first, then those of its includes in order; a sector the
        catalogue does not know gets the items of `other`."""
        table = self._by_sector.get(sector) or self._by_sector[FALLBACK_SECTOR]
        return self._resolved[table.stem]

    def item(self, code: str) -> Item:
        """KeyError for an unknown code."""
        return self._items[code]

    def has(self, code: str) -> bool:
        return code in self._items

    def sectors(self) -> list[tuple[str, str, str, str]]:
        """(code, name, version, source) of every sector file, in file-name order."""
        return [(t.sector, t.name, t.version, t.source) for t in self._by_sector.values()]


def is_major_finding(item_codes: Iterable[str], catalogue: Catalogue) -> bool:
    """True when any matched item is a 重大事故隐患 criterion (KeyError for an unknown code)."""
    return any(catalogue.item(code).major for code in item_codes)


def load(directory: Path = DEFAULT) -> Catalogue:
    """Reads and checks every *.json in `directory`; ValueError naming the file for a missing
    field, a bad category, a duplicate code, an unknown include or an include cycle."""
    tables: dict[str, _Table] = {}
    codes: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")):
        table = _parse(path)
        for i in table.items:
            if i.code in codes:
                raise ValueError(f"{path.name}: code {i.code} already in {codes[i.code]}.json")
            codes[i.code] = table.stem
        tables[table.stem] = table
    _check_sectors(tables)
    _check_includes(tables)
    return Catalogue(tables)


def _parse(path: Path) -> _Table:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path.name}: not valid JSON: {exc}") from exc
    _require(path, data, _FILE_FIELDS, "file")
    includes = data.get("includes", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ValueError(f"{path.name}: includes must be a list of file names")
    if not isinstance(data["items"], list):
        raise ValueError(f"{path.name}: items must be a list")
    items = tuple(_item(path, data, raw) for raw in data["items"])
    return _Table(path.stem, data["sector"], data["name"], data["version"], data["source"], tuple(includes), items)


def _item(path: Path, table: dict, raw: object) -> Item:
    _require(path, raw, _ITEM_FIELDS, "item")
    code = raw["code"]
    if not isinstance(code, str) or not code:
        raise ValueError(f"{path.name}: item code must be a non-empty string")
    if raw["category"] not in CATEGORIES:
        raise ValueError(f"{path.name}: {code}: unknown category {raw['category']!r}")
    if not isinstance(raw["major"], bool) or not isinstance(raw.get("verify", False), bool):
        raise ValueError(f"{path.name}: {code}: major and verify must be true or false")
    return Item(code, table["sector"], raw["clause"], raw["text"], raw["major"], raw["category"], table["source"],
                raw.get("verify", False))


def _require(path: Path, data: object, fields: tuple[str, ...], what: str) -> None:
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: each {what} must be an object")
    missing = [f for f in fields if f not in data]
    if missing:
        label = f"{what} {data['code']}" if "code" in data else what
        raise ValueError(f"{path.name}: {label} is missing {', '.join(missing)}")


def _check_sectors(tables: dict[str, _Table]) -> None:
    for stem, table in tables.items():
        if table.sector is not None and table.sector != stem:
            raise ValueError(f"{stem}.json: sector {table.sector!r} must be the file's name")


def _check_includes(tables: dict[str, _Table]) -> None:
    for stem, table in tables.items():
        for name in table.includes:
            if name not in tables:
                raise ValueError(f"{stem}.json: unknown include {name!r}")
    for stem in tables:
        _walk(tables, stem, ())


def _walk(tables: dict[str, _Table], stem: str, path: tuple[str, ...]) -> None:
    if stem in path:
        raise ValueError(f"{path[0]}.json: include cycle {' → '.join(path + (stem,))}")
    for name in tables[stem].includes:
        _walk(tables, name, path + (stem,))


def _resolve(tables: dict[str, _Table], stem: str) -> tuple[Item, ...]:
    """Own items, then each include's resolved items; an item reached twice is listed once."""
    seen: dict[str, Item] = {i.code: i for i in tables[stem].items}
    for name in tables[stem].includes:
        for i in _resolve(tables, name):
            seen.setdefault(i.code, i)
    return tuple(seen.values())
