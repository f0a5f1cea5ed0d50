"""The ten databases through the gateway's generic record API, with real tokens, the real data
centre and PostgreSQL: for each of the 13 record kinds the whole life of a record (create with its
computed fields, read, update with a version, a stale version refused, bad input refused field by
field in Chinese and English with nothing written, soft delete, history, list filters, full-text
search, statistics), then the kinds' own rules as an API caller meets them.

Other data may be present (demo and bench loads, other tests): every assertion is about records
made here, and counts are compared before and after on a township (or month) only these use."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest

from services.datacenter.registry.catalogue import ALL, KINDS
from services.datacenter.ruletables import add_months
from tests.integration.conftest import (KT_USCC, _now_shanghai, assert_problem, bearer, good_body, random_uscc, townships,
                                        zh_token)

pytestmark = pytest.mark.integration

CJK = re.compile(r"[\u4e00-\u9fff]")

# Per kind: an update (field, new value), a bad input (changes, the field it must name).
UPDATE = {
    "law": ("document_number", "平凉市人民政府令第1号"),
    "enterprise": ("sector", "hazardous_chemicals"),
    "hazard": ("measures", "更换并送检压力表"),
    "major_hazard": ("population_500m", 150),
    "monitoring_point": ("interval_s", 30),
    "rescue_team": ("headcount", 45),
    "supply_warehouse": ("keeper", "李保管"),
    "supply_item": ("minimum_stock", 5),
    "supply_movement": None,  # an append-only ledger
    "accident": ("description", "作业人员未佩戴防护用品进入储罐"),
    "expert": ("availability", "busy"),
    "licence": ("public_disclosure", False),
    "officer": ("agency", "平凉市应急管理局"),
    "trainee": ("certificate_number", "T000001"),
}
BAD = {
    "law": ({"level": "constitution"}, "level"),
    "enterprise": ({"sector": "xxx"}, "sector"),
    "hazard": ({"found_at": "昨天下午"}, "found_at"),
    "major_hazard": ({"population_500m": -5}, "population_500m"),
    "monitoring_point": ({"interval_s": 0}, "interval_s"),
    "rescue_team": ({"specialty": "xxx"}, "specialty"),
    "supply_warehouse": ({"level": "national"}, "level"),
    "supply_item": ({"warehouse_id": 999_999_999}, "warehouse_id"),
    "supply_movement": ({"direction": "sideways"}, "direction"),
    "accident": ({"deaths": -1}, "deaths"),
    "expert": ({"id_number": "620802198001011230"}, "id_number"),
    "licence": ({"valid_until": "2020-01-01"}, "valid_until"),
    "officer": ({"phone": "12345abc"}, "phone"),
    "trainee": ({"operation_type": None}, "operation_type"),
}
assert set(UPDATE) == set(BAD) == set(KINDS), "every kind needs an update and a bad input here"


def assert_field_errors(r, field: str) -> list[dict]:
    """422 problem+json whose errors name `field`, each with a Chinese and an English message."""
    body = assert_problem(r, 422, "validation-error")
    errors = body.get("errors") or []
    named = [e for e in errors if e["field"] == field or e["field"].startswith(field + ".") or e["field"].startswith(field + "[")]
    assert named, f"no error names {field}: {errors}"
    for e in named:
        assert CJK.search(e["message"]), e
        assert e["message_en"] and not CJK.search(e["message_en"]), e
        assert e["code"]
    return named


def filter_of(kind_name: str, record: dict) -> dict:
    """An equality filter the kind offers, with the record's own value (besides the region)."""
    candidates = sorted(KINDS[kind_name].fields, key=lambda f: not f.options)  # enumerations first
    for f in candidates:
        if f.filter and f.name != "region_code" and record.get(f.name) not in (None, [], ""):
            v = record[f.name]
            return {f.name: v[0] if isinstance(v, list) else ("true" if v is True else "false" if v is False else v)}
    return {}


