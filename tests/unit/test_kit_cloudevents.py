"""services.kit.cloudevents: CloudEvents 1.0 Kafka binary mode, produce and read back."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from safety.datacenter.events.v1.enterprise_events_pb2 import EnterpriseChanged
from services.kit.cloudevents import CloudEvent, MalformedEvent, from_record, new_event

SOURCE = "/safety/datacenter"
TYPE = "safety.datacenter.enterprise.changed.v1"
USCC = "91350100M000100Y43"


def message() -> EnterpriseChanged:
    return EnterpriseChanged(kind=EnterpriseChanged.CREATED, uscc=USCC, name="甘肃某化工有限公司", region_code="620802",
                             address="平凉市崆峒区某路1号", industry_code="C2614", version=3)


def event(**extensions) -> CloudEvent:
    return new_event(source=SOURCE, type=TYPE, subject=USCC, message=message(), extensions=extensions or None)


def required_headers(**overrides) -> list[tuple[str, bytes]]:
    h = {"ce_id": b"e-1", "ce_source": b"/s", "ce_type": b"t", "ce_specversion": b"1.0"}
    h.update(overrides)
    return [(k, v) for k, v in h.items() if v is not None]


def test_headers_carry_all_attributes():
    ev = event()
    h = dict(ev.headers())
    assert all(isinstance(v, bytes) for v in h.values())
    assert h["ce_id"].decode() == ev.id
    assert h["ce_source"] == SOURCE.encode()
    assert h["ce_type"] == TYPE.encode()
    assert h["ce_specversion"] == b"1.0"
    assert h["ce_subject"] == USCC.encode()
    assert h["content-type"] == b"application/json"
    assert h["ce_dataschema"] == b"proto:safety.datacenter.events.v1.EnterpriseChanged"


def test_ce_time_is_rfc3339_utc_with_z():
    ev = event()
    ce_time = dict(ev.headers())["ce_time"].decode()
    assert ce_time.endswith("Z")
    assert "+00:00" not in ce_time
    assert datetime.fromisoformat(ce_time.replace("Z", "+00:00")) == ev.time


def test_ce_time_of_a_non_utc_time_is_converted_to_utc():
    ev = CloudEvent(id="1", source="/s", type="t", subject="", data=b"{}",
                    time=datetime(2024, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))))
    assert dict(ev.headers())["ce_time"] == b"2024-05-01T00:00:00Z"


def test_new_event_ids_are_unique():
    assert event().id != event().id


def test_data_is_proto3_json_with_proto_field_names():
    data = json.loads(event().data)
    assert data["region_code"] == "620802"
    assert data["industry_code"] == "C2614"
    assert data["kind"] == "CREATED"
    assert "regionCode" not in data


def test_round_trip_through_a_record_gives_the_same_event():
    ev = event(traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    back = from_record(ev.headers(), ev.data)
    assert back == ev
    assert back.extensions == {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    assert back.decode(EnterpriseChanged) == message()


def test_header_without_extensions_round_trips_to_empty_extensions():
    ev = event()
    assert from_record(ev.headers(), ev.data).extensions == {}


def test_non_ce_headers_are_not_extensions():
    back = from_record(required_headers() + [("x-retry", b"2"), ("content-type", b"application/json")], b"{}")
    assert back.extensions == {}


def test_optional_attributes_default_when_absent():
    back = from_record(required_headers(), None)
    assert back.subject == ""
    assert back.data == b""
    assert back.content_type == "application/json"
    assert back.dataschema is None
    assert back.time.tzinfo is not None


@pytest.mark.parametrize("missing", ["ce_id", "ce_source", "ce_type", "ce_specversion"])
def test_missing_required_header_is_malformed(missing):
    with pytest.raises(MalformedEvent, match=missing):
        from_record(required_headers(**{missing: None}), b"{}")


@pytest.mark.parametrize("missing", ["ce_id", "ce_source", "ce_type", "ce_specversion"])
def test_empty_required_header_is_malformed(missing):
    with pytest.raises(MalformedEvent, match=missing):
        from_record(required_headers(**{missing: b""}), b"{}")


def test_no_headers_at_all_is_malformed():
    with pytest.raises(MalformedEvent):
        from_record(None, b"{}")


def test_required_header_with_null_value_is_malformed():
    # Kafka headers may carry a null value; it must not be read as the string "None".
    headers = [(k, None) if k == "ce_id" else (k, v) for k, v in required_headers()]
    with pytest.raises(MalformedEvent, match="ce_id"):
        from_record(headers, b"{}")


@pytest.mark.parametrize("version", [b"0.3", b"1", b"2.0", b"1.0 "])
def test_wrong_specversion_is_malformed(version):
    with pytest.raises(MalformedEvent, match="specversion"):
        from_record(required_headers(ce_specversion=version), b"{}")


def test_bad_ce_time_is_malformed():
    with pytest.raises(MalformedEvent, match="ce_time"):
        from_record(required_headers(ce_time=b"yesterday"), b"{}")


def test_non_utf8_header_is_malformed():
    with pytest.raises(MalformedEvent, match="ce_source"):
        from_record(required_headers(ce_source=b"\xff\xfe"), b"{}")


@pytest.mark.parametrize("data", [b"not json", b"{", b"", b"null", b"3", b'{"version": "many"}', b'{"uscc": 7}'])
def test_decode_of_bad_data_is_malformed(data):
    ev = from_record(required_headers(), data)
    with pytest.raises(MalformedEvent, match="EnterpriseChanged"):
        ev.decode(EnterpriseChanged)


def test_decode_ignores_unknown_fields_from_a_newer_producer():
    ev = from_record(required_headers(), b'{"uscc": "X", "added_later": 1}')
    assert ev.decode(EnterpriseChanged).uscc == "X"


def test_decode_ignores_unknown_enum_values_from_a_newer_producer():
    ev = from_record(required_headers(), b'{"uscc": "X", "kind": "MERGED"}')
    assert ev.decode(EnterpriseChanged).kind == EnterpriseChanged.CHANGE_KIND_UNSPECIFIED


def test_malformed_event_is_a_value_error():
    assert issubclass(MalformedEvent, ValueError)
