"""REST shapes of 生产经营单位基本信息. The gateway checks shape; the data centre checks meaning
(check digits, known regions, industry codes) and returns field-level errors."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from gateway.timefmt import local
from safety.datacenter.v1 import enterprises_pb2 as pb


class EnterpriseSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "uscc": "91620802MA71KT001D", "name": "平凉市崆峒化工有限公司", "region_code": "620802",
        "address": "甘肃省平凉市崆峒区工业园区纬一路8号", "industry_code": "C2614"}]})

    uscc: str = Field(max_length=64, description="统一社会信用代码（GB 32100-2015，18位）")
    name: str = Field(max_length=400, description="单位名称")
    region_code: str = Field(max_length=32, description="所在行政区划代码（GB/T 2260）")
    address: str = Field(max_length=600, description="地址")
    industry_code: str = Field(max_length=16, description="国民经济行业代码（GB/T 4754），如 C2614")

    def to_proto(self) -> pb.SubmitEnterpriseRequest:
        return pb.SubmitEnterpriseRequest(**self.model_dump())


class Enterprise(BaseModel):
    uscc: str
    name: str
    region_code: str
    address: str
    industry_code: str
    version: int = Field(description="每次变更加一")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_proto(cls, e: pb.Enterprise) -> "Enterprise":
        return cls(uscc=e.uscc, name=e.name, region_code=e.region_code, address=e.address, industry_code=e.industry_code,
                   version=e.version, created_at=local(e.created_at), updated_at=local(e.updated_at))


class SubmissionResult(BaseModel):
    enterprise: Enterprise
    created: bool = Field(description="true：新建；false：已存在")
    changed: bool = Field(description="false：内容与已存信息相同，未产生变更")