def other_option(kind_name: str, filters: dict) -> dict:
    """The same filter with another allowed value (which must not find the record)."""
    (name, value), = filters.items()
    f = KINDS[kind_name].by_name[name]
    others = [c for c, _ in f.options if c != value]
    return {name: others[0]} if others else {}


def ids(items: list[dict]) -> set:
    return {i["id"] for i in items}


class Place:
    """Where a test's records go: a township of 崆峒区 no other test writes to (random among ~290),
    with an enterprise registered there for the kinds that belong to one."""

    def __init__(self, records, datacenter_db):
        self.township = random.choice(townships(datacenter_db, "620802"))
        self._records = records
        self._uscc = None

    @property
    def uscc(self) -> str:
        if self._uscc is None:
            self._uscc = self._records.create("enterprise", region=self.township)["uscc"]
        return self._uscc


@pytest.fixture
def place(records, datacenter_db) -> Place:
    return Place(records, datacenter_db)


def statistics(records, kind_name: str, *, region: str | None = None, month: str | None = None) -> int:
    params = {"by": "region"}
    if region:
        params["region"] = region
    if month:
        params.update(month_from=month, month_to=month)
    r = records.http.get(f"{records.base(kind_name)}/statistics", params=params, headers=records.headers())
    assert r.status_code == 200, r.text
    return r.json()["total"]


def body_for(records, kind_name: str, place: Place, tok: str) -> tuple[dict, dict]:
    """(create body, statistics scope) of a record only this test will count."""
    kind = KINDS[kind_name]
    refs = {}
    if kind_name == "supply_item":
        refs["warehouse_id"] = records.create("supply_warehouse", region=place.township)["id"]
    if kind_name == "supply_movement":
        refs["item_id"] = records.create("supply_item", region=place.township)["id"]
    uscc = place.uscc if kind.owned else KT_USCC
    body = good_body(kind_name, tok=tok, region=place.township, uscc=uscc, refs=refs)
    if kind_name == "law":  # not regional: counted in a month of the last century nobody else uses
        issued = date(random.randint(1950, 1999), random.randint(1, 12), 5)
        body |= {"issued_on": issued.isoformat(), "effective_on": (issued + timedelta(days=20)).isoformat()}
        return body, {"month": issued.strftime("%Y-%m")}
    return body, {"region": place.township}


