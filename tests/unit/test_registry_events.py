"""The data centre's change events: hand-written proto3 JSON that must parse as the declared messages."""
from datetime import datetime, timezone

from google.protobuf import json_format

from safety.datacenter.events.v1.enterprise_events_pb2 import EnterpriseChanged
from safety.datacenter.events.v1.record_events_pb2 import RecordChanged
from services.datacenter.registry import events
from services.datacenter.registry.catalogue import KINDS

AT = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=timezone.utc)


def test_record_changed_parses_as_the_protobuf_message_with_the_whole_record():
    record = {"id": 42, "version": 3, "region_code": "620802", "uscc": "91620802MA71KT001D", "description": "液氨储罐压力表超期",
              "funds_cny": 1200.5, "evidence": [{"name": "照片.jpg", "url": "https://example.cn/1"}], "closed_at": None}
    ev = events.changed(KINDS["hazard"], record, operation="updated", fields=["funds_cny"], actor="staff:city-admin", changed_at=AT)
    msg = json_format.Parse(ev.data, RecordChanged())
    assert msg.operation == RecordChanged.UPDATED and msg.kind == "hazard" and msg.id == "42" and msg.version == 3
    assert json_format.MessageToDict(msg.record) == {**record, "id": 42.0, "version": 3.0}
    assert list(msg.changed_fields) == ["funds_cny"] and msg.region_code == "620802" and msg.uscc == "91620802MA71KT001D"
    assert msg.changed_at.ToDatetime(tzinfo=timezone.utc) == AT
    headers = dict(ev.headers())
    assert headers["ce_type"] == b"cn.gov.safety.datacenter.hazard.changed.v1"
    assert headers["ce_subject"] == b"42"
    assert headers["ce_dataschema"] == b"proto:safety.datacenter.events.v1.RecordChanged"


def test_deleted_and_created_operations():
    for operation, expected in (("created", RecordChanged.CREATED), ("deleted", RecordChanged.DELETED)):
        ev = events.changed(KINDS["accident"], {"id": 1, "version": 1}, operation=operation, fields=[], actor="a", changed_at=AT)
        assert json_format.Parse(ev.data, RecordChanged()).operation == expected


def test_enterprise_changes_keep_the_established_payload_and_add_the_record():
    record = {"id": "91620802MA71KT001D", "uscc": "91620802MA71KT001D", "name": "平凉市崆峒化工有限公司", "region_code": "620802",
              "address": "工业园区8号", "industry_code": "C2614", "version": 7, "sector": "hazardous_chemicals"}
    ev = events.changed(KINDS["enterprise"], record, operation="deleted", fields=["deleted_at"], actor="staff:x", changed_at=AT)
    msg = json_format.Parse(ev.data, EnterpriseChanged())
    assert msg.kind == EnterpriseChanged.DELETED and msg.uscc == record["uscc"] and msg.version == 7
    assert (msg.name, msg.region_code, msg.address, msg.industry_code) == ("平凉市崆峒化工有限公司", "620802", "工业园区8号", "C2614")
    assert json_format.MessageToDict(msg.record)["sector"] == "hazardous_chemicals"
    assert dict(ev.headers())["ce_type"] == b"cn.gov.safety.datacenter.enterprise.changed.v1"
