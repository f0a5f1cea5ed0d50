"""Enterprise classes A/B/C/D and key targets (services/supervision/grids/classes.py) with the shipped
table: every band edge, every factor's points and maximum, every floor, the key-target rule."""
import re
from datetime import date

import pytest

from services.kit import ruletables
from services.supervision import sectors
from services.supervision.grids import classes

CJK = re.compile(r"[\u4e00-\u9fff]")
TABLE = classes.table_for(2026)
BODY = TABLE.body
POINTS = BODY["points"]
ORDER = BODY["classes"]
SECTORS = ("coal", "non_coal_mine", "hazardous_chemicals", "fireworks", "metallurgy", "nonferrous", "building_materials",
           "machinery", "light_industry", "textile", "tobacco", "commerce_trade", "construction", "transport", "other")


def lowest(points: dict):
    """The key of a factor's table with the fewest points."""
    return min(points, key=lambda k: points[k])


LOW_SECTOR = min((s for s in SECTORS if s not in BODY["key"]["sectors"]), key=lambda s: POINTS["sector"][s])
LOW_GRADE, LOW_COLOUR, LOW_CREDIT = (lowest(POINTS[f]) for f in ("standardization_grade", "risk_colour", "credit_grade"))


def enterprise(**facts) -> dict:
    """An enterprise scoring the fewest points the table allows, changed by `facts`."""
    none = lambda v: None if v == "none" else v  # noqa: E731
    return {"uscc": "91620802MA00000001", "sector": LOW_SECTOR, "standardization_grade": none(LOW_GRADE),
            "risk_colour": none(LOW_COLOUR), "accidents": [], "major_hazard_sources": [],
            "open_hazards": {"general": 0, "major": 0, "overdue_major": 0}, "credit_grade": none(LOW_CREDIT),
            "listed_dishonest": False, **facts}


def classify(**facts) -> classes.Classification:
    return classes.classify(enterprise(**facts), table=TABLE)


def points_of(c: classes.Classification, factor: str) -> int:
    (f,) = [f for f in c.factors if f.factor == factor]
    return f.points


BASE = classify()


def accident(deaths: int, grade: str = "general", on: date = date(2025, 5, 1)) -> dict:
    return {"occurred_on": on, "deaths": deaths, "grade": grade}


# --- the table -------------------------------------------------------------------------------------

def test_the_table_says_its_direction_and_what_is_unverified():
    assert TABLE.name == "enterprise_class" and TABLE.effective_from == date(2026, 1, 1)
    assert ORDER == ["A", "B", "C", "D"]
    assert "A类低风险" in TABLE.source and "D类高风险" in TABLE.source and "待核实" in TABLE.source
    ruletables.check_bands(BODY["bands"])
    assert [b["class"] for b in BODY["bands"]] == ORDER  # the score rises with the risk: A lowest
    assert set(POINTS["sector"]) == set(SECTORS)
    assert {f["at_least"] for f in BODY["floors"]} <= set(ORDER)
    assert BODY["key"] == {"classes": ["D"], "major_hazard_levels": ["1", "2"], "sectors": ["coal"]}


def test_the_table_in_force_and_the_look_back_window():
    assert classes.table_for(2027) == TABLE
    with pytest.raises(LookupError):
        classes.table_for(2025)
    assert classes.look_back_start(2026, TABLE) == date(2026 - BODY["look_back_years"], 1, 1)


# --- bands: every edge ------------------------------------------------------------------------------

@pytest.mark.parametrize("band", [b for b in BODY["bands"] if b["from"] is not None], ids=lambda b: f"from {b['from']}")
def test_every_band_edge(band):
    below = ORDER[ORDER.index(band["class"]) - 1]
    assert classes.class_for_score(band["from"], TABLE) == band["class"]       # exactly on the boundary: the higher class
    assert classes.class_for_score(band["from"] - 1, TABLE) == below            # just below: the lower class


def test_the_open_ends():
    first, last = BODY["bands"][0], BODY["bands"][-1]
    assert classes.class_for_score(0, TABLE) == first["class"]
    assert classes.class_for_score(last["from"] + 1000, TABLE) == last["class"]


def test_the_score_is_the_sum_of_the_factors_and_the_class_its_band():
    c = classify(sector="hazardous_chemicals", standardization_grade="2", risk_colour="orange", major_hazard_sources=["3"],
                 open_hazards={"general": 2, "major": 0, "overdue_major": 0})
    assert c.score == sum(f.points for f in c.factors)
    assert c.klass == c.band_class == classes.class_for_score(c.score, TABLE)
    assert [f.factor for f in c.factors] == ["sector", "standardization_grade", "accidents", "major_hazard_sources",
                                             "open_hazards", "risk_colour", "credit_grade"]
    assert all(CJK.search(f.reason_zh) for f in c.factors)
    assert c.table == ("enterprise_class", date(2026, 1, 1)) and c.inputs["sector"] == "hazardous_chemicals"