@pytest.mark.parametrize("kind_name", [k.name for k in ALL])
def test_the_life_of_a_record(kind_name, records, place, enterprise_client, staff_token):
    kind = KINDS[kind_name]
    tok = zh_token()
    if kind_name == "enterprise":
        ent = enterprise_client(region=place.township, uscc=random_uscc("620802"))
        body = good_body("enterprise", tok=tok, region=place.township) | {"uscc": ent.uscc}
        scope = {"region": place.township}
        before = statistics(records, kind_name, **scope)
        # Bad input first: nothing is stored under the credit code.
        r = records.http.post("/api/v1/enterprises", json=body | {"industry_code": "12"}, headers=bearer(ent.token()))
        assert_field_errors(r, "industry_code")
        assert records.get(kind_name, ent.uscc).status_code == 404
        r = records.http.post("/api/v1/enterprises", json=body, headers=bearer(ent.token()))
        assert r.status_code == 201, r.text
        created = records.get(kind_name, ent.uscc).json()
        assert created["version"] == 1 and created["name"] == body["name"] and created["id"] == ent.uscc
    else:
        body, scope = body_for(records, kind_name, place, tok)
        before = statistics(records, kind_name, **scope)
        bad_changes, bad_field = BAD[kind_name]
        bad_tok = zh_token()
        bad_body = good_body(kind_name, tok=bad_tok, region=place.township, uscc=body.get("uscc", KT_USCC),
                             refs={k: body[k] for k in ("warehouse_id", "item_id") if k in body})
        if kind_name == "law":
            bad_body |= {k: body[k] for k in ("issued_on", "effective_on")}
        r = records.post(kind_name, bad_body | bad_changes)
        assert_field_errors(r, bad_field)
        assert records.list(kind_name, q=bad_tok) == []  # nothing written

        r = records.post(kind_name, body)
        assert r.status_code == 201, r.text
        created = r.json()
        assert r.headers["location"] == f"{records.base(kind_name)}/{created['id']}"
        assert created["version"] == 1 and isinstance(created["id"], int)
        for name, value in body.items():
            if name not in ("found_at", "moved_at", "occurred_at", "reports", "id_number", "phone"):
                assert created[name] == value, (name, created[name], value)
    # Computed fields (stored) and the fields computed at each read are all there.
    for f in (*kind.fields, *kind.read_fields):
        assert f.name in created, f"{kind_name}: {f.name} missing from {created}"
    for f in kind.fields:
        if f.computed and kind_name not in ("hazard",):  # a hazard's closed_at stays empty until it is closed
            assert created[f.name] is not None, f"{kind_name}: computed {f.name} is empty"
    key = created["id"]
    assert created["created_at"].endswith("+08:00") and created["created_by"]

    # Read back.
    r = records.get(kind_name, key)
    assert r.status_code == 200, r.text
    assert r.json() == created

    # Found by full-text search (Chinese, 2+ characters), alone and with filters.
    assert key in ids(records.list(kind_name, q=tok))
    assert key in ids(records.list(kind_name, q=tok[1:3]))
    filters = filter_of(kind_name, created)
    if kind.regional:
        filters["region_code"] = created["region_code"]
    assert filters, f"{kind_name} offers no filter"
    assert key in ids(records.list(kind_name, q=tok, **filters))
    single = {k: v for k, v in filters.items() if k != "region_code"}
    if single and KINDS[kind_name].by_name[next(iter(single))].options:
        assert key not in ids(records.list(kind_name, q=tok, **(filters | other_option(kind_name, single))))
    if kind.regional:
        assert key not in ids(records.list(kind_name, q=tok, region_code="620821"))

    # Counted.
    assert statistics(records, kind_name, **scope) == before + 1

    if UPDATE[kind_name] is None:
        # The ledger is append-only: no route changes or removes a movement.
        assert records.patch(kind_name, key, {"version": 1, "reason": "改"}).status_code == 405
        assert records.delete(kind_name, key, 1).status_code == 405
        assert records.get(kind_name, key).json() == created
        history = records.history(kind_name, key)
        assert [h["operation"] for h in history] == ["created"]
        return

    # Update with the current version.
    field, value = UPDATE[kind_name]
    r = records.patch(kind_name, key, {"version": 1, field: value})
    assert r.status_code == 200, r.text
    updated = r.json()
    assert updated["version"] == 2 and updated[field] == value and updated["updated_at"] >= created["updated_at"]
    if kind_name == "major_hazard":  # derived again from the new population: α 2.0, R = 2.0 × 2 × 2
        assert (updated["alpha"], updated["r_value"], updated["grade"]) == (2, 8, "4")

    # A stale version: 409, nothing changed.
    r = records.patch(kind_name, key, {"version": 1, field: created[field]})
    problem = assert_problem(r, 409, "conflict")
    assert "2" in problem["detail"] and "2" in problem["detail_en"]
    assert records.get(kind_name, key).json() == updated

    # Bad input on update: 422 naming the field, nothing changed.
    bad_changes, bad_field = BAD[kind_name]
    r = records.patch(kind_name, key, {"version": 2, **bad_changes})
    assert_field_errors(r, bad_field)
    assert records.get(kind_name, key).json() == updated
    # Without a version at all.
    assert_field_errors(records.patch(kind_name, key, {field: value}), "version")

    # Soft delete: gone from reads, lists and counts; the history keeps it.
    assert_problem(records.delete(kind_name, key, 1), 409, "conflict")
    r = records.delete(kind_name, key, 2, reason="测试删除")
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 3 and r.json()["deleted_at"]
    assert_problem(records.get(kind_name, key), 404, "not-found")
    assert key not in ids(records.list(kind_name, q=tok))
    assert key not in ids(records.list(kind_name, q=tok, **filters))
    assert statistics(records, kind_name, **scope) == before
    assert_problem(records.patch(kind_name, key, {"version": 3, field: value}), 404, "not-found")

    history = records.history(kind_name, key)
    assert [(h["version"], h["operation"]) for h in history] == [(1, "created"), (2, "updated"), (3, "deleted")]
    assert all(h["actor"] and h["at"] for h in history)
    changes = history[1]["changes"]
    assert changes[field]["from"] == created[field] and changes[field]["to"] == value
    assert history[2]["changes"]["deleted_at"]["to"] and history[2]["changes"]["reason"]["to"] == "测试删除"
    # A county inspector of another county cannot read the deleted record's history either.
    if kind.regional:
        r = records.http.get(f"{records.base(kind_name)}/{key}/history", headers=bearer(staff_token("jingchuan-inspector")))
        assert r.status_code == 404


