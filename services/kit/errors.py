"""One error taxonomy for the whole platform.

Domain code raises these; the gRPC error interceptor turns them into status codes with
google.rpc details (BadRequest field violations, a zh-CN LocalizedMessage, ErrorInfo), the
gateway turns a failed call back into the same exception, and one FastAPI handler renders it as
RFC 9457 problem+json. Nothing else catches and re-shapes errors."""
from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

DOMAIN = "safety.platform"
_STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class FieldViolation:
    field: str       # JSON field name as the client sent it, e.g. "uscc"
    code: str        # stable machine reason, e.g. "uscc.check_digit"
    message_zh: str
    message_en: str


class DomainError(Exception):
    grpc_code = grpc.StatusCode.INTERNAL
    http_status = 500
    kind = "internal-error"
    title_zh = "服务器内部错误"
    title_en = "Internal error"

    def __init__(self, detail_zh: str = "", detail_en: str = "", violations: tuple[FieldViolation, ...] | list = ()):
        self.detail_zh = detail_zh or self.title_zh
        self.detail_en = detail_en or self.title_en
        self.violations = tuple(violations)
        super().__init__(self.detail_en)


class InvalidArgument(DomainError):
    grpc_code, http_status, kind = grpc.StatusCode.INVALID_ARGUMENT, 422, "validation-error"
    title_zh, title_en = "请求内容校验未通过", "The request did not pass validation"


class Unauthenticated(DomainError):
    grpc_code, http_status, kind = grpc.StatusCode.UNAUTHENTICATED, 401, "unauthenticated"
    title_zh, title_en = "未认证或令牌无效", "Missing or invalid credentials"


class PermissionDenied(DomainError):
    grpc_code, http_status, kind = grpc.StatusCode.PERMISSION_DENIED, 403, "forbidden"
    title_zh, title_en = "无权执行此操作", "Not allowed"


class NotFound(DomainError):
    grpc_code, http_status, kind = grpc.StatusCode.NOT_FOUND, 404, "not-found"
    title_zh, title_en = "记录不存在", "Not found"


class Conflict(DomainError):
    grpc_code, http_status, kind = grpc.StatusCode.ABORTED, 409, "conflict"
    title_zh, title_en = "请求与现有状态冲突", "Conflicts with the current state"


class Unavailable(DomainError):
    grpc_code, http_status, kind = grpc.StatusCode.UNAVAILABLE, 503, "unavailable"
    title_zh, title_en = "服务暂时不可用，请稍后重试", "Service temporarily unavailable; retry later"


_BY_KIND = {cls.kind: cls for cls in (DomainError, InvalidArgument, Unauthenticated, PermissionDenied, NotFound, Conflict, Unavailable)}
_BY_GRPC_CODE = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ABORTED: Conflict,
    grpc.StatusCode.ALREADY_EXISTS: Conflict,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: Unavailable,
}


def _pack(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def to_rpc_status(err: DomainError) -> tuple[grpc.StatusCode, str, tuple]:
    """(code, message, trailing metadata) for a servicer context to abort with."""
    bad_request = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field=v.field, reason=v.code, description=v.message_en,
                localized_message=error_details_pb2.LocalizedMessage(locale="zh-CN", message=v.message_zh),
            )
            for v in err.violations
        ]
    )
    status = status_pb2.Status(
        code=err.grpc_code.value[0],
        message=err.detail_en,
        details=[
            _pack(error_details_pb2.ErrorInfo(reason=err.kind, domain=DOMAIN)),
            _pack(error_details_pb2.LocalizedMessage(locale="zh-CN", message=err.detail_zh)),
            _pack(bad_request),
        ],
    )
    return err.grpc_code, err.detail_en, ((_STATUS_DETAILS_KEY, status.SerializeToString()),)


def from_rpc_error(code: grpc.StatusCode, message: str, trailing_metadata) -> DomainError:
    """Rebuild the DomainError a service raised from the failed call's status and trailers."""
    status = None
    for key, value in trailing_metadata or ():
        if key == _STATUS_DETAILS_KEY:
            status = status_pb2.Status.FromString(value)
    if status is None:
        cls = _BY_GRPC_CODE.get(code, DomainError)
        return cls(detail_en=message if cls is not DomainError else "")
    kind, detail_zh, violations = None, "", []
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo(); detail.Unpack(info); kind = info.reason
        elif detail.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
            loc = error_details_pb2.LocalizedMessage(); detail.Unpack(loc); detail_zh = loc.message
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            br = error_details_pb2.BadRequest(); detail.Unpack(br)
            violations = [FieldViolation(v.field, v.reason, v.localized_message.message, v.description) for v in br.field_violations]
    cls = _BY_KIND.get(kind) or _BY_GRPC_CODE.get(code, DomainError)
    return cls(detail_zh=detail_zh, detail_en=status.message, violations=violations)


def invalid(*violations: FieldViolation) -> InvalidArgument:
    """The common case: one error listing every bad field at once."""
    return InvalidArgument(
        detail_zh="；".join(v.message_zh for v in violations),
        detail_en="; ".join(v.message_en for v in violations),
        violations=violations,
    )
