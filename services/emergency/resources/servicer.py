"""gRPC ResourceService (ADR 0010 (d), docs/emergency.md "Resources"): nearest rescue teams,
warehouses (with their items in stock), experts and major hazard sources from the copies in
`resources.*`, and a plain list of the copies. Read only: the copies are written by the consumers
alone. Emergency staff only (roles.EMERGENCY_STAFF), within the scope of rules.scope."""
from __future__ import annotations

from psycopg_pool import ConnectionPool

from safety.common.v1 import json_pb2 as cpb
from safety.emergency.v1 import resources_pb2_grpc
from services.emergency.resources import rules, store
from services.kit import jsonio, jsonrpc, regions, roles
from services.kit.auth import Principal, current_principal
from services.kit.codes import mask_phone
from services.kit.errors import FieldViolation, NotFound, invalid

_PHONES = {"expert": ("phone",), "warehouse": ("keeper_phone",)}


_answer = jsonrpc.answer


def _present(p: Principal, kind: str, row: dict) -> dict:
    out = rules.describe(kind, row)
    if not p.has_any_role(*roles.EMERGENCY_COMMANDERS):  # personal phones whole for commanders, masked for the rest
        for name in _PHONES.get(kind, ()):
            if out.get(name):
                out[name] = mask_phone(out[name])
    return out


class ResourceServicer(resources_pb2_grpc.ResourceServiceServicer):
    WRITES: dict = {}

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    def Nearest(self, request, context) -> cpb.JsonResponse:
        p = current_principal()
        rules.require_staff(p)
        today = jsonio.today()
        tbl = rules.table(today)
        q = rules.nearest_query(request.query, tbl=tbl)
        prefix, extra = rules.scope(p.region or "")
        with self.pool.connection() as conn:
            lon, lat = q["lon"], q["lat"]
            if q["incident_id"] is not None:
                row = conn.execute("SELECT region_code, ST_X(location::geometry), ST_Y(location::geometry) "
                                   "FROM incidents.incident WHERE id = %s", (q["incident_id"],)).fetchone()
                if row is None or not regions.covers(p.region or "", row[0]):
                    raise NotFound("未找到该事件", "No such incident")
                if row[1] is None:
                    raise invalid(FieldViolation("incident_id", "incident_id.no_location", "该事件未登记经纬度，请直接给出 lon、lat",
                                                 "The incident has no coordinates; give lon and lat"))
                if lon is None or lat is None:
                    lon, lat = row[1], row[2]
            rows = store.nearest(conn, q, lon=lon, lat=lat, prefix=prefix, extra=extra, today=today)
        return _answer({"kind": q["kind"], "kind_name": rules.KIND_NAMES[q["kind"]], "origin": {"lon": lon, "lat": lat},
                        "radius_km": q["radius_km"], "limit": q["limit"],
                        "filters": {k: q[k] for k in ("capability", "category", "field") if q[k]},
                        "items": [_present(p, q["kind"], r) for r in rows]})

    def ListResources(self, request, context) -> cpb.JsonResponse:
        p = current_principal()
        rules.require_staff(p)
        today = jsonio.today()
        q = rules.list_query(request.query, tbl=rules.table(today))
        prefix, extra = rules.scope(p.region or "")
        if q["region_code"] and not rules.visible(p.region or "", q["region_code"]):
            raise NotFound("不在您的管辖区域内", "Outside your region")
        with self.pool.connection() as conn:
            rows = store.listing(conn, q, prefix=prefix, extra=extra, today=today)
        return _answer({"kind": q["kind"], "kind_name": rules.KIND_NAMES[q["kind"]], "items": [_present(p, q["kind"], r) for r in rows]})