# ---- the kinds' own rules ------------------------------------------------------------------------

def test_accident_grade_deadlines_and_casualty_re_report(records, place):
    tok = zh_token()
    occurred = (_now_shanghai() - timedelta(days=2)).replace(microsecond=0)
    late = occurred + timedelta(hours=3)  # the county had to have it within 1 hour
    body = good_body("accident", tok=tok, uscc=place.uscc) | {
        "occurred_at": occurred.isoformat(), "deaths": 3, "serious_injuries": 0, "direct_loss_cny": 2_000_000,
        "reports": [{"level": "county", "reported_at": late.isoformat(), "reporter": "周报告"}]}
    r = records.post("accident", body)
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["grade"] == "large"  # 较大: 3 deaths
    assert a["investigating_level"] == "city"
    assert [d["level"] for d in a["report_deadlines"]] == ["county", "city", "province"]
    assert a["report_deadlines"][0]["due"] == (occurred + timedelta(hours=1)).isoformat()
    assert a["casualty_updates"] == []
    flags = {f["level"]: f["status"] for f in a["late_reports"]}
    assert flags == {"county": "late", "city": "missing", "province": "missing"}
    assert a["investigation_due"] == (occurred.date() + timedelta(days=60)).isoformat()

    # A grade stated by the caller is computed, never taken.
    r = records.post("accident", body | {"grade": "general"})
    assert_field_errors(r, "grade")

    # A re-report within 30 days: more deaths re-grade the accident and are recorded.
    r = records.patch("accident", a["id"], {"version": 1, "deaths": 10})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["grade"] == "major" and b["investigating_level"] == "province"
    assert [d["level"] for d in b["report_deadlines"]] == ["county", "city", "province", "state_council"]
    assert len(b["casualty_updates"]) == 1
    u = b["casualty_updates"][0]
    assert (u["grade_from"], u["grade_to"]) == ("large", "major")
    assert u["changes"] == {"deaths": {"from": 3, "to": 10}} and u["by"] == "staff:city-admin"
    r = records.patch("accident", a["id"], {"version": 2, "serious_injuries": 12})
    assert r.status_code == 200 and len(r.json()["casualty_updates"]) == 2 and r.json()["grade"] == "major"

    # After the 30-day window a casualty change is refused; other edits still go through.
    old = (_now_shanghai() - timedelta(days=40)).replace(microsecond=0)
    r = records.post("accident", good_body("accident", tok=tok, uscc=place.uscc) | {"occurred_at": old.isoformat(), "reports": []})
    assert r.status_code == 201, r.text
    c = r.json()
    errors = assert_field_errors(records.patch("accident", c["id"], {"version": 1, "deaths": 1}), "deaths")
    assert any("30" in e["message"] for e in errors)
    assert records.get("accident", c["id"]).json()["deaths"] == 0
    assert records.patch("accident", c["id"], {"version": 1, "status": "investigating"}).status_code == 200