def test_the_least_risky_enterprise_is_class_a():
    assert BASE.klass == ORDER[0] and not BASE.key


# --- each factor's points -----------------------------------------------------------------------------

@pytest.mark.parametrize("sector", SECTORS)
def test_sector_points(sector):
    c = classify(sector=sector)
    assert points_of(c, "sector") == POINTS["sector"][sector]
    assert sectors.NAMES[sector] in c.factors[0].reason_zh


@pytest.mark.parametrize("grade", ["1", "2", "3", None])
def test_standardization_points(grade):
    assert points_of(classify(standardization_grade=grade), "standardization_grade") == POINTS["standardization_grade"][grade or "none"]


def test_a_higher_standardization_grade_scores_fewer_points():
    p = POINTS["standardization_grade"]
    assert p["1"] < p["2"] < p["3"] < p["none"]


@pytest.mark.parametrize("colour", ["red", "orange", "yellow", "blue", None])
def test_risk_colour_points(colour):
    assert points_of(classify(risk_colour=colour), "risk_colour") == POINTS["risk_colour"][colour or "none"]


@pytest.mark.parametrize("credit", ["A", "B", "C", "D", None])
def test_credit_points(credit):
    assert points_of(classify(credit_grade=credit), "credit_grade") == POINTS["credit_grade"][credit or "none"]


def test_accident_points_fatal_at_the_threshold_and_non_fatal_below_it():
    rule = POINTS["accidents"]
    assert points_of(classify(accidents=[accident(rule["fatal_min_deaths"])]), "accidents") == rule["fatal"]
    assert points_of(classify(accidents=[accident(rule["fatal_min_deaths"] - 1)]), "accidents") == rule["non_fatal"]
    assert points_of(BASE, "accidents") == 0


def test_accident_points_stop_at_the_maximum():
    rule = POINTS["accidents"]
    at_max = rule["max"] // rule["non_fatal"]
    assert at_max * rule["non_fatal"] == rule["max"]  # the table's maximum is reachable exactly
    assert points_of(classify(accidents=[accident(0)] * (at_max - 1)), "accidents") == rule["max"] - rule["non_fatal"]
    assert points_of(classify(accidents=[accident(0)] * at_max), "accidents") == rule["max"]
    assert points_of(classify(accidents=[accident(0)] * (at_max + 1)), "accidents") == rule["max"]


@pytest.mark.parametrize("level", ["1", "2", "3", "4"])
def test_major_hazard_source_points(level):
    c = classify(major_hazard_sources=[level])
    assert points_of(c, "major_hazard_sources") == POINTS["major_hazard_sources"]["levels"][level]
    assert classes.MAJOR_HAZARD_LEVEL_ZH[level] in [f for f in c.factors if f.factor == "major_hazard_sources"][0].reason_zh


