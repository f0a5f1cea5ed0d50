"""Who may read and write the ten databases — role × region × ownership — asked of the running
gateway and data centre with real Keycloak tokens: county officers see their county, the city sees
all, an enterprise sees and writes only its own records of the kinds it may, integrators read,
viewers read, and personal data is masked in every list whoever asks."""
from __future__ import annotations

import pytest

from infra.keycloak import realm
from services.kit import roles
from tests.integration.conftest import (JC_USCC, KT_USCC, assert_problem, bearer, good_body, random_uscc, zh_token)

pytestmark = pytest.mark.integration

KT_CLIENT, JC_CLIENT = (e.client_id for e in realm.DEMO_ENTERPRISES)


@pytest.fixture(scope="module")
def tokens(staff_token, staff_user, demo_tokens):
    viewer = staff_user("test-records-viewer", "620800", roles.DATACENTER_VIEWER)
    return {
        "city": lambda: staff_token("city-admin"),
        "kongtong": lambda: staff_token("kongtong-inspector"),
        "jingchuan": lambda: staff_token("jingchuan-inspector"),
        "viewer": lambda: staff_token(viewer),
        "kt": lambda: demo_tokens(KT_CLIENT),
        "jc": lambda: demo_tokens(JC_CLIENT),
        "integrator": lambda: demo_tokens(realm.DEMO_INTEGRATOR.client_id),
    }


def ids(items) -> set:
    return {i["id"] for i in items}


def test_a_hazard_is_seen_by_its_county_and_the_city_only(records, tokens):
    tok = zh_token()
    hazard = records.create("hazard", tok=tok, source="agency_inspection")
    key = hazard["id"]
    assert hazard["region_code"] == "620802"
    for who in ("city", "kongtong", "integrator", "kt"):
        r = records.get("hazard", key, token=tokens[who]())
        assert r.status_code == 200, (who, r.text)
        assert key in ids(records.list("hazard", q=tok, token=tokens[who]())), who
        assert records.http.get(f"/api/v1/hazards/{key}/history", headers=bearer(tokens[who]())).status_code == 200
    # Another county's inspector and another enterprise: as if it did not exist.
    for who in ("jingchuan", "jc"):
        assert_problem(records.get("hazard", key, token=tokens[who]()), 404, "not-found")
        assert key not in ids(records.list("hazard", q=tok, token=tokens[who]()))
        assert records.list("hazard", token=tokens[who](), region_code="620802") == []
        assert records.http.get(f"/api/v1/hazards/{key}/history", headers=bearer(tokens[who]())).status_code == 404
        r = records.patch("hazard", key, {"version": 1, "measures": "越权修改"}, token=tokens[who]())
        assert_problem(r, 404, "not-found")
    # An enterprise's list holds only its own records; a county's only its county's.
    assert {i["uscc"] for i in records.list("hazard", token=tokens["kt"]())} <= {KT_USCC}
    assert all(i["region_code"].startswith("620821") for i in records.list("hazard", token=tokens["jingchuan"]()))
    # A county inspector writes hazards of its own county, not of another.
    r = records.post("hazard", good_body("hazard", tok=tok, uscc=JC_USCC) | {"source": "agency_inspection"}, token=tokens["kongtong"]())
    assert_problem(r, 403, "forbidden")
    r = records.post("hazard", good_body("hazard", tok=tok) | {"source": "agency_inspection"}, token=tokens["kongtong"]())
    assert r.status_code == 201, r.text
    assert records.get("hazard", key).json()["version"] == 1


