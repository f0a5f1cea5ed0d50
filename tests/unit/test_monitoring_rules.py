"""The rules of remote monitoring (services/supervision/monitoring/rules.py) with the shipped rule tables."""
from datetime import datetime, timedelta, timezone

import pytest

from services.kit.errors import Conflict, InvalidArgument
from services.supervision.monitoring import evaluator, partitions, rules

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)
TABLES = evaluator.tables()
EVALUATION, GAS, METHANE = (evaluator.body(TABLES, n, NOW) for n in ("alarm_evaluation", "gas_setpoints", "coal_methane"))


def checks(**point):
    return rules.checks({"site_type": "major_hazard", **point}, evaluation=EVALUATION, gas=GAS, methane=METHANE)


def run(point_checks, values, states=None, start=NOW):
    states = {} if states is None else states
    readings = [(start + timedelta(seconds=i), v) for i, v in enumerate(values)]
    return rules.evaluate(point_checks, readings, states), states


def test_a_value_hovering_at_a_limit_raises_once_and_clears_only_past_the_deadband():
    c = checks(quantity="temperature", high=40.0, high_high=50.0)
    changes, states = run(c, [39.9, 40.0, 39.8, 40.1, 39.7, 40.0])
    assert [ch.kind for ch in changes] == ["raised"]  # 39.8 / 39.7 stay within the 0.8 deadband: no clear, no new alarm
    assert states["high"].active and states["high"].peak == 40.1
    changes, _ = run(c, [39.5], states)
    assert [ch.kind for ch in changes] == ["updated"]  # still within the deadband: duration and last value move on
    changes, _ = run(c, [39.1], states)
    assert [ch.kind for ch in changes] == ["cleared"]


def test_high_high_raises_the_level_and_the_peak_is_kept():
    c = checks(quantity="pressure", high=1.5, high_high=1.6)
    changes, states = run(c, [1.55, 1.65, 1.58])
    assert [ch.kind for ch in changes] == ["raised", "escalated_level"]
    assert states["high"].level == "critical" and states["high"].peak == 1.65


def test_low_limits_alarm_downwards():
    changes, states = run(checks(quantity="level", low_low=0.5, low=1.0), [1.2, 0.9, 0.4])
    assert [ch.kind for ch in changes] == ["raised", "escalated_level"] and states["low"].peak == 0.4


def test_gb50493_caps_a_combustible_gas_point_set_too_high():
    (c,) = checks(quantity="combustible_gas", high=30.0, high_high=60.0)
    assert (c.raise_at, c.critical_at) == (25, 50)
    (c,) = checks(quantity="combustible_gas", high=20.0, high_high=40.0)
    assert (c.raise_at, c.critical_at) == (20.0, 40.0)


def test_toxic_gas_set_points_follow_the_gas_oel():
    (c,) = checks(quantity="toxic_gas", gas="硫化氢")
    assert (c.raise_at, c.critical_at) == (7.1, 14.2)


def test_oxygen_high_and_low():
    conds = {c.condition: c.raise_at for c in checks(quantity="oxygen")}
    assert conds == {"oxygen_high": 23.5, "oxygen_low": 19.5}


@pytest.mark.parametrize("where, values, level", [
    ("working_face", [1.2], "warning"), ("working_face", [1.5], "critical"), ("return_airway", [1.0], "critical"),
    ("intake_airway", [0.5], "critical"), ("drainage_roadway", [2.4], None), ("machine_mounted", [1.49], "warning")])
def test_coal_methane_by_location_class(where, values, level):
    c = rules.checks({"site_type": "coal_mine", "quantity": "methane", "coal_location": where}, evaluation=EVALUATION, gas=GAS,
                     methane=METHANE)
    changes, states = run(c, values)
    assert (states["methane"].level if states else None) == level


