"""A replica from events alone: what an integrator builds by reading the data centre's compacted
per-kind topics from the beginning, applying each RecordChanged (EnterpriseChanged for
enterprises) by version and dropping DELETED records, must equal what the API lists — every live
record field by field, deleted ones absent. Real gateway, outbox relay and Kafka."""
from __future__ import annotations

import random

import pytest

from services.datacenter.registry.catalogue import KINDS
from services.datacenter.registry.values import record_json
from tests.integration.conftest import good_body, replica, townships, wait_published, zh_token

pytestmark = pytest.mark.integration

KINDS_REPLICATED = ("enterprise", "hazard", "accident", "supply_item")


def as_listed(kind_name: str, record: dict) -> dict:
    """The replica's record as a list shows it: personal data masked."""
    return record_json(KINDS[kind_name], record, masked=True)


def assert_same(kind_name: str, api: dict, event_record: dict) -> None:
    """Field by field: every field the event carries equals the API's; the API adds only the
    fields computed at read time (overdue, late reports, …), which no event can carry."""
    kind = KINDS[kind_name]
    different = {k: (api.get(k, "<absent>"), v) for k, v in event_record.items() if api.get(k, "<absent>") != v}
    assert not different, f"{kind_name} {api.get('id')}: API vs replica {different}"
    extra = set(api) - set(event_record)
    assert extra <= {f.name for f in kind.read_fields}, f"{kind_name} {api.get('id')}: only in the API {extra}"


@pytest.fixture(scope="module")
def burst(records, datacenter_db):
    """Creates, updates and deletes through the API, in a township nobody else writes to."""
    township = random.choice(townships(datacenter_db, "620802"))
    tok = zh_token()
    made: dict[str, list] = {k: [] for k in KINDS_REPLICATED}
    deleted: dict[str, list] = {k: [] for k in KINDS_REPLICATED}

    def update(kind_name: str, key, **changes):
        current = records.get(kind_name, key).json()
        r = records.patch(kind_name, key, {"version": current["version"], **changes})
        assert r.status_code == 200, r.text
        return r.json()

    def delete(kind_name: str, key):
        r = records.delete(kind_name, key, records.get(kind_name, key).json()["version"], reason="回放测试")
        assert r.status_code == 200, r.text
        deleted[kind_name].append(key)

    # Enterprises: created by import, edited by staff, one removed.
    for i in range(4):
        made["enterprise"].append(records.create("enterprise", tok=tok, region=township)["id"])
    owner = made["enterprise"][0]
    update("enterprise", made["enterprise"][1], sector="hazardous_chemicals", employees=120, contact_phone="13800001111")
    update("enterprise", made["enterprise"][1], scale="medium")
    update("enterprise", made["enterprise"][2], risk_colour="yellow")
    delete("enterprise", made["enterprise"][3])

    # Hazards through their loop, some removed.
    for i in range(6):
        made["hazard"].append(records.create("hazard", tok=tok, uscc=owner)["id"])
    for key in made["hazard"][:3]:
        update("hazard", key, status="rectifying", measures="更换压力表", responsible_person="张三")
    update("hazard", made["hazard"][0], status="awaiting_verification")
    update("hazard", made["hazard"][1], place=f"装卸区{tok}", funds_cny=1234.5)
    delete("hazard", made["hazard"][4])
    delete("hazard", made["hazard"][2])

    # Accidents with reports and investigation.
    for i in range(4):
        made["accident"].append(records.create("accident", tok=tok, uscc=owner)["id"])
    update("accident", made["accident"][0], status="investigating",
           investigation={"team_leader": "调查组长", "extension_days": 10, "findings": "违章作业"})
    update("accident", made["accident"][1], description=f"事故经过{tok}")
    delete("accident", made["accident"][3])

    # Items whose quantity the ledger moves (each movement also updates the item).
    warehouse = records.create("supply_warehouse", tok=tok, region=township)["id"]
    for i in range(4):
        made["supply_item"].append(records.create("supply_item", tok=tok, warehouse_id=warehouse)["id"])
    for key, moves in zip(made["supply_item"], ([("in", 100), ("out", 40)], [("in", 7.5)], [("in", 3), ("adjust_down", 1)], [])):
        for direction, qty in moves:
            r = records.post("supply_movement", good_body("supply_movement", tok=tok, refs={"item_id": key}) | {
                "direction": direction, "quantity": qty})
            assert r.status_code == 201, r.text
    update("supply_item", made["supply_item"][1], minimum_stock=50, expiry_date="2030-12-31")
    delete("supply_item", made["supply_item"][3])

    for kind_name in KINDS_REPLICATED:
        wait_published(datacenter_db, kind_name, made[kind_name])
    return township, made, deleted


@pytest.mark.parametrize("kind_name", KINDS_REPLICATED)
def test_a_replica_from_the_topic_equals_the_api(kind_name, burst, records):
    township, made, deleted = burst
    live, removed = replica(kind_name)
    mine = {str(k) for k in made[kind_name]}
    gone = {str(k) for k in deleted[kind_name]}
    assert gone and mine - gone

    # Our records: the live ones equal their single read (in full, as city-admin may see them), the deleted absent.
    for key in mine - gone:
        assert key in live, f"{kind_name} {key} missing from the replica"
        api = records.get(kind_name, key).json()
        assert_same(kind_name, api, live[key])
    for key in gone:
        assert key not in live and key in removed
        assert records.get(kind_name, key).status_code == 404

    # Everything the API lists in the township equals the replica's records there, and nothing else is there.
    listed = {str(r["id"]): r for r in records.list_all(kind_name, region_code=township)}
    in_township = {k: v for k, v in live.items() if v.get("region_code") == township}
    assert set(listed) == set(in_township)
    assert mine - gone <= set(listed)
    for key, api in listed.items():
        assert_same(kind_name, api, as_listed(kind_name, in_township[key]))

    # Across the whole kind (other tests and data loads write meanwhile): every record the API lists at
    # the version the replica holds is equal; none the replica dropped is listed.
    everything = records.list_all(kind_name, limit=3000)
    compared = 0
    for api in everything:
        key = str(api["id"])
        assert key not in removed or removed[key] < api["version"], f"{kind_name} {key} listed but deleted in the replica"
        if key in live and live[key]["version"] == api["version"]:
            assert_same(kind_name, api, as_listed(kind_name, live[key]))
            compared += 1
    assert compared >= len(mine - gone)
