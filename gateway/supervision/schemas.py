from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from gateway.timefmt import local
from safety.supervision.v1 import registrations_pb2 as pb


class Registration(BaseModel):
    uscc: str
    name: str
    region_code: str
    county_code: str | None = Field(description="所属县级行政区划")
    grid_code: str = Field(description="监管网格编码")
    grid_name: str = Field(description="监管网格名称")
    source_version: int = Field(description="对应数据中心的单位信息版本")
    registered_at: datetime
    updated_at: datetime

    @classmethod
    def from_proto(cls, r: pb.Registration) -> "Registration":
        return cls(uscc=r.uscc, name=r.name, region_code=r.region_code, county_code=r.county_code or None,
                   grid_code=r.grid_code, grid_name=r.grid_name, source_version=r.source_version,
                   registered_at=local(r.registered_at), updated_at=local(r.updated_at))


class RegistrationPage(BaseModel):
    items: list[Registration]
    next_page_token: str | None
    total: int