def test_major_hazard_source_points_stop_at_the_maximum():
    rule = POINTS["major_hazard_sources"]
    worst = max(rule["levels"], key=lambda lv: rule["levels"][lv])
    n = -(-rule["max"] // rule["levels"][worst])
    assert points_of(classify(major_hazard_sources=[worst] * (n - 1)), "major_hazard_sources") == min(
        (n - 1) * rule["levels"][worst], rule["max"])
    assert points_of(classify(major_hazard_sources=[worst] * n), "major_hazard_sources") == rule["max"]
    assert points_of(classify(major_hazard_sources=[worst] * (n + 3)), "major_hazard_sources") == rule["max"]


@pytest.mark.parametrize("kind", ["general", "major", "overdue_major"])
def test_open_hazard_points_per_hazard_up_to_the_maximum(kind):
    rule = POINTS["open_hazards"][kind]
    at_max = rule["max"] // rule["each"]
    assert at_max * rule["each"] == rule["max"]

    def score(n):
        counts = {"general": 0, "major": 0, "overdue_major": 0, kind: n}
        if kind == "overdue_major":
            counts["major"] = n  # an overdue major hazard is an open major hazard too
        c = classify(open_hazards=counts)
        return points_of(c, "open_hazards") - (_capped(n, "major") if kind == "overdue_major" else 0)

    assert score(1) == rule["each"]
    assert score(at_max - 1) == rule["max"] - rule["each"]
    assert score(at_max) == rule["max"]
    assert score(at_max + 1) == rule["max"]


def _capped(n, kind):
    rule = POINTS["open_hazards"][kind]
    return min(n * rule["each"], rule["max"])


# --- floors ------------------------------------------------------------------------------------------

FLOOR_FACTS = {
    "fatal_accident": {"accidents": [accident(POINTS["accidents"]["fatal_min_deaths"])]},
    "overdue_major_hazard": {"open_hazards": {"general": 0, "major": 1, "overdue_major": 1}},
    "listed_dishonest": {"listed_dishonest": True},
}


def floor_cases():
    for floor in BODY["floors"]:
        if floor["when"] == "accident_grade":
            for grade in floor["grades"]:
                yield floor, {"accidents": [accident(0, grade)]}
        elif floor["when"] == "credit_grade":
            for grade in floor["grades"]:
                yield floor, {"credit_grade": grade}
        else:
            yield floor, FLOOR_FACTS[floor["when"]]


FLOOR_CASES = list(floor_cases())


@pytest.mark.parametrize("floor,facts", FLOOR_CASES, ids=[f"{f['when']}-{i}" for i, (f, _) in enumerate(FLOOR_CASES)])
def test_each_floor_raises_a_low_score_to_its_class(floor, facts):
    c = classify(**facts)
    assert ORDER.index(c.band_class) < ORDER.index(floor["at_least"])  # the score alone would class it lower
    assert ORDER.index(c.klass) >= ORDER.index(floor["at_least"])
    (f,) = [f for f in c.factors if f.factor == f"floor:{floor['when']}"]
    assert f.points == 0 and f"不低于{floor['at_least']}类" in f.reason_zh


def test_the_shipped_floors():
    assert classify(**FLOOR_FACTS["fatal_accident"]).klass == "C"
    assert classify(accidents=[accident(3, "large")]).klass == "D"
    assert classify(listed_dishonest=True).klass == "D"
    assert classify(**FLOOR_FACTS["overdue_major_hazard"]).klass == "C"
    assert classify(credit_grade="D").klass == "C"
    assert classify(credit_grade="C").klass == BASE.klass


def test_a_floor_never_lowers_a_class():
    high = dict(sector="coal", standardization_grade=None, risk_colour="red", major_hazard_sources=["1", "1"],
                open_hazards={"general": 10, "major": 2, "overdue_major": 0})
    assert classify(**high).klass == ORDER[-1]
    c = classify(**high, accidents=[accident(1)])
    assert c.klass == ORDER[-1] and any(f.factor == "floor:fatal_accident" for f in c.factors)


def test_no_fatal_accident_no_floor():
    c = classify(accidents=[accident(POINTS["accidents"]["fatal_min_deaths"] - 1)])
    assert not any(f.factor.startswith("floor:") for f in c.factors) and c.klass == c.band_class


# --- key targets -------------------------------------------------------------------------------------

def test_the_highest_class_is_a_key_target():
    c = classify(listed_dishonest=True)
    assert c.klass in BODY["key"]["classes"] and c.key and c.key_reasons_zh == (f"{c.klass}类",)
    assert classes.key_target(c, enterprise(listed_dishonest=True), table=TABLE)


@pytest.mark.parametrize("level", ["1", "2", "3", "4"])
def test_a_major_hazard_source_of_a_listed_level_makes_a_key_target(level):
    c = classify(major_hazard_sources=[level])
    listed = level in BODY["key"]["major_hazard_levels"]
    assert c.key is listed and classes.key_target(c, enterprise(major_hazard_sources=[level]), table=TABLE) is listed
    if listed:
        assert f"{classes.MAJOR_HAZARD_LEVEL_ZH[level]}重大危险源" in c.key_reasons_zh


@pytest.mark.parametrize("sector", SECTORS)
def test_a_listed_sector_is_always_a_key_target(sector):
    c = classify(sector=sector)
    assert c.key is (sector in BODY["key"]["sectors"] or c.klass in BODY["key"]["classes"])


def test_key_target_judges_a_class_against_the_enterprise():
    ent = enterprise()
    assert not classes.key_target(BASE, ent, table=TABLE)
    assert classes.key_target(BASE, {**ent, "sector": "coal"}, table=TABLE)
    assert classes.key_target(BASE, {**ent, "major_hazard_sources": ["2"]}, table=TABLE)


# --- refused inputs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("facts", [{"sector": "mining"}, {"standardization_grade": "4"}, {"risk_colour": "green"},
                                   {"credit_grade": "E"}, {"major_hazard_sources": ["5"]},
                                   {"accidents": [{"occurred_on": date(2025, 1, 1), "deaths": 1, "grade": "bad"}]},
                                   {"accidents": [accident(-1)]},
                                   {"open_hazards": {"general": 0, "major": 1, "overdue_major": 2}},
                                   {"open_hazards": {"general": True, "major": 0, "overdue_major": 0}}])
def test_values_the_table_does_not_know_are_refused_in_both_languages(facts):
    with pytest.raises(ValueError) as e:
        classify(**facts)
    zh, en = str(e.value).split(" / ")
    assert CJK.search(zh) and en and not CJK.search(en)


def test_an_unknown_floor_in_a_table_is_refused():
    bad = ruletables.RuleTable(TABLE.name, TABLE.effective_from, {**BODY, "floors": [{"when": "moon_phase", "at_least": "C"}]},
                               TABLE.source)
    with pytest.raises(ValueError, match="moon_phase"):
        classes.classify(enterprise(), table=bad)