def key_in_list(records, kind_name: str, key, **params) -> bool:
    return key in ids(records.list(kind_name, **params))


def test_major_hazard_assessment_from_its_chemicals(records, place):
    tok = zh_token()
    base = good_body("major_hazard", tok=tok, uscc=place.uscc)
    r = records.post("major_hazard", base)  # ammonia (Q = 10 t, β = 2), 20 t, nobody within 500 m (α 0.5)
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["s_value"], m["alpha"], m["r_value"], m["grade"]) == (2, 0.5, 2, "4")
    assert m["filing_due"] == "2025-05-25" and m["reassessment_due"] == "2028-05-10"

    # 600 t of ammonia with 150 people nearby: S = 60, α = 2.0, R = 2.0 × 2 × 60 = 240: grade 1.
    r = records.post("major_hazard", base | {"chemicals": [{"cas": "7664-41-7", "max_quantity_t": 600}], "population_500m": 150})
    assert r.status_code == 201, r.text
    assert (r.json()["s_value"], r.json()["r_value"], r.json()["grade"]) == (60, 240, "1")

    # Two substances add up: 5 t ammonia (0.5) + 3 t chlorine (Q = 5, 0.6): S = 1.1, a major hazard.
    r = records.post("major_hazard", base | {"chemicals": [{"cas": "7664-41-7", "max_quantity_t": 5},
                                                           {"cas": "7782-50-5", "max_quantity_t": 3}]})
    assert r.status_code == 201, r.text
    assert r.json()["s_value"] == 1.1

    # A CAS number and a quantity are enough: hydrogen (Q = 5 t) is a flammable gas, W2, β = 1.5 with
    # no category typed. 100 t, 150 people nearby: S = 20, R = 2.0 × 1.5 × 20 = 60, grade 2 (β = 1 gave R = 40, grade 3).
    r = records.post("major_hazard", base | {"chemicals": [{"cas": "1333-74-0", "max_quantity_t": 100}], "population_500m": 150})
    assert r.status_code == 201, r.text
    assert (r.json()["s_value"], r.json()["r_value"], r.json()["grade"]) == (20, 60, "2")
    # Hydrogen sulfide had no Q: now 5 t (table 1), β 5 (table 3): 10 t, α 0.5 → S = 2, R = 5.
    r = records.post("major_hazard", base | {"chemicals": [{"cas": "7783-06-4", "max_quantity_t": 10}]})
    assert r.status_code == 201, r.text
    assert (r.json()["s_value"], r.json()["r_value"]) == (2, 5)
    # A substance table 1 does not name, by its hazard category: isobutane as W2 (Q = 10 t, β = 1.5).
    r = records.post("major_hazard", base | {"chemicals": [{"cas": "75-28-5", "max_quantity_t": 20, "category": "W2"}]})
    assert r.status_code == 201, r.text
    assert (r.json()["s_value"], r.json()["r_value"]) == (2, 1.5)
    errors = assert_field_errors(records.post("major_hazard", base | {"chemicals": [{"cas": "75-28-5", "max_quantity_t": 20}]}),
                                 "chemicals[0].cas")
    assert errors[0]["code"] == "cas.unknown"

    # S < 1 is not a major hazard source: refused, nothing stored.
    before = {i["id"] for i in records.list("major_hazard", q=tok)}
    errors = assert_field_errors(records.post("major_hazard", base | {"chemicals": [{"cas": "7664-41-7", "max_quantity_t": 5}]}), "chemicals")
    assert any(e["code"] == "chemicals.not_major" for e in errors)
    # A CAS number with a wrong check digit names the entry.
    errors = assert_field_errors(records.post("major_hazard", base | {"chemicals": [{"cas": "7664-41-8", "max_quantity_t": 20}]}),
                                 "chemicals[0].cas")
    assert errors[0]["code"] == "cas.check_digit"
    # Computed values cannot be supplied.
    assert_field_errors(records.post("major_hazard", base | {"grade": "1"}), "grade")
    assert {i["id"] for i in records.list("major_hazard", q=tok)} == before

    # An update that takes S below 1 is refused too.
    assert_field_errors(records.patch("major_hazard", m["id"], {"version": 1, "chemicals": [{"cas": "7664-41-7", "max_quantity_t": 1}]}),
                        "chemicals")
    assert records.get("major_hazard", m["id"]).json()["version"] == 1