def test_methane_restores_only_below_the_restore_value():
    c = rules.checks({"site_type": "coal_mine", "quantity": "methane", "coal_location": "working_face"}, evaluation=EVALUATION,
                     gas=GAS, methane=METHANE)
    changes, states = run(c, [1.6, 1.0])
    assert [ch.kind for ch in changes] == ["raised"] and states["methane"].active  # 1.0 is not below 1.0
    changes, _ = run(c, [0.99], states)
    assert [ch.kind for ch in changes] == ["cleared"]


def test_switches_alarm_on_their_abnormal_state_and_feed_power_is_left_to_its_zone():
    (c,) = checks(quantity="switch", switch_kind="sis_bypass")
    changes, states = run((c,), [0, 1, 1, 0])
    assert [ch.kind for ch in changes] == ["raised", "cleared"]
    assert checks(quantity="switch", switch_kind="feed_power") == ()


def test_a_cleared_open_alarm_is_reactivated_not_raised_again():
    c = checks(quantity="temperature", high=40.0)
    _, states = run(c, [41.0, 30.0])
    changes, _ = run(c, [42.0], states)
    assert [ch.kind for ch in changes] == ["reactivated"]


def test_power_cut_failure_after_the_grace():
    cut = NOW
    assert not rules.power_cut_failed(True, cut + timedelta(seconds=10), cut, 30)
    assert rules.power_cut_failed(True, cut + timedelta(seconds=30), cut, 30)
    assert not rules.power_cut_failed(False, cut + timedelta(seconds=60), cut, 30)
    assert not rules.power_cut_failed(True, cut + timedelta(seconds=60), None, 30)


def test_offline_after_n_intervals_with_a_floor():
    assert rules.offline_after(2, EVALUATION) == 60
    assert rules.offline_after(60, EVALUATION) == 180


def test_lifecycle_order_is_enforced():
    assert rules.acknowledge("raised") == "acknowledged"
    with pytest.raises(Conflict):
        rules.acknowledge("acknowledged")
    with pytest.raises(Conflict):
        rules.dispose("raised", active=True, cause="a", measures="b", result="c")
    assert rules.dispose("acknowledged", active=True, cause="a", measures="b", result="c") == "disposed"
    assert rules.dispose("acknowledged", active=False, cause="a", measures="b", result="c") == "closed"
    with pytest.raises(InvalidArgument) as refused:
        rules.dispose("acknowledged", active=False, cause=" ", measures="b", result="")
    assert {v.field for v in refused.value.violations} == {"cause", "result"}
    assert rules.after_clear("disposed") == "closed" and rules.after_clear("raised") == "raised"


def test_escalation_steps_enterprise_county_city():
    table = evaluator.body(TABLES, "alarm_escalation", NOW)
    step = rules.next_escalation("enterprise", "critical", NOW, table)
    assert step == ("county", NOW + timedelta(minutes=5))
    assert rules.next_escalation("county", "critical", step[1], table) == ("city", step[1] + timedelta(minutes=15))
    assert rules.next_escalation("city", "critical", NOW, table) is None


def test_four_colours():
    table = evaluator.body(TABLES, "warning_colours", NOW)
    crit, warn = rules.OpenAlarm("gas", "critical"), rules.OpenAlarm("high", "warning")
    assert rules.colour([crit], points=4, offline=0, grade="1", table=table)[0] == "red"
    assert rules.colour([crit], points=4, offline=0, grade="3", table=table)[0] == "orange"
    assert rules.colour([warn], points=4, offline=0, grade="2", table=table)[0] == "orange"
    assert rules.colour([warn], points=4, offline=0, grade="4", table=table)[0] == "yellow"
    assert rules.colour([], points=4, offline=2, grade="4", table=table)[0] == "yellow"
    assert rules.colour([], points=4, offline=1, grade="4", table=table)[0] == "blue"
    assert rules.colour([], points=4, offline=0, grade="1", table=table)[0] == "none"
    assert rules.colour([rules.OpenAlarm("power_cut_failure", "critical")], points=4, offline=0, grade=None, table=table)[0] == "red"
    assert rules.worst(["blue", "red", "none"]) == "red" and rules.most_severe_grade(["3", None, "2"]) == "2"


