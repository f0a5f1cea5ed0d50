"""services.supervision.inspections.checklists: the shipped catalogue and the loader's checks."""
import json
from pathlib import Path

import pytest

from services.supervision.inspections.checklists import CATEGORIES, DEFAULT, is_major_finding, load

CATALOGUE = load()
SECTORS = ("coal", "non_coal_mine", "hazardous_chemicals", "fireworks", "metallurgy", "nonferrous", "building_materials",
           "machinery", "light_industry", "textile", "tobacco", "commerce_trade", "construction", "transport", "other")
GONGMAO = ("metallurgy", "nonferrous", "building_materials", "machinery", "light_industry", "textile", "tobacco", "commerce_trade")
PREFIXES = {"coal": "CM-", "non_coal_mine": "NM-", "hazardous_chemicals": "HC-", "fireworks": "FW-", "gongmao_common": "GM-",
            "metallurgy": "ME-", "nonferrous": "NF-", "building_materials": "BM-", "machinery": "MA-", "light_industry": "LI-",
            "textile": "TX-", "tobacco": "TB-", "construction": "CN-", "transport": "TR-", "general_routine": "GR-"}


def shipped() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(DEFAULT.glob("*.json"))}


def codes(sector: str) -> list[str]:
    return [i.code for i in CATALOGUE.for_sector(sector)]


# --- the shipped catalogue ---------------------------------------------------------------------

def test_every_sector_of_the_dictionary_has_a_file_and_resolves_to_items():
    assert sorted(code for code, *_ in CATALOGUE.sectors()) == sorted(SECTORS)
    for sector in SECTORS:
        items = CATALOGUE.for_sector(sector)
        assert items, sector
        assert len(codes(sector)) == len(set(codes(sector))), sector


def test_codes_are_unique_across_all_files_and_carry_their_files_prefix():
    files = shipped()
    all_codes = [i["code"] for f in files.values() for i in f["items"]]
    assert len(all_codes) == len(set(all_codes))
    for stem, data in files.items():
        for i in data["items"]:
            assert i["code"].startswith(PREFIXES[stem]), (stem, i["code"])


def test_every_item_has_a_known_category_and_chinese_text():
    for sector in SECTORS:
        for i in CATALOGUE.for_sector(sector):
            assert i.category in CATEGORIES
            assert i.text and i.clause and i.source
            assert any("\u4e00" <= ch <= "\u9fff" for ch in i.text), i.code


def test_every_gongmao_sector_includes_the_common_items_after_its_own():
    common = [i.code for i in CATALOGUE.for_sector("metallurgy") if i.code.startswith("GM-")]
    assert len(common) == 18
    for sector in GONGMAO:
        got = codes(sector)
        assert set(common) <= set(got), sector
        own = [c for c in got if not c.startswith(("GM-", "GR-"))]
        assert got[:len(own)] == own, sector
    assert not [c for c in codes("commerce_trade") if not c.startswith(("GM-", "GR-"))]


def test_every_sector_includes_the_routine_items_and_they_are_not_major():
    routine = CATALOGUE.for_sector("other")
    assert 8 <= len(routine) <= 12
    assert all(i.code.startswith("GR-") and not i.major and i.sector is None for i in routine)
    for sector in SECTORS:
        assert {i.code for i in routine} <= set(codes(sector)), sector


def test_chemicals_has_the_twenty_items_of_its_standard_all_major():
    own = [i for i in CATALOGUE.for_sector("hazardous_chemicals") if i.sector == "hazardous_chemicals"]
    assert [i.code for i in own] == [f"HC-{n:02d}" for n in range(1, 21)]
    assert all(i.major for i in own)
    assert own[0].clause == "第一条" and own[19].clause == "第二十条"
    assert "121号" in own[0].source


def test_fireworks_and_coal_carry_their_standards():
    fireworks = [i for i in CATALOGUE.for_sector("fireworks") if i.sector == "fireworks"]
    assert len(fireworks) == 20 and all(i.major for i in fireworks)
    categories = [i for i in CATALOGUE.for_sector("coal") if i.clause.startswith("第三条")]
    assert len(categories) == 15
    assert categories[0].text == "超能力、超强度或者超定员组织生产。"