def test_hazard_closed_loop(records, place):
    tok = zh_token()
    r = records.post("hazard", good_body("hazard", tok=tok, uscc=place.uscc))
    assert r.status_code == 201, r.text
    h = r.json()
    key = h["id"]

    def patch(version: int, **changes):
        return records.patch("hazard", key, {"version": version, **changes})

    # registered → awaiting verification skips rectification.
    errors = assert_field_errors(patch(1, status="awaiting_verification"), "status")
    assert errors[0]["code"] == "status.illegal_transition"
    # Rectification needs measures, a responsible person and a deadline.
    r = patch(1, status="rectifying")
    assert_field_errors(r, "measures") and assert_field_errors(r, "responsible_person")
    assert records.get("hazard", key).json()["status"] == "registered"
    r = patch(1, status="rectifying", measures="更换压力表并送检", responsible_person="张三")
    assert r.status_code == 200 and r.json()["status"] == "rectifying", r.text
    r = patch(2, status="awaiting_verification")
    assert r.status_code == 200, r.text
    # Closing needs a verification …
    r = patch(3, status="closed")
    assert_field_errors(r, "verification.verified_by")
    # … by someone other than the person responsible for the rectification …
    verification = {"verified_by": "张三", "verified_at": (_now_shanghai() - timedelta(hours=1)).isoformat(timespec="seconds"),
                    "result": "passed", "opinion": "整改到位"}
    errors = assert_field_errors(patch(3, status="closed", verification=verification), "verification.verified_by")
    assert any(e["code"] == "verification.verified_by.same_as_responsible" for e in errors)
    # … that passed.
    errors = assert_field_errors(patch(3, status="closed", verification=verification | {"verified_by": "李四", "result": "failed"}),
                                 "verification.result")
    current = records.get("hazard", key).json()
    assert (current["status"], current["version"], current["closed_at"]) == ("awaiting_verification", 3, None)
    r = patch(3, status="closed", verification=verification | {"verified_by": "李四"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed" and r.json()["closed_at"] and r.json()["overdue"] is False
    # 已销号 is final.
    assert_field_errors(patch(4, status="rectifying"), "status")

    # A major hazard needs its 五落实 plan before rectification.
    r = records.post("hazard", good_body("hazard", tok=tok, uscc=place.uscc) | {"level": "major"})
    assert r.status_code == 201, r.text
    r = records.patch("hazard", r.json()["id"], {"version": 1, "status": "rectifying", "measures": "停产整改", "responsible_person": "王五"})
    assert_field_errors(r, "plan.target")
    # Overdue is computed at read time, and offered as a filter.
    past = (_now_shanghai() - timedelta(days=10)).replace(microsecond=0)
    r = records.post("hazard", good_body("hazard", tok=tok, uscc=place.uscc) | {
        "found_at": past.isoformat(), "deadline": (past.date() + timedelta(days=2)).isoformat()})
    assert r.status_code == 201 and r.json()["overdue"] is True
    assert key_in_list(records, "hazard", r.json()["id"], q=tok, overdue="true")
    assert not key_in_list(records, "hazard", r.json()["id"], q=tok, overdue="false")
    assert not key_in_list(records, "hazard", key, q=tok, overdue="true")


def test_licence_status_is_computed_from_its_dates(records, place):
    tok = zh_token()
    today = _now_shanghai().date()
    base = good_body("licence", tok=tok, uscc=place.uscc)
    cases = {
        "expired": {"issued_on": "2020-01-01", "valid_until": "2022-12-31"},
        "renewal_open": {"issued_on": add_months(today, -35).isoformat(), "valid_until": (add_months(today, 1) - timedelta(days=1)).isoformat()},
        "valid": {"issued_on": add_months(today, -1).isoformat(), "valid_until": (add_months(today, 35) - timedelta(days=1)).isoformat()},
        "suspended": {"issued_on": add_months(today, -1).isoformat(), "valid_until": (add_months(today, 35) - timedelta(days=1)).isoformat(),
                      "suspended": True},
    }
    made = {}
    for status, dates in cases.items():
        r = records.post("licence", base | dates)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == status, (status, r.json())
        made[status] = r.json()["id"]
    assert records.get("licence", made["renewal_open"]).json()["renewal_opens"] <= today.isoformat()
    for status, key in made.items():
        assert key_in_list(records, "licence", key, q=tok, status=status)
        assert not key_in_list(records, "licence", key, q=tok, status="not_yet_valid")
    # Longer than the 3 years a work safety licence lasts: refused.
    assert_field_errors(records.post("licence", base | {"issued_on": "2025-01-10", "valid_until": "2028-06-30"}), "valid_until")


def test_supply_ledger_moves_the_item_quantity(records, place):
    item = records.create("supply_item", region=place.township)
    key = item["id"]
    assert item["quantity"] == 0 and item["below_minimum"] is True

    def move(direction: str, quantity, expect: int = 201):
        r = records.post("supply_movement", good_body("supply_movement", tok=zh_token(), refs={"item_id": key}) | {
            "direction": direction, "quantity": quantity})
        assert r.status_code == expect, r.text
        return r.json() if expect == 201 else r

    assert move("in", 100)["balance_after"] == 100
    assert move("out", 30)["balance_after"] == 70
    errors = assert_field_errors(move("out", 500, expect=422), "quantity")
    assert errors[0]["code"] == "quantity.exceeds_stock"
    assert move("adjust_up", 5.5)["balance_after"] == 75.5
    assert_field_errors(move("in", 0, expect=422), "quantity")

    current = records.get("supply_item", key).json()
    assert_field_errors(records.patch("supply_item", key, {"version": current["version"], "quantity": 1000}), "quantity")  # never typed in
    assert current["quantity"] == 75.5 and current["below_minimum"] is False
    ledger = records.list("supply_movement", item_id=key)
    assert len(ledger) == 3
    signed = {"in": 1, "adjust_up": 1, "out": -1, "adjust_down": -1}
    assert sum(signed[m["direction"]] * m["quantity"] for m in ledger) == current["quantity"]
    history = records.history("supply_item", key)
    assert [h["operation"] for h in history] == ["created", "updated", "updated", "updated"]
    assert [h["changes"]["quantity"]["to"] for h in history[1:]] == [100, 70, 75.5]
    assert [h["changes"]["quantity"]["from"] for h in history[1:]] == [0, 100, 70]


def test_personal_data_is_masked_in_lists_and_full_for_the_editor(records, place, staff_token):
    tok = zh_token()
    r = records.post("expert", good_body("expert", tok=tok, region=place.township))
    assert r.status_code == 201, r.text
    full, phone = r.json()["id_number"], r.json()["phone"]
    assert "*" not in full
    listed = next(i for i in records.list("expert", q=tok) if i["id"] == r.json()["id"])
    assert listed["id_number"] == full[:6] + "*" * 8 + full[-4:]
    assert listed["phone"] == phone[:3] + "****" + phone[-4:]
    assert records.get("expert", r.json()["id"]).json()["id_number"] == full  # city-admin, who may edit it
    viewer = records.get("expert", r.json()["id"], token=staff_token("kongtong-inspector")).json()  # reads, may not edit
    assert viewer["id_number"] == listed["id_number"]
    # A changed ID number shows in the history as changed, not as the numbers.
    r2 = records.patch("expert", r.json()["id"], {"version": 1, "id_number": good_body("expert", tok=tok)["id_number"]})
    assert r2.status_code == 200, r2.text
    assert records.history("expert", r.json()["id"])[-1]["changes"]["id_number"] == {"from": "***", "to": "***"}


def test_unknown_dictionary_codes_are_refused(records, place):
    ent = records.create("enterprise", region=place.township)
    errors = assert_field_errors(records.patch("enterprise", ent["id"], {"version": 1, "sector": "xxx"}), "sector")
    assert errors[0]["code"] == "sector.unknown" and "xxx" in errors[0]["message"]
    assert records.get("enterprise", ent["id"]).json()["sector"] is None
    tok = zh_token()
    assert_field_errors(records.post("expert", good_body("expert", tok=tok) | {"fields": ["hazardous_chemicals", "xxx"]}), "fields")
    assert_field_errors(records.post("rescue_team", good_body("rescue_team", tok=tok) | {"specialty": "xxx"}), "specialty")
    assert_field_errors(records.post("officer", good_body("officer", tok=tok) | {"region_code": "620899"}), "region_code")
    assert records.list("expert", q=tok) == [] and records.list("rescue_team", q=tok) == [] and records.list("officer", q=tok) == []
    # Unknown fields and computed fields are named too.
    assert_field_errors(records.post("officer", good_body("officer", tok=tok) | {"rank": "一级"}), "rank")
    assert_field_errors(records.post("officer", good_body("officer", tok=tok) | {"status": "valid"}), "status")


def test_a_law_is_split_into_articles_and_searchable_by_its_text(records):
    tok = zh_token()
    body = good_body("law", tok=tok) | {"full_text": f"第一条 总则。\n第二条 生产经营单位应当{tok}。\n第三条 本办法自公布之日起施行。"}
    r = records.post("law", body)
    assert r.status_code == 201, r.text
    assert [a["number"] for a in r.json()["articles"]] == ["第一条", "第二条", "第三条"]
    assert r.json()["status"] == "in_force"
    assert key_in_list(records, "law", r.json()["id"], q=f"应当{tok}", status="in_force")
    assert_field_errors(records.post("law", body | {"effective_on": "2019-01-01"}), "effective_on")


def test_computed_fields_declared_as_filters_filter(records, place):
    tok = zh_token()
    accident = records.create("accident", tok=tok, uscc=place.uscc, deaths=3)
    source = records.create("major_hazard", tok=tok, uscc=place.uscc)
    assert key_in_list(records, "accident", accident["id"], q=tok, grade="large")
    assert not key_in_list(records, "accident", accident["id"], q=tok, grade="general")
    assert key_in_list(records, "major_hazard", source["id"], q=tok, grade="4")


def test_the_substance_dictionary_lists_all_of_table_1_as_the_grading_uses_it(http, staff_token):
    r = http.get("/api/v1/dictionaries/substance", headers={"Authorization": f"Bearer {staff_token('city-admin')}"})
    assert r.status_code == 200, r.text
    items = {e["code"]: e for e in r.json()["items"]}
    assert len(items) == 78 and {e["row"] for e in items.values()} <= set(range(1, 86))
    assert (items["1333-74-0"]["name"], items["1333-74-0"]["threshold_t"], items["1333-74-0"]["beta"]) == ("氢", 5, 1.5)
    assert items["630-08-0"]["threshold_t"] == 20 and items["630-08-0"]["beta"] == 2   # CO: had no Q before