def test_an_enterprise_registers_its_own_self_inspection_hazards(records, tokens):
    tok = zh_token()
    mine = good_body("hazard", tok=tok)  # source self_inspection, uscc KT
    r = records.post("hazard", mine, token=tokens["kt"]())
    assert r.status_code == 201, r.text
    key = r.json()["id"]
    assert r.json()["created_by"].startswith("enterprise:") and r.json()["uscc"] == KT_USCC
    # The credit code defaults to the enterprise's own.
    r = records.post("hazard", {k: v for k, v in mine.items() if k != "uscc"}, token=tokens["kt"]())
    assert r.status_code == 201 and r.json()["uscc"] == KT_USCC, r.text
    # Only self-inspection findings; the rest are the agencies' to register.
    r = records.post("hazard", mine | {"source": "agency_inspection", "description": f"企业代登{tok}"}, token=tokens["kt"]())
    errors = assert_problem(r, 422, "validation-error")["errors"]
    assert [e["field"] for e in errors] == ["source"] and errors[0]["code"] == "source.enterprise"
    # Not for another enterprise, whether or not it is registered.
    for uscc in (JC_USCC, random_uscc("620802")):
        assert_problem(records.post("hazard", mine | {"uscc": uscc}, token=tokens["kt"]()), 403, "forbidden")
    assert {i["uscc"] for i in records.list("hazard", q=tok)} == {KT_USCC}
    assert len(records.list("hazard", q=tok)) == 2
    # It updates its own record, but does not delete it or read the statistics.
    r = records.patch("hazard", key, {"version": 1, "measures": "已更换压力表"}, token=tokens["kt"]())
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    assert_problem(records.delete("hazard", key, 2, token=tokens["kt"]()), 403, "forbidden")
    assert_problem(records.http.get("/api/v1/hazards/statistics", headers=bearer(tokens["kt"]())), 403, "forbidden")
    # Another enterprise can neither read nor change it.
    assert_problem(records.patch("hazard", key, {"version": 2, "measures": "x" * 5}, token=tokens["jc"]()), 404, "not-found")


def test_an_enterprise_reads_laws_and_its_own_records_but_not_the_agencies(records, tokens):
    tok = zh_token()
    law = records.create("law", tok=tok)
    licence = records.create("licence", tok=tok)
    team = records.create("rescue_team", tok=tok)
    kt = tokens["kt"]()
    assert records.get("law", law["id"], token=kt).status_code == 200
    assert law["id"] in ids(records.list("law", q=tok, token=kt))
    assert law["id"] in ids(records.list("law", q=tok, token=tokens["jc"]()))  # laws are everyone's business
    assert records.get("licence", licence["id"], token=kt).status_code == 200
    assert_problem(records.get("licence", licence["id"], token=tokens["jc"]()), 404, "not-found")
    for path in ("/api/v1/rescue-teams", f"/api/v1/rescue-teams/{team['id']}", "/api/v1/experts", "/api/v1/supply-items",
                 "/api/v1/officers", "/api/v1/rescue-teams/export"):
        assert_problem(records.http.get(path, headers=bearer(kt)), 403, "forbidden")
    # Kinds it may not write at all.
    assert_problem(records.post("licence", good_body("licence", tok=tok), token=kt), 403, "forbidden")
    assert_problem(records.post("law", good_body("law", tok=tok), token=kt), 403, "forbidden")
    assert_problem(records.patch("law", law["id"], {"version": 1, "title": "企业修改的法规"}, token=kt), 403, "forbidden")
    assert records.get("law", law["id"]).json()["version"] == 1


def test_an_integrator_reads_within_its_region_and_never_writes(records, tokens):
    tok = zh_token()
    expert = records.create("expert", tok=tok)
    integ = tokens["integrator"]()
    assert expert["id"] in ids(records.list("expert", q=tok, token=integ))
    assert records.get("expert", expert["id"], token=integ).status_code == 200
    r = records.http.get("/api/v1/experts/statistics", headers=bearer(integ))
    assert r.status_code == 200 and r.json()["total"] >= 1
    assert_problem(records.post("expert", good_body("expert", tok=tok), token=integ), 403, "forbidden")
    assert_problem(records.patch("expert", expert["id"], {"version": 1, "availability": "busy"}, token=integ), 403, "forbidden")
    assert_problem(records.delete("expert", expert["id"], 1, token=integ), 403, "forbidden")
    r = records.http.post("/api/v1/experts/import", headers=bearer(integ), files={"file": ("x.csv", b"name\n", "text/csv")},
                          data={"dry_run": "true"})
    assert_problem(r, 403, "forbidden")
    assert ids(records.list("expert", q=tok)) == {expert["id"]}
    assert records.get("expert", expert["id"]).json()["version"] == 1


