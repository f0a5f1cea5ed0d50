"""Reads and lists of records travel from the data centre as JSON text (`as_json`), which the gateway
passes on untouched. For every record kind the JSON is the same record as the Struct the data centre
gives other gRPC callers, masked the same way (lists mask personal data, a single read shows it to
those who may see it), and the gateway's answer is that JSON."""
from __future__ import annotations

import json

import grpc
import pytest

from gateway.structs import plain
from safety.datacenter.v1 import records_pb2 as pb, records_pb2_grpc
from services.datacenter.registry.catalogue import ALL
from services.kit import config

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("kind_name", [k.name for k in ALL])
def test_json_records_are_the_struct_records(kind_name, records, staff_token):
    made = records.create(kind_name)
    metadata = (("authorization", f"Bearer {staff_token('city-admin')}"),)
    with grpc.insecure_channel(config.grpc_target("datacenter")) as channel:
        stub = records_pb2_grpc.RecordServiceStub(channel)
        one = pb.GetRecordRequest(kind=kind_name, id=str(made["id"]))
        as_struct = plain(stub.GetRecord(one, metadata=metadata, timeout=10).record)
        one.as_json = True
        as_json = stub.GetRecord(one, metadata=metadata, timeout=10)
        assert not as_json.HasField("record")
        assert json.loads(as_json.record_json) == as_struct

        page = pb.ListRecordsRequest(kind=kind_name, page_size=5)
        listed = stub.ListRecords(page, metadata=metadata, timeout=10)
        page.as_json = True
        listed_json = stub.ListRecords(page, metadata=metadata, timeout=10)
        assert not listed_json.records and listed_json.next_page_token == listed.next_page_token
        assert [json.loads(r) for r in listed_json.records_json] == [plain(r) for r in listed.records]

    r = records.get(kind_name, made["id"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == as_struct
