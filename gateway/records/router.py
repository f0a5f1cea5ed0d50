"""/api/v1/<database path> — the ten databases of the data centre, one set of routes per record kind,
built from the kinds' declarations (services/datacenter/registry): list with filters, search and
cursor paging; statistics; export to CSV/Excel; bulk import; create; read; update with a
version; soft delete; history. Each route declares its Permission from the kind's roles."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
import orjson
from google.protobuf import struct_pb2

from gateway.auth import ANY_CALLER, Permission
from gateway.clients import call
from gateway.idempotency import IdempotencyKey, mark_replay
from gateway.openapi import PROBLEMS
from gateway.records import exporting
from gateway.structs import plain
from safety.datacenter.v1 import dictionaries_pb2
from safety.datacenter.v1 import records_pb2 as pb
from services.datacenter.registry.catalogue import ALL
from services.datacenter.registry.spec import Kind
from services.kit.errors import FieldViolation, invalid

router = APIRouter()
READ_SCOPE = frozenset({"datacenter.read"})
MAX_VERSION = 2**63 - 1  # int64 in the RPC
_RESERVED = {"q", "page_size", "page_token", "format", "by", "region", "month_from", "month_to"}


def _struct(d: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(d)
    return s


def _json(body: bytes) -> Response:
    """A body the data centre wrote as JSON already (reads and lists ask it `as_json`): passed on as it
    is, with no conversion per field here."""
    return Response(content=body, media_type="application/json")


def read_permission(kind: Kind) -> Permission:
    kinds = {"staff", "integrator"} | ({"enterprise"} if kind.owned or kind.name == "enterprise" or not kind.regional else set())
    return Permission(f"readers of {kind.label}", kinds=frozenset(kinds), roles=frozenset(kind.reader_roles), scopes=READ_SCOPE,
                      record="owner-or-region" if kind.regional else "")


def list_permission(kind: Kind) -> Permission:
    p = read_permission(kind)
    return Permission(p.name, kinds=p.kinds, roles=p.roles, scopes=p.scopes)


def statistics_permission(kind: Kind) -> Permission:
    return Permission(f"staff and integrators reading {kind.label}", kinds=frozenset({"staff", "integrator"}),
                      roles=frozenset(kind.reader_roles), scopes=READ_SCOPE)


def write_permission(kind: Kind, *, enterprise: bool, record: str) -> Permission:
    kinds = {"staff"} | ({"enterprise"} if enterprise and kind.enterprise_writes else set())
    return Permission(f"writers of {kind.label}" + ("; the owning enterprise" if "enterprise" in kinds else ""),
                      kinds=frozenset(kinds), roles=frozenset(kind.writer_roles), record=record if kind.regional else "")


def _filters(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in _RESERVED}


def add_kind(kind: Kind) -> None:
    """The routes of one record kind, on a router of their own: gateway/routing.py then skips the
    other kinds' routes without trying them one by one."""
    kind_router = APIRouter()
    _add_routes(kind_router, kind)
    router.include_router(kind_router)