def test_a_datacenter_viewer_reads_but_cannot_write(records, tokens):
    tok = zh_token()
    team = records.create("rescue_team", tok=tok)
    viewer = tokens["viewer"]()
    assert records.get("rescue_team", team["id"], token=viewer).status_code == 200
    assert team["id"] in ids(records.list("rescue_team", q=tok, token=viewer))
    for kind_name in ("rescue_team", "expert", "hazard", "law"):
        assert_problem(records.post(kind_name, good_body(kind_name, tok=tok), token=viewer), 403, "forbidden")
    assert_problem(records.patch("rescue_team", team["id"], {"version": 1, "headcount": 99}, token=viewer), 403, "forbidden")
    assert_problem(records.delete("rescue_team", team["id"], 1, token=viewer), 403, "forbidden")
    assert records.get("rescue_team", team["id"]).json()["version"] == 1
    assert ids(records.list("rescue_team", q=tok)) == {team["id"]}
    assert records.list("expert", q=tok) == [] and records.list("hazard", q=tok) == [] and records.list("law", q=tok) == []


def test_an_enterprise_cannot_set_its_own_risk_colour(records, enterprise_client, tokens):
    ent = enterprise_client(region="620802")
    r = records.http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(ent.token()))
    assert r.status_code == 201, r.text
    token = ent.token()
    r = records.patch("enterprise", ent.uscc, {"version": 1, "risk_colour": "blue"}, token=token)
    errors = assert_problem(r, 422, "validation-error")["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("risk_colour", "risk_colour.staff_only")]
    assert "监管部门" in errors[0]["message"]
    r = records.patch("enterprise", ent.uscc, {"version": 1, "standardization_grade": "1", "employees": 20}, token=token)
    assert_problem(r, 422, "validation-error")
    current = records.get("enterprise", ent.uscc, token=token).json()
    assert (current["version"], current["risk_colour"], current["employees"]) == (1, None, None)
    # Its own basic information it maintains; the regulator sets the colour.
    r = records.patch("enterprise", ent.uscc, {"version": 1, "employees": 20, "contact_phone": "0933-8219999"}, token=token)
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    r = records.patch("enterprise", ent.uscc, {"version": 2, "risk_colour": "orange"})
    assert r.status_code == 200 and r.json()["risk_colour"] == "orange", r.text
    # Neither another enterprise's record nor a deletion.
    assert_problem(records.patch("enterprise", KT_USCC, {"version": 1, "employees": 1}, token=token), 404, "not-found")
    assert_problem(records.delete("enterprise", ent.uscc, 3, token=token), 403, "forbidden")
    assert_problem(records.get("enterprise", ent.uscc, token=tokens["jc"]()), 404, "not-found")


def test_personal_data_is_masked_in_every_list(records, tokens, enterprise_client):
    tok = zh_token()
    made = {k: records.create(k, tok=tok) for k in ("expert", "officer", "trainee", "rescue_team", "supply_warehouse", "major_hazard")}
    masked_fields = {"expert": ("id_number", "phone"), "officer": ("id_number", "phone"), "trainee": ("id_number", "phone"),
                     "rescue_team": ("leader_phone", "duty_phone"), "supply_warehouse": ("keeper_phone",),
                     "major_hazard": ("principal_phone",)}
    for who in ("city", "kongtong", "viewer", "integrator"):
        for kind_name, fields in masked_fields.items():
            listed = {i["id"]: i for i in records.list(kind_name, q=tok, token=tokens[who]())}
            row = listed[made[kind_name]["id"]]
            for f in fields:
                full = made[kind_name][f]
                assert "*" not in full
                assert row[f] != full and "*" in row[f] and row[f][-2:] == full[-2:], (who, kind_name, f, row[f])
    # The enterprise's own phones, in its own list.
    ent = enterprise_client(region="620802")
    assert records.http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(ent.token())).status_code == 201
    assert records.patch("enterprise", ent.uscc, {"version": 1, "contact_phone": "13800001234"}).status_code == 200
    own = records.list("enterprise", token=ent.token())
    assert [(i["uscc"], i["contact_phone"]) for i in own] == [(ent.uscc, "138****1234")]
    # Full numbers only on a single record, and only for staff who may edit the kind: not for the owner.
    mh = made["major_hazard"]
    assert records.get("major_hazard", mh["id"], token=tokens["kt"]()).json()["principal_phone"] != mh["principal_phone"]
    assert records.get("major_hazard", mh["id"]).json()["principal_phone"] == mh["principal_phone"]
    # Exports mask as lists do.
    r = records.http.get("/api/v1/experts/export", params={"q": tok, "format": "csv"}, headers=bearer(tokens["city"]()))
    assert r.status_code == 200
    assert made["expert"]["id_number"] not in r.text and made["expert"]["id_number"][-4:] in r.text
