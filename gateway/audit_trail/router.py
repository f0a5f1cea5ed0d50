"""/api/v1/audit — administrators search the platform-wide audit trail of their region."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from google.protobuf.json_format import MessageToDict
from pydantic import BaseModel, Field

from gateway.auth import staff
from gateway.clients import call
from gateway.openapi import PROBLEMS
from gateway.timefmt import local
from safety.datacenter.v1 import audit_pb2 as pb
from services.kit import roles
from services.kit.errors import FieldViolation, invalid

router = APIRouter(prefix="/api/v1/audit", tags=["审计日志 audit"])
SEARCH = staff("platform and data-centre administrators, entries within their region", *roles.AUDIT_READERS)


class Actor(BaseModel):
    label: str
    kind: str
    name: str
    roles: list[str]
    region: str


class AuditEntry(BaseModel):
    id: str
    at: datetime
    actor: Actor
    service: str
    action: str
    target_type: str
    target_id: str
    target_region: str
    uscc: str
    summary: dict
    outcome: str = Field(description="success 成功 | refused 被拒绝 | failed 失败")
    reason: str
    request_id: str
    source_ip: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_page_token: str = ""


def _entry(e) -> AuditEntry:
    return AuditEntry(id=e.id, at=local(e.at), actor=Actor(label=e.actor.label, kind=e.actor.kind, name=e.actor.name,
                                                           roles=list(e.actor.roles), region=e.actor.region),
                      service=e.service, action=e.action, target_type=e.target_type, target_id=e.target_id,
                      target_region=e.target_region, uscc=e.uscc, summary=MessageToDict(e.summary), outcome=e.outcome,
                      reason=e.reason, request_id=e.request_id, source_ip=e.source_ip)


@router.get("", response_model=AuditPage, responses=PROBLEMS, summary="检索审计日志 / Search the audit trail")
async def search(request: Request, principal=SEARCH.dependency(),
                 actor: str = Query("", max_length=200, description="人员：用户名或客户端（部分匹配）"),
                 uscc: str = Query("", max_length=18, description="涉及的企业统一社会信用代码"),
                 target: str = Query("", max_length=200, description="对象编号或对象类型"),
                 action: str = Query("", max_length=100, description="操作，如 onboarding.approve；以“.”结尾按前缀匹配"),
                 outcome: str = Query("", pattern="^(|success|refused|failed)$"),
                 since: datetime | None = Query(None, description="开始时间（ISO 8601，含时区）"),
                 until: datetime | None = Query(None, description="结束时间（ISO 8601，含时区）"),
                 page_size: int = Query(50, ge=1, le=200), page_token: str = Query("", max_length=200)):
    req = pb.SearchAuditRequest(actor=actor, uscc=uscc, target=target, action=action, outcome=outcome,
                                page_size=page_size, page_token=page_token)
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            if value.tzinfo is None:
                raise invalid(FieldViolation(name, "time.timezone", "时间须带时区（如 +08:00）", "The time must carry a UTC offset (e.g. +08:00)"))
            try:
                getattr(req, name).FromDatetime(value)
            except (ValueError, OverflowError):  # before 0001-01-01 UTC once the offset is applied
                raise invalid(FieldViolation(name, "time.range", "时间超出可表示的范围", "The time is out of range")) from None
    result, _ = await call(request.app.state.clients.audit.Search, req, request)
    return AuditPage(items=[_entry(e) for e in result.items], next_page_token=result.next_page_token)
