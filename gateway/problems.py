"""RFC 9457 problem+json: the one place errors become HTTP responses, in Chinese and English."""
from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from services.kit import context
from services.kit.errors import DomainError, FieldViolation, InvalidArgument

MEDIA_TYPE = "application/problem+json"


def problem(request: Request, err: DomainError) -> JSONResponse:
    request.state.problem = err.kind  # the audit trail's reason for a refused write
    body = {
        "type": f"/problems/{err.kind}",
        "title": err.title_zh,
        "title_en": err.title_en,
        "status": err.http_status,
        "detail": err.detail_zh,
        "detail_en": err.detail_en,
        "instance": request.url.path,
        "request_id": context.request_id.get(),
    }
    if err.violations:
        body["errors"] = [{"field": v.field, "code": v.code, "message": v.message_zh, "message_en": v.message_en} for v in err.violations]
    headers = None
    if err.http_status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="safety"'}
    elif err.http_status == 429 and hasattr(err, "retry_after"):
        headers = {"Retry-After": str(max(1, round(err.retry_after)))}
    elif err.http_status == 503:
        # every 503 is transient (a service, its database or Kafka away): tell the client when to retry
        headers = {"Retry-After": str(max(1, round(getattr(err, "retry_after", UNAVAILABLE_RETRY_SECONDS))))}
    return JSONResponse(body, status_code=err.http_status, media_type=MEDIA_TYPE, headers=headers)


UNAVAILABLE_RETRY_SECONDS = 5


class MalformedBody(DomainError):
    http_status, kind = 400, "malformed-request"
    title_zh, title_en = "请求体不是合法的JSON", "The request body is not valid JSON"


class PayloadTooLarge(DomainError):
    http_status, kind = 413, "payload-too-large"
    title_zh, title_en = "请求体过大", "The request body is too large"


class RouteNotFound(DomainError):
    http_status, kind = 404, "not-found"
    title_zh, title_en = "接口不存在", "No such endpoint"


class MethodNotAllowed(DomainError):
    http_status, kind = 405, "method-not-allowed"
    title_zh, title_en = "不支持该请求方法", "Method not allowed"


# pydantic error type → (中文, English) templates
_PYDANTIC_MESSAGES = {
    "missing": ("必填字段缺失", "This field is required"),
    "string_type": ("应为字符串", "Must be a string"),
    "string_too_long": ("长度超出上限", "Too long"),
    "string_too_short": ("长度不足", "Too short"),
    "extra_forbidden": ("不允许的字段", "Unknown field"),
    "int_parsing": ("应为整数", "Must be an integer"),
    "greater_than_equal": ("数值过小", "Too small"),
    "less_than_equal": ("数值过大", "Too large"),
    "model_attributes_type": ("请求体应为JSON对象", "The body must be a JSON object"),
    "dict_type": ("请求体应为JSON对象", "The body must be a JSON object"),
}


def from_validation_error(exc: RequestValidationError) -> DomainError:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return MalformedBody()
    violations = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "header")]
        zh, en = _PYDANTIC_MESSAGES.get(e.get("type"), ("取值无效", e.get("msg", "Invalid value")))
        violations.append(FieldViolation(".".join(loc) or "body", f"request.{e.get('type')}", zh, en))
    return InvalidArgument(detail_zh="；".join(f"{v.field}：{v.message_zh}" for v in violations),
                           detail_en="; ".join(f"{v.field}: {v.message_en}" for v in violations), violations=violations)


def install(app) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        return problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return problem(request, from_validation_error(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        err = {404: RouteNotFound, 405: MethodNotAllowed, 413: PayloadTooLarge}.get(exc.status_code)
        if err is None:
            err = type("HttpError", (DomainError,), {"http_status": exc.status_code, "kind": "http-error",
                                                      "title_zh": "请求无法处理", "title_en": str(exc.detail)})
        return problem(request, err())