def _add_routes(router: APIRouter, kind: Kind) -> None:
    base = f"/api/v1/{kind.path}"
    tag = f"{kind.label} {kind.path}"
    noun = kind.label
    reader, lister, counter = read_permission(kind), list_permission(kind), statistics_permission(kind)
    writer = write_permission(kind, enterprise=True, record="own")
    editor = write_permission(kind, enterprise=True, record="owner-or-region")
    deleter = write_permission(kind, enterprise=False, record="region")
    importer = write_permission(kind, enterprise=False, record="")

    async def list_records(request: Request, principal=lister.dependency(),
                           q: str = Query("", max_length=200, description="全文检索（中文按字检索）"),
                           page_size: int = Query(20, ge=1, le=200), page_token: str = Query("", max_length=400)):
        result, _ = await call(request.app.state.clients.records.ListRecords,
                               pb.ListRecordsRequest(kind=kind.name, filters=_filters(request), query=q, page_size=page_size,
                                                     page_token=page_token, as_json=True), request)
        return _json(b'{"items":[' + b",".join(result.records_json) + b'],"next_page_token":' +
                     orjson.dumps(result.next_page_token) + b"}")

    async def statistics(request: Request, principal=counter.dependency(),
                         by: str = Query("region", pattern="^(region|category|month)$", description="region | category | month"),
                         region: str = Query("", max_length=12), month_from: str = Query("", max_length=7),
                         month_to: str = Query("", max_length=7)):
        result, _ = await call(request.app.state.clients.records.RecordStatistics,
                               pb.RecordStatisticsRequest(kind=kind.name, by=by, region_code=region, month_from=month_from,
                                                          month_to=month_to), request)
        return {"by": by, "total": result.total,
                "buckets": [{"key": b.key, "label": b.label, "count": b.count} for b in result.buckets]}

    async def export(request: Request, principal=lister.dependency(), q: str = Query("", max_length=200),
                     format: str = Query("csv", pattern="^(csv|xlsx)$")):
        stub, filters = request.app.state.clients.records, _filters(request)

        async def page(token: str):
            result, _ = await call(stub.ListRecords, pb.ListRecordsRequest(kind=kind.name, filters=filters, query=q,
                                                                            page_size=1000, page_token=token, as_json=True), request)
            return [orjson.loads(r) for r in result.records_json], result.next_page_token

        # The first page is fetched before the response starts, so a bad filter is a clean 422.
        first, token = await page("")

        async def pages():
            nonlocal token
            yield first
            while token:
                records, token = await page(token)
                yield records
        return await exporting.response(kind, pages(), fmt=format)

    async def import_records(request: Request, response: Response, idempotency_key: IdempotencyKey, principal=importer.dependency(),
                             file: UploadFile = File(..., description="CSV（UTF-8或GBK）或 Excel .xlsx，首行为列名"),
                             dry_run: bool = Form(False, description="只校验，不写入"),
                             all_or_nothing: bool = Form(True, description="有任何一行错误则全部不导入")):
        name = (file.filename or "").lower()
        fmt = "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith(".csv") else ""
        if not fmt:
            raise invalid(FieldViolation("file", "file.type", "请上传 .csv 或 .xlsx 文件", "Upload a .csv or .xlsx file"))
        content = await file.read()
        result, trailers = await call(request.app.state.clients.records.ImportRecords,
                                      pb.ImportRecordsRequest(kind=kind.name, content=content, format=fmt, dry_run=dry_run,
                                                              all_or_nothing=all_or_nothing), request,
                                      idempotency_key=idempotency_key, timeout=300)
        mark_replay(response, trailers)
        return {"rows": result.rows, "valid": result.valid, "created": result.created, "updated": result.updated,
                "committed": result.committed, "dry_run": dry_run,
                "errors": [{"row": e.row, "column": e.column, "field": e.field, "code": e.code, "message": e.message_zh,
                            "message_en": e.message_en} for e in result.errors]}

    async def create(request: Request, response: Response, idempotency_key: IdempotencyKey, principal=writer.dependency(),
                     body: dict[str, Any] = Body(..., description=f"{noun}记录（字段见 GET /api/v1/datacenter/catalogue）")):
        result, trailers = await call(request.app.state.clients.records.CreateRecord,
                                      pb.CreateRecordRequest(kind=kind.name, record=_struct(body)), request, idempotency_key=idempotency_key)
        record = plain(result.record)
        response.headers["Location"] = f"{base}/{record['id']}"
        mark_replay(response, trailers)
        return record

    async def get(record_id: str, request: Request, principal=reader.dependency()):
        result, _ = await call(request.app.state.clients.records.GetRecord,
                               pb.GetRecordRequest(kind=kind.name, id=record_id, as_json=True), request)
        return _json(result.record_json)

    async def update(record_id: str, request: Request, principal=editor.dependency(),
                     body: dict[str, Any] = Body(..., description="{\"version\": 当前版本, 要修改的字段…}")):
        version = body.pop("version", None)
        if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
            raise invalid(FieldViolation("version", "version.required", "须提供记录当前版本号（version）",
                                         "The record's current version is required"))
        result, _ = await call(request.app.state.clients.records.UpdateRecord,
                               pb.UpdateRecordRequest(kind=kind.name, id=record_id, version=version, changes=_struct(body)), request)
        return plain(result.record)

    async def delete(record_id: str, request: Request, principal=deleter.dependency(), version: int = Query(..., ge=1, le=MAX_VERSION),
                     reason: str = Query("", max_length=500)):
        result, _ = await call(request.app.state.clients.records.DeleteRecord,
                               pb.DeleteRecordRequest(kind=kind.name, id=record_id, version=version, reason=reason), request)
        return plain(result.record)

    async def history(record_id: str, request: Request, principal=reader.dependency()):
        result, _ = await call(request.app.state.clients.records.RecordHistory,
                               pb.RecordHistoryRequest(kind=kind.name, id=record_id), request)
        return {"items": [{"version": c.version, "operation": c.operation, "actor": c.actor, "at": c.at,
                           "changes": plain(c.changes)} for c in result.changes]}

    r = dict(tags=[tag], responses=PROBLEMS)
    router.add_api_route(base, list_records, methods=["GET"], summary=f"{noun}列表（筛选、检索、分页） / List", **r)
    router.add_api_route(f"{base}/statistics", statistics, methods=["GET"], summary=f"{noun}统计 / Statistics", **r)
    router.add_api_route(f"{base}/export", export, methods=["GET"], summary=f"导出{noun}（CSV/Excel） / Export",
                         response_class=StreamingResponse, **r)
    router.add_api_route(f"{base}/import", import_records, methods=["POST"], summary=f"批量导入{noun} / Bulk import", **r)
    if kind.name != "enterprise":  # enterprises are created by POST /api/v1/enterprises (their own submission) or by import
        router.add_api_route(base, create, methods=["POST"], status_code=201, summary=f"新增{noun} / Create", **r)
    router.add_api_route(f"{base}/{{record_id}}", get, methods=["GET"], summary=f"查看{noun} / Read", **r)
    if kind.updatable:
        router.add_api_route(f"{base}/{{record_id}}", update, methods=["PATCH"], summary=f"修改{noun}（须带 version） / Update", **r)
    if kind.deletable:
        router.add_api_route(f"{base}/{{record_id}}", delete, methods=["DELETE"], summary=f"删除{noun}（逻辑删除） / Soft delete", **r)
    router.add_api_route(f"{base}/{{record_id}}/history", history, methods=["GET"], summary=f"{noun}变更历史 / History", **r)


for _kind in ALL:
    add_kind(_kind)


@router.get("/api/v1/datacenter/catalogue", tags=["数据中心 datacenter"], responses=PROBLEMS,
            summary="十大数据库的字段目录 / The ten databases' field catalogue")
async def catalogue(request: Request, principal=ANY_CALLER.dependency()):
    result, _ = await call(request.app.state.clients.records.Describe, pb.DescribeRequest(), request)
    return plain(result.catalogue)


@router.get("/api/v1/dictionaries/{name}", tags=["数据中心 datacenter"], responses=PROBLEMS,
            summary="共享字典：行政区划、行业、监管行业、事故类型、危险化学品等 / Shared dictionaries")
async def dictionary(name: str, request: Request, principal=ANY_CALLER.dependency(),
                     parent: str = Query("", max_length=12), level: str = Query("", max_length=12)):
    result, _ = await call(request.app.state.clients.dictionaries.ListEntries,
                           dictionaries_pb2.ListEntriesRequest(name=name, parent=parent, level=level), request)
    return {"name": name, "items": [plain(e) for e in result.entries]}
