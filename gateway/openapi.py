"""Problem responses documented on every route, so the OpenAPI document lists what can come back."""
from pydantic import BaseModel


class FieldError(BaseModel):
    field: str
    code: str
    message: str
    message_en: str


class Problem(BaseModel):
    type: str
    title: str
    title_en: str
    status: int
    detail: str
    detail_en: str
    instance: str
    request_id: str | None = None
    errors: list[FieldError] | None = None


def _p(desc: str) -> dict:
    return {"model": Problem, "description": desc, "content": {"application/problem+json": {}}}


PROBLEMS = {400: _p("请求体不是合法的JSON"), 401: _p("未认证或令牌无效"), 403: _p("无权访问"), 404: _p("记录不存在"),
            409: _p("与现有状态冲突（如幂等键复用）"), 413: _p("请求体过大"), 422: _p("字段校验未通过"),
            429: _p("请求过于频繁"), 503: _p("服务暂不可用")}