INTAKE = evaluator.body(TABLES, "reading_intake", NOW)
CAT = {"LT01": (7, "level"), "XV01": (8, "switch")}
NOW_MS = int(NOW.timestamp() * 1000)


@pytest.mark.parametrize("item, code", [
    ("x", "reading.not_object"), ({"point": "ZZ", "time": NOW_MS, "value": 1}, "reading.unknown_point"),
    ({"point": "LT01", "time": "2026-12-02T10:00:00", "value": 1}, "reading.time_format"),
    ({"point": "LT01", "time": NOW_MS + 301_000, "value": 1}, "reading.future"),
    ({"point": "LT01", "time": NOW_MS - 8 * 86_400_000, "value": 1}, "reading.too_old"),
    ({"point": "LT01", "time": NOW_MS, "value": 1, "state": 1}, "reading.value_required"),
    ({"point": "LT01", "time": NOW_MS}, "reading.value_required"),
    ({"point": "LT01", "time": NOW_MS, "value": float("nan")}, "reading.not_numeric"),
    ({"point": "LT01", "time": NOW_MS, "value": "3"}, "reading.not_numeric"),
    ({"point": "LT01", "time": NOW_MS, "value": 101}, "reading.impossible"),
    ({"point": "XV01", "time": NOW_MS, "state": 2}, "reading.impossible")])
def test_bad_readings_are_refused_with_a_reason(item, code):
    out = rules.check_reading(3, item, CAT, now_ms=NOW_MS, table=INTAKE)
    assert isinstance(out, rules.Rejection) and out.code == code and out.index == 3 and out.message and out.message_en


def test_good_readings_in_either_time_form():
    assert rules.check_reading(0, {"point": "LT01", "time": "2026-12-02T10:00:00+08:00", "value": 3.5}, CAT, now_ms=NOW_MS,
                               table=INTAKE) == (7, NOW_MS, 3.5)
    assert rules.check_reading(0, {"point": "XV01", "time": NOW_MS - 1000, "state": True}, CAT, now_ms=NOW_MS,
                               table=INTAKE) == (8, NOW_MS - 1000, 1.0)


def test_commitment_rules():
    assert rules.commitment_violations([{"source_id": 1, "state": "normal"}], {1}) == []
    codes = {v.code for v in rules.commitment_violations([{"source_id": 9, "state": "special_work"}], {1})}
    assert {"source_id.unknown", "special_work.required"} <= codes
    assert rules.commitment_violations([{"source_id": 1, "state": "normal"}], {1, 2})[0].code == "sources.incomplete"


def test_quality_and_ranking_with_shared_ranks():
    table = evaluator.body(TABLES, "data_quality", NOW)
    q = rules.quality(expected=100, received=90, timely=81, offline_s=360, observed_s=3600, table=table)
    assert (q.online_rate, q.completeness, q.timeliness) == (0.9, 0.9, 0.9) and q.score == 90.0
    a, b, c = (rules.Ranked(k, k, rules.Quality(1, 1, 1, s)) for k, s in (("a", 90.0), ("b", 95.0), ("c", 90.0)))
    assert [(n, r.key) for n, r in rules.rank([a, b, c])] == [(1, "b"), (2, "a"), (2, "c")]


def test_partitions_cover_the_intake_window_and_expire_after_retention():
    plan = partitions.Plan("reading", "day", 8, 3, 90)
    today = NOW.astimezone(rules.SHANGHAI).date()
    names = [n for n, _, _ in partitions.wanted(plan, today)]
    assert names[0] == "reading_p20261124" and names[-1] == "reading_p20261205"
    assert partitions.expired(plan, ["reading_p20260901", "reading_p20260903", "reading_p20261201"], today) == ["reading_p20260901"]
    lo, hi = partitions.bounds(today, "day")
    assert lo.isoformat() == "2026-12-02T00:00:00+08:00" and (hi - lo) == timedelta(days=1)