def test_items_keep_the_sector_and_source_of_their_file():
    item = CATALOGUE.item("HC-01")
    assert item.sector == "hazardous_chemicals" and item.major and not item.verify
    common = CATALOGUE.item("GM-01")
    assert common.sector is None and "应急管理部令第10号" in common.source


def test_an_unknown_sector_falls_back_to_other_and_an_unknown_code_is_a_key_error():
    assert CATALOGUE.for_sector("fishing") == CATALOGUE.for_sector("other")
    with pytest.raises(KeyError):
        CATALOGUE.item("XX-99")


def test_a_finding_is_major_when_any_matched_item_is_a_criterion():
    assert is_major_finding(["GR-01", "HC-05"], CATALOGUE)
    assert is_major_finding(["GM-06"], CATALOGUE)
    assert not is_major_finding(["GR-01", "GR-07"], CATALOGUE)
    assert not is_major_finding([], CATALOGUE)
    with pytest.raises(KeyError):
        is_major_finding(["XX-99"], CATALOGUE)


# --- the loader's checks -----------------------------------------------------------------------

def item(code: str, **overrides) -> dict:
    return {"code": code, "clause": "第一条", "text": "未设置安全警示标志。", "major": False, "category": "management", **overrides}


def write(directory: Path, stem: str, items: list[dict], includes: list[str] = (), sector: object = "") -> None:
    data = {"sector": stem if sector == "" else sector, "name": stem, "version": "2024-01-01", "source": "测试",
            "includes": list(includes), "items": items}
    (directory / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_the_loader_reads_a_small_catalogue(tmp_path):
    write(tmp_path, "base", [item("B-01", major=True)], sector=None)
    write(tmp_path, "other", [item("O-01")], includes=["base"])
    catalogue = load(tmp_path)
    assert [i.code for i in catalogue.for_sector("coal")] == ["O-01", "B-01"]
    assert catalogue.sectors() == [("other", "other", "2024-01-01", "测试")]


def test_the_loader_refuses_a_duplicate_code(tmp_path):
    write(tmp_path, "coal", [item("X-01")])
    write(tmp_path, "other", [item("X-01")])
    with pytest.raises(ValueError, match=r"other\.json: code X-01 already in coal\.json"):
        load(tmp_path)


def test_the_loader_refuses_an_unknown_include(tmp_path):
    write(tmp_path, "other", [item("O-01")], includes=["nowhere"])
    with pytest.raises(ValueError, match=r"other\.json: unknown include 'nowhere'"):
        load(tmp_path)


def test_the_loader_refuses_an_include_cycle(tmp_path):
    write(tmp_path, "a", [item("A-01")], includes=["b"], sector=None)
    write(tmp_path, "b", [item("B-01")], includes=["a"], sector=None)
    with pytest.raises(ValueError, match=r"a\.json: include cycle a → b → a"):
        load(tmp_path)


def test_the_loader_refuses_a_bad_category(tmp_path):
    write(tmp_path, "other", [item("O-01", category="chemical")])
    with pytest.raises(ValueError, match=r"other\.json: O-01: unknown category 'chemical'"):
        load(tmp_path)


@pytest.mark.parametrize("field", ["clause", "text", "major", "category"])
def test_the_loader_refuses_an_item_missing_a_field(tmp_path, field):
    raw = item("O-01")
    del raw[field]
    write(tmp_path, "other", [raw])
    with pytest.raises(ValueError, match=rf"other\.json: item O-01 is missing {field}"):
        load(tmp_path)


def test_the_loader_refuses_a_file_missing_a_field_a_non_boolean_major_and_a_misnamed_sector(tmp_path):
    (tmp_path / "other.json").write_text(json.dumps({"sector": "other", "name": "其他", "items": []}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"other\.json: file is missing version, source"):
        load(tmp_path)
    write(tmp_path, "other", [item("O-01", major="yes")])
    with pytest.raises(ValueError, match=r"other\.json: O-01: major and verify must be true or false"):
        load(tmp_path)
    write(tmp_path, "other", [item("O-01")], sector="coal")
    with pytest.raises(ValueError, match=r"other\.json: sector 'coal' must be the file's name"):
        load(tmp_path)
