"""gRPC RecordService: the ten databases' create, read, update, delete, list, search, statistics,
history and import. Parse, authorise, run the kind's rules, store, publish and audit, each write
in one transaction."""
from __future__ import annotations

from datetime import date, datetime, timezone

import orjson
import psycopg
from google.protobuf import struct_pb2
from google.protobuf.json_format import MessageToDict
from psycopg_pool import ConnectionPool

from safety.datacenter.v1 import records_pb2 as pb
from safety.datacenter.v1 import records_pb2_grpc
from services.datacenter.registry import access, catalogue, events, importing, references, search, store, values as typed
from services.datacenter.registry.spec import Field, Kind, RuleContext, unique_violation
from services.datacenter.registry.values import SHANGHAI, comparable, filter_value, parse, record_json, to_json
from services.datacenter.ruletables import load_defaults
from services.kit import audit, idempotency, paging, regions
from services.kit.auth import Principal, current_principal
from services.kit.errors import Conflict, FieldViolation, InvalidArgument, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite

_METHOD = "/safety.datacenter.v1.RecordService/"
MAX_PAGE = 1000


def _struct(d: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(d)
    return s


def _plain(s: struct_pb2.Struct) -> dict:
    return MessageToDict(s)


def _key(kind: Kind, raw: str):
    """Record ids are what the caller typed: digits for generated ids, a credit code for enterprises."""
    raw = raw.strip()
    if kind.key == "id":
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            return None
        return int(raw)
    return raw.upper()


class RecordServicer(records_pb2_grpc.RecordServiceServicer):
    WRITES = {
        "CreateRecord": AuditedWrite("record.create", "record", "kind"),
        "UpdateRecord": AuditedWrite("record.update", "record", "id"),
        "DeleteRecord": AuditedWrite("record.delete", "record", "id"),
        "ImportRecords": AuditedWrite("record.import", "record", "kind"),
    }

    def __init__(self, pool: ConnectionPool, *, jurisdiction: str, clock=lambda: datetime.now(timezone.utc)):
        self.pool = pool
        self.jurisdiction = jurisdiction
        self.tables = load_defaults()
        self.clock = clock
        self._catalogue = _struct(catalogue.describe())

    # ---- reading -------------------------------------------------------------------------------

    def Describe(self, request, context):
        current_principal()  # any authenticated caller; the interceptor has checked the token
        return pb.DescribeResponse(catalogue=self._catalogue)

    def _present(self, p: Principal, kind: Kind, row: dict, *, single: bool) -> dict:
        out = dict(row)
        if kind.at_read:
            out.update(kind.at_read(row, RuleContext(now=self.clock().astimezone(SHANGHAI), tables=self.tables)))
        return record_json(kind, out, masked=not (single and access.sees_personal_data(p, kind, row)))

    def GetRecord(self, request, context):
        p, kind = current_principal(), catalogue.kind(request.kind)
        key = _key(kind, request.id)
        with self.pool.connection() as conn:
            row = store.get(conn, kind, key) if key is not None else None
        access.require_visible(p, kind, row)
        record = self._present(p, kind, row, single=True)
        if request.as_json:
            return pb.RecordResponse(record_json=orjson.dumps(record))
        return pb.RecordResponse(record=_struct(record))

    def ListRecords(self, request, context):
        p, kind = current_principal(), catalogue.kind(request.kind)
        scope = access.read_scope(p, kind)
        filters, extra = self._filters(kind, dict(request.filters))
        size = request.page_size or 20
        if not 1 <= size <= MAX_PAGE:
            raise invalid(FieldViolation("page_size", "page_size.range", f"每页条数应为1至{MAX_PAGE}", f"page_size must be 1 to {MAX_PAGE}"))
        after = self._after(kind, request.page_token)
        q = search.query(request.query) if request.query.strip() else None
        if request.query.strip() and q is None:
            raise invalid(FieldViolation("q", "q.no_terms", "搜索词中没有可检索的文字", "The search text has no searchable words"))
        with self.pool.connection() as conn:
            rows = store.list_rows(conn, kind, scope=scope, filters=filters, extra=extra, query=q, size=size, after=after)
        token = paging.next_token(rows, size, key=kind.key)
        rows = rows[:size]
        records = [self._present(p, kind, r, single=False) for r in rows]
        if request.as_json:
            return pb.ListRecordsResponse(records_json=[orjson.dumps(r) for r in records], next_page_token=token)
        return pb.ListRecordsResponse(records=[_struct(r) for r in records], next_page_token=token)

    def _after(self, kind: Kind, token: str):
        if not token:
            return None
        try:
            raw = paging.decode(token)
        except InvalidArgument:
            raw = None
        key = _key(kind, raw) if raw else None
        if key is None:
            raise invalid(FieldViolation("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token"))
        return key

    def _filters(self, kind: Kind, given: dict) -> tuple[dict, list]:
        fields, extra_filters = kind.by_name, {lf.name: lf for lf in kind.list_filters}
        out, extra, bad = {}, [], []
        for name, value in given.items():
            value = value.strip()
            if not value:
                continue
            if name in extra_filters:
                lf = extra_filters[name]
                if value not in dict(lf.options):
                    bad.append(FieldViolation(name, f"{name}.option", f"{lf.label}的取值不在可选范围内", f"Unknown value for {name}"))
                else:
                    extra.append(lf.sql(value))
                continue
            f = fields.get(name) or (Field("region_code", "所在行政区划", "region") if name == "region_code" and kind.regional else None)
            if f is not None and (f.filter or name == "region_code"):
                v, problem = filter_value(f, value)
                if problem:
                    bad.append(problem)
                else:
                    out[name] = v[0] if isinstance(v, list) else v
            else:
                bad.append(FieldViolation(name, f"{name}.not_filterable", f"不能按“{name}”筛选", f"Cannot filter by {name}"))
        if bad:
            raise invalid(*bad)
        return out, extra

    def RecordStatistics(self, request, context):
        p, kind = current_principal(), catalogue.kind(request.kind)
        if p.kind == "enterprise":
            raise PermissionDenied("生产经营单位不能查看统计", "An enterprise cannot read statistics")
        scope = access.read_scope(p, kind)
        by = request.by or "region"
        bad = []
        if by not in ("region", "category", "month"):
            bad.append(FieldViolation("by", "by.option", "统计维度应为 region、category 或 month", "by must be region, category or month"))
        if by == "category" and not kind.category_field:
            bad.append(FieldViolation("by", "by.no_category", f"{kind.label}没有分类统计", f"{kind.name} has no category"))
        region = request.region_code.strip() or scope.region
        if region and scope.region and not regions.covers(scope.region, region):
            bad.append(FieldViolation("region_code", "region_code.outside_your_region", "统计范围超出您的管辖区域", "Outside your region"))
        months = []
        for name, value in (("month_from", request.month_from), ("month_to", request.month_to)):
            try:
                months.append(date.fromisoformat(value + "-01") if value else None)
            except ValueError:
                bad.append(FieldViolation(name, f"{name}.format", "月份格式应为 YYYY-MM", "A month is YYYY-MM"))
                months.append(None)
        if bad:
            raise invalid(*bad)
        with self.pool.connection() as conn:
            rows = store.statistics(conn, kind, by=by, region=region, month_from=months[0], month_to=months[1])
            labels = references.labels(conn, kind, by, [k for k, _ in rows])
        buckets = [pb.RecordStatisticsResponse.Bucket(key=k or "", label=labels.get(k, k or "未填写"), count=n) for k, n in rows]
        return pb.RecordStatisticsResponse(buckets=buckets, total=sum(n for _, n in rows))

    def RecordHistory(self, request, context):
        p, kind = current_principal(), catalogue.kind(request.kind)
        key = _key(kind, request.id)
        with self.pool.connection() as conn:
            row = store.get(conn, kind, key, include_deleted=True) if key is not None else None
            if row is not None and row.get("deleted_at") is None:
                access.require_visible(p, kind, row)
            else:
                access.require_visible(p, kind, row if row is not None and p.kind == "staff" else None)
            changes = store.history(conn, kind, key)
        return pb.RecordHistoryResponse(changes=[pb.RecordHistoryResponse.Change(
            version=c["version"], operation=c["operation"], actor=c["actor"], at=to_json(c["at"]),
            changes=_struct(_masked_changes(kind, c["changes"]))) for c in changes])

    # ---- writing -------------------------------------------------------------------------------

    def _context(self, p: Principal, *, enterprise: dict | None = None, current: dict | None = None) -> RuleContext:
        return RuleContext(now=self.clock().astimezone(SHANGHAI), tables=self.tables, enterprise=enterprise, current=current,
                           actor=p.label, actor_kind=p.kind)

    def CreateRecord(self, request, context):
        p, kind = current_principal(), catalogue.kind(request.kind)
        access.authorize_write(p, kind, operation="create")
        raw = _plain(request.record)
        if p.kind == "enterprise" and (kind.owned or kind.name == "enterprise"):
            raw.setdefault("uscc", p.uscc)
        values, problems = parse(kind, raw)
        problems += access.field_rights(p, kind, values)
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method=_METHOD + "CreateRecord", request=request, response_type=pb.RecordResponse,
                                                 work=lambda: self._create(conn, p, kind, values, problems))
        idempotency.mark_replay(context, replayed)
        return response

    def _create(self, conn: psycopg.Connection, p: Principal, kind: Kind, values: dict, problems: list) -> pb.RecordResponse:
        record, enterprise, found = references.Resolver(conn, kind, p).resolve(dict(values))
        problems = problems + found + access.record_violations(p, kind, record, jurisdiction=self.jurisdiction)
        if problems:
            raise invalid(*problems)
        ctx = self._context(p, enterprise=enterprise)
        row = self._insert(conn, p, kind, record, ctx)
        return pb.RecordResponse(record=_struct(self._present(p, kind, row, single=True)), created=True)

    def _insert(self, conn, p: Principal, kind: Kind, record: dict, ctx: RuleContext) -> dict:
        if kind.check and (problems := kind.check(record, ctx)):
            raise invalid(*problems)
        if kind.derive:
            record.update(kind.derive(record, ctx))
        touched = {}
        if kind.on_insert:
            extra, problems, touched = kind.on_insert(conn, record)
            if problems:
                raise invalid(*problems)
            record.update(extra)
        if kind.key != "id" and store.get(conn, kind, record[kind.key], include_deleted=True) is not None:
            raise Conflict(f"该{kind.label}已存在", f"This {kind.name} already exists", violations=(
                FieldViolation(kind.key, f"{kind.key}.exists", f"{kind.label}已存在", "Already exists"),))
        _require_unique(conn, kind, record)
        row = store.insert(conn, kind, record, actor=p.label)
        self._recorded(conn, p, kind, row, operation="created", fields=[f.name for f in kind.fields if row.get(f.name) is not None],
                       diff={})
        for name, (key, changes) in touched.items():
            self.system_update(conn, p, catalogue.kind(name), key, changes)
        return row

    def _recorded(self, conn, p: Principal, kind: Kind, row: dict, *, operation: str, fields: list[str], diff: dict) -> None:
        """History, event and audit of one change, in the writing transaction."""
        key = row[kind.key]
        store.append_history(conn, kind, key, version=row["version"], operation=operation, actor=p.label, changes=diff)
        events.publish(conn, kind, record_json(kind, row, masked=False), operation=operation, fields=fields, actor=p.label,
                       changed_at=row["updated_at"])
        audit.record(conn, action=f"{kind.name}.{_ACTION[operation]}",
                     target_type=kind.name, target_id=str(key), target_region=row.get("region_code") or "",
                     uscc=row.get("uscc") or "", summary={"version": row["version"], "fields": fields})

    def system_update(self, conn, p: Principal, kind: Kind, key, changes: dict) -> None:
        """A change the rules make, not a caller: to another record (an item's balance after a movement),
        or to derived values after a rule-table change (registry/rederive.py)."""
        current = store.get(conn, kind, key, for_update=True)
        merged = current | changes
        row = store.update(conn, kind, key, changes, full=merged, actor=p.label)
        diff = {f: {"from": current.get(f), "to": v} for f, v in changes.items()}
        self._recorded(conn, p, kind, row, operation="updated", fields=list(changes), diff=diff)

    def UpdateRecord(self, request, context):
        p, kind = current_principal(), catalogue.kind(request.kind)
        access.authorize_write(p, kind, operation="update")
        values, problems = parse(kind, _plain(request.changes), partial=True)
        problems += access.field_rights(p, kind, values)
        key = _key(kind, request.id)
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method=_METHOD + "UpdateRecord", request=request, response_type=pb.RecordResponse,
                                                 work=lambda: self._update(conn, p, kind, key, request.version, values, problems))
        idempotency.mark_replay(context, replayed)
        return response

    def _update(self, conn, p: Principal, kind: Kind, key, version: int, values: dict, problems: list) -> pb.RecordResponse:
        current = access.require_visible(p, kind, store.get(conn, kind, key, for_update=True) if key is not None else None)
        if version != current["version"]:
            raise Conflict(f"记录已被修改（当前版本 {current['version']}），请刷新后重试",
                           f"The record has changed (now version {current['version']}); reload and retry")
        for immutable in (kind.key, "uscc"):
            if immutable in values and values[immutable] != current.get(immutable):
                problems.append(FieldViolation(immutable, f"{immutable}.immutable", "该字段创建后不能修改", "This field cannot change"))
        changes = {k: v for k, v in values.items() if comparable(v) != comparable(current.get(k))}
        if not changes and not problems:
            return pb.RecordResponse(record=_struct(self._present(p, kind, current, single=True)))
        merged, enterprise, found = references.Resolver(conn, kind, p).resolve(_typed_json(kind, current) | changes, only=set(changes))
        problems = problems + found + access.record_violations(p, kind, merged, jurisdiction=self.jurisdiction)
        if problems:
            raise invalid(*problems)
        ctx = self._context(p, enterprise=enterprise, current=current)
        if kind.check and (problems := kind.check(merged, ctx)):
            raise invalid(*problems)
        if kind.derive:
            merged.update(kind.derive(merged, ctx))
        _require_unique(conn, kind, merged, exclude=key, changed=set(changes))
        columns = set(store.columns(kind))
        changes = {k: v for k, v in merged.items() if k in columns and comparable(v) != comparable(current.get(k))}
        row = store.update(conn, kind, key, changes, full=merged, actor=p.label)
        diff = {f: {"from": current.get(f), "to": v} for f, v in changes.items()}
        self._recorded(conn, p, kind, row, operation="updated", fields=sorted(changes), diff=_masked_changes(kind, diff))
        return pb.RecordResponse(record=_struct(self._present(p, kind, row, single=True)))

    def DeleteRecord(self, request, context):
        p, kind = current_principal(), catalogue.kind(request.kind)
        access.authorize_write(p, kind, operation="delete")
        key = _key(kind, request.id)
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method=_METHOD + "DeleteRecord", request=request, response_type=pb.RecordResponse,
                                                 work=lambda: self._delete(conn, p, kind, key, request.version, request.reason))
        idempotency.mark_replay(context, replayed)
        return response

    def _delete(self, conn, p: Principal, kind: Kind, key, version: int, reason: str) -> pb.RecordResponse:
        current = access.require_visible(p, kind, store.get(conn, kind, key, for_update=True) if key is not None else None)
        if version != current["version"]:
            raise Conflict(f"记录已被修改（当前版本 {current['version']}），请刷新后重试",
                           f"The record has changed (now version {current['version']}); reload and retry")
        if problems := access.record_violations(p, kind, current, jurisdiction=self.jurisdiction):
            raise invalid(*problems)
        row = store.soft_delete(conn, kind, key, actor=p.label)
        self._recorded(conn, p, kind, row, operation="deleted", fields=["deleted_at"],
                       diff={"deleted_at": {"from": None, "to": row["deleted_at"]}, "reason": {"from": None, "to": reason[:500]}})
        return pb.RecordResponse(record=_struct(record_json(kind, row, masked=True)))

    def ImportRecords(self, request, context):
        p, kind = current_principal(), catalogue.kind(request.kind)
        access.authorize_write(p, kind, operation="create")
        if p.kind != "staff":
            raise PermissionDenied("批量导入仅限监管部门工作人员", "Bulk import is for agency staff only")
        rows = importing.read(kind, request.content, request.format)
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(
                conn, method=_METHOD + "ImportRecords", request=request, response_type=pb.ImportRecordsResponse,
                work=lambda: importing.run(conn, self, p, kind, rows, dry_run=request.dry_run, all_or_nothing=request.all_or_nothing))
        idempotency.mark_replay(context, replayed)
        return response


