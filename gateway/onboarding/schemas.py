"""REST shapes of enterprise onboarding and enterprise-client administration."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from gateway.timefmt import local
from safety.datacenter.v1 import onboarding_pb2 as pb


class Region(BaseModel):
    code: str
    name: str


class RegionList(BaseModel):
    items: list[Region]


class ApplicationForm(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "uscc": "91620802MA71KT001D", "name": "平凉市崆峒化工有限公司", "region_code": "620802",
        "contact_name": "张安全", "contact_phone": "13800000000", "email": "safety@example.cn", "note": ""}]})

    uscc: str = Field(max_length=64, description="统一社会信用代码（18位）")
    name: str = Field(max_length=400, description="单位名称")
    region_code: str = Field(max_length=32, description="所属区县行政区划代码")
    contact_name: str = Field(max_length=100, description="联系人")
    contact_phone: str = Field(max_length=32, description="联系电话")
    email: str = Field("", max_length=200, description="电子邮箱（可选）")
    note: str = Field("", max_length=1000, description="备注（可选）")

    def to_proto(self) -> pb.ApplyRequest:
        return pb.ApplyRequest(**self.model_dump())


class Application(BaseModel):
    id: str
    uscc: str
    name: str
    region_code: str
    region_name: str
    contact_name: str
    contact_phone: str = Field(description="已脱敏")
    email: str
    note: str
    status: str = Field(description="pending 待审核 | approved 已批准 | rejected 已驳回")
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by: str = ""
    reject_reason: str = ""
    client_id: str = ""

    @classmethod
    def from_proto(cls, a: pb.Application) -> "Application":
        return cls(id=a.id, uscc=a.uscc, name=a.name, region_code=a.region_code, region_name=a.region_name,
                   contact_name=a.contact_name, contact_phone=a.contact_phone, email=a.email, note=a.note, status=a.status,
                   submitted_at=local(a.submitted_at), decided_at=local(a.decided_at) if a.HasField("decided_at") else None,
                   decided_by=a.decided_by, reject_reason=a.reject_reason, client_id=a.client_id)


class ApplicationReceipt(BaseModel):
    id: str
    status: str
    submitted_at: datetime


class ApplicationPage(BaseModel):
    items: list[Application]
    next_page_token: str = ""


class Empty(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=1000, description="驳回理由")


class Approval(BaseModel):
    application: Application
    client_id: str
    client_secret: str | None = Field(description="客户端密钥，仅显示这一次；幂等重放时为 null")


class EnterpriseClient(BaseModel):
    client_id: str
    uscc: str
    name: str
    region_code: str
    region_name: str
    enabled: bool
    created_at: datetime
    secret_rotated_at: datetime | None = None

    @classmethod
    def from_proto(cls, c: pb.EnterpriseClient) -> "EnterpriseClient":
        return cls(client_id=c.client_id, uscc=c.uscc, name=c.name, region_code=c.region_code, region_name=c.region_name,
                   enabled=c.enabled, created_at=local(c.created_at),
                   secret_rotated_at=local(c.secret_rotated_at) if c.HasField("secret_rotated_at") else None)


class EnterpriseClientPage(BaseModel):
    items: list[EnterpriseClient]
    next_page_token: str = ""


class NewSecret(BaseModel):
    client_id: str
    client_secret: str | None = Field(description="新密钥，仅显示这一次；幂等重放时为 null")


# --- enterprise staff accounts --------------------------------------------------------------------

class EnterpriseUserForm(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "username": "ktchem-zhang", "display_name": "张安全", "phone": "13800000000", "email": "", "role": "enterprise-staff"}]})

    username: str = Field(max_length=100, description="用户名：3至40位小写英文字母、数字或 . _ -（大写自动转为小写）")
    display_name: str = Field(max_length=100, description="姓名（真实姓名）")
    phone: str = Field(max_length=32, description="联系电话")
    email: str = Field("", max_length=200, description="电子邮箱（可选）")
    role: str = Field(max_length=40, description="enterprise-admin 企业管理员 | enterprise-staff 企业安全管理人员")

    def to_proto(self, uscc: str) -> pb.CreateEnterpriseUserRequest:
        return pb.CreateEnterpriseUserRequest(uscc=uscc, **self.model_dump())


class EnterpriseUser(BaseModel):
    username: str
    uscc: str
    region_code: str
    display_name: str
    phone: str = Field(description="已脱敏")
    email: str
    role: str = Field(description="enterprise-admin 企业管理员 | enterprise-staff 企业安全管理人员")
    enabled: bool
    created_at: datetime | None = None
    password_change_required: bool = Field(description="初始密码（或重置后的密码）尚未修改")

    @classmethod
    def from_proto(cls, u: pb.EnterpriseUser) -> "EnterpriseUser":
        return cls(username=u.username, uscc=u.uscc, region_code=u.region_code, display_name=u.display_name, phone=u.phone,
                   email=u.email, role=u.role, enabled=u.enabled,
                   created_at=local(u.created_at) if u.HasField("created_at") else None,
                   password_change_required=u.password_change_required)


class EnterpriseUserPage(BaseModel):
    items: list[EnterpriseUser]
    next_page_token: str = ""


class NewEnterpriseUser(BaseModel):
    user: EnterpriseUser
    initial_password: str | None = Field(description="初始密码，仅显示这一次，首次登录时须修改；幂等重放时为 null")


class NewPassword(BaseModel):
    username: str
    initial_password: str | None = Field(description="新的初始密码，仅显示这一次，登录时须修改；幂等重放时为 null")
