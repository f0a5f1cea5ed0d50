"""A platform service's calls to the data centre, the system of record for enterprises, hazards,
accidents, licences, officers, teams and supplies (ARCHITECTURE.md: no service reads another's tables). Every call is made on
the caller's behalf (services/kit/peers.py), so the data centre checks the same person's region and
role and its audit trail names them. Records come back as the REST API's JSON."""
from __future__ import annotations

from typing import Iterator

import orjson
from google.protobuf import json_format, struct_pb2

from safety.datacenter.v1 import records_pb2 as rpb
from safety.datacenter.v1 import records_pb2_grpc
from services.kit import peers

PAGE = 1000


def _stub() -> records_pb2_grpc.RecordServiceStub:
    return records_pb2_grpc.RecordServiceStub(peers.channel("datacenter"))


def records(kind: str, filters: dict[str, str]) -> Iterator[dict]:
    """Every record of `kind` matching `filters` (region_code covers sub-regions), all pages."""
    token = ""
    while True:
        page = peers.call(_stub().ListRecords, rpb.ListRecordsRequest(kind=kind, filters=filters, page_size=PAGE,
                                                                     page_token=token, as_json=True), timeout=30)
        for raw in page.records_json:
            yield orjson.loads(raw)
        token = page.next_page_token
        if not token:
            return


def get(kind: str, record_id: str) -> dict:
    answer = peers.call(_stub().GetRecord, rpb.GetRecordRequest(kind=kind, id=record_id, as_json=True))
    return orjson.loads(answer.record_json)


def unit(uscc: str) -> dict:
    """The enterprise as enforcement documents print it (address, principal, phone), from its record now."""
    e = get("enterprise", uscc)
    return {"address": e.get("address") or "", "principal": e.get("legal_representative") or e.get("safety_manager") or "",
            "phone": e.get("contact_phone") or ""}


def create(kind: str, record: dict, *, idempotency_key: str) -> dict:
    """Create a record; a retry with the same key gets the first answer (the data centre keeps keys)."""
    s = struct_pb2.Struct()
    s.update(record)
    answer = peers.call(_stub().CreateRecord, rpb.CreateRecordRequest(kind=kind, record=s), idempotency_key=idempotency_key)
    return _whole_numbers(json_format.MessageToDict(answer.record))


def update(kind: str, record_id: str, *, version: int, changes: dict, idempotency_key: str) -> dict:
    s = struct_pb2.Struct()
    s.update(changes)
    answer = peers.call(_stub().UpdateRecord, rpb.UpdateRecordRequest(kind=kind, id=record_id, version=version, changes=s),
                        idempotency_key=idempotency_key)
    return _whole_numbers(json_format.MessageToDict(answer.record))


def _whole_numbers(record: dict) -> dict:
    """A Struct carries every number as a double: the ids and versions read back as 1, not 1.0."""
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in record.items()}