_ACTION = {"created": "create", "updated": "update", "deleted": "delete"}


def _masked_changes(kind: Kind, diff: dict) -> dict:
    """History shows that an ID number or phone changed, not what it was or became."""
    masked = {f.name for f in kind.fields if f.mask}
    return {k: ({"from": "***" if v.get("from") else None, "to": "***" if v.get("to") else None} if k in masked and isinstance(v, dict) else v)
            for k, v in diff.items()}



def _require_unique(conn, kind: Kind, record: dict, *, exclude=None, changed: set[str] | None = None) -> None:
    for fields in kind.unique:
        if changed is not None and not changed.intersection(fields):
            continue
        value = tuple(record.get(f) for f in fields)
        if None not in value and store.taken(conn, kind, fields, [value], exclude=exclude):
            raise Conflict(f"已有相同编号的{kind.label}", f"Another {kind.name} has the same {', '.join(fields)}",
                           violations=(unique_violation(kind, fields),))


def _typed_json(kind: Kind, row: dict) -> dict:
    """The stored row with its structured json fields typed as a fresh input would be (their dates are
    text in jsonb), so a change to another field is checked against the same values the rules expect."""
    out = dict(row)
    for f in kind.fields:
        if f.type == "json" and f.item_fields and row.get(f.name) is not None:
            out[f.name] = typed.coerce(f, row[f.name])
    return out
