"""gateway.problems: RFC 9457 problem+json for domain errors, validation failures and HTTP errors.

Runs a tiny FastAPI app in-process through TestClient; no network, no services."""
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from gateway import problems
from services.kit.errors import FieldViolation, NotFound, Unauthenticated, Unavailable, invalid


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=5)
    count: int = Field(ge=1, le=10)
    address: Address | None = None


def build() -> TestClient:
    app = FastAPI()
    problems.install(app)

    @app.post("/things")
    def create(thing: Thing):
        return {"ok": True}

    @app.get("/missing")
    def missing():
        raise NotFound("未找到该单位", "No such enterprise")

    @app.get("/secret")
    def secret():
        raise Unauthenticated()

    @app.get("/away")
    def away():
        raise Unavailable()

    @app.get("/invalid")
    def bad():
        raise invalid(FieldViolation("uscc", "uscc.length", "应为18位", "Must have 18 characters"))

    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return build()


def is_problem(r) -> dict:
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == r.status_code
    assert body["type"].startswith("/problems/")
    for key in ("title", "title_en", "detail", "detail_en", "instance"):
        assert isinstance(body[key], str) and body[key], key
    assert "request_id" in body
    return body


def errors_by_field(body: dict) -> dict:
    return {e["field"]: e for e in body["errors"]}


def test_valid_body_passes(client):
    assert client.post("/things", json={"name": "abc", "count": 2}).json() == {"ok": True}


def test_missing_field_is_a_422_validation_problem_with_field_errors(client):
    r = client.post("/things", json={"name": "abc"})
    assert r.status_code == 422
    body = is_problem(r)
    assert body["type"] == "/problems/validation-error"
    assert body["title"] == "请求内容校验未通过"
    assert body["title_en"] == "The request did not pass validation"
    assert body["instance"] == "/things"
    assert body["errors"] == [{"field": "count", "code": "request.missing",
                               "message": "必填字段缺失", "message_en": "This field is required"}]
    assert body["detail"] == "count：必填字段缺失"
    assert body["detail_en"] == "count: This field is required"


def test_extra_field_is_reported_by_name(client):
    r = client.post("/things", json={"name": "abc", "count": 1, "admin": True})
    assert r.status_code == 422
    e = errors_by_field(is_problem(r))["admin"]
    assert (e["code"], e["message"], e["message_en"]) == ("request.extra_forbidden", "不允许的字段", "Unknown field")


def test_every_bad_field_is_listed_at_once(client):
    r = client.post("/things", json={"name": "toolong", "count": 0, "x": 1})
    body = is_problem(r)
    found = errors_by_field(body)
    assert set(found) == {"name", "count", "x"}
    assert found["name"]["code"] == "request.string_too_long"
    assert found["count"]["code"] == "request.greater_than_equal"
    assert found["count"]["message"] == "数值过小"
    assert body["detail"].count("；") == 2
    assert body["detail_en"].count("; ") == 2


def test_nested_field_path_is_dotted(client):
    r = client.post("/things", json={"name": "a", "count": 1, "address": {"street": "x"}})
    assert set(errors_by_field(is_problem(r))) == {"address.city", "address.street"}


def test_wrong_type_has_bilingual_message(client):
    r = client.post("/things", json={"name": 5, "count": "many"})
    found = errors_by_field(is_problem(r))
    assert (found["name"]["message"], found["name"]["message_en"]) == ("应为字符串", "Must be a string")
    assert (found["count"]["message"], found["count"]["message_en"]) == ("应为整数", "Must be an integer")


def test_unmapped_pydantic_error_type_falls_back_to_a_generic_chinese_message(client):
    r = client.post("/things", json={"name": "a", "count": 1.5})
    e = errors_by_field(is_problem(r))["count"]
    assert e["code"] == "request.int_from_float"
    assert e["message"] == "取值无效"
    assert e["message_en"]


def test_non_object_body_is_reported_on_the_body(client):
    r = client.post("/things", json=[1, 2])
    assert r.status_code == 422
    e = errors_by_field(is_problem(r))["body"]
    assert e["message"] == "请求体应为JSON对象"


@pytest.mark.parametrize("raw", [b"{not json", b'{"name": "a",}', b"\xff\xfe"])
def test_invalid_json_is_a_400_malformed_request(client, raw):
    r = client.post("/things", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400
    body = is_problem(r)
    assert body["type"] == "/problems/malformed-request"
    assert body["title"] == "请求体不是合法的JSON"
    assert body["title_en"] == "The request body is not valid JSON"
    assert "errors" not in body


def test_domain_error_is_rendered_with_its_status_and_both_details(client):
    r = client.get("/missing")
    assert r.status_code == 404
    body = is_problem(r)
    assert body["type"] == "/problems/not-found"
    assert (body["detail"], body["detail_en"]) == ("未找到该单位", "No such enterprise")
    assert body["instance"] == "/missing"
    assert "errors" not in body


def test_domain_violations_are_listed_as_errors(client):
    r = client.get("/invalid")
    assert r.status_code == 422
    assert is_problem(r)["errors"] == [{"field": "uscc", "code": "uscc.length", "message": "应为18位",
                                        "message_en": "Must have 18 characters"}]


def test_unauthenticated_carries_www_authenticate(client):
    r = client.get("/secret")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="safety"'
    assert is_problem(r)["type"] == "/problems/unauthenticated"


def test_other_statuses_do_not_carry_www_authenticate(client):
    assert "www-authenticate" not in client.get("/missing").headers


def test_unknown_route_is_a_bilingual_404(client):
    r = client.get("/nowhere")
    assert r.status_code == 404
    body = is_problem(r)
    assert (body["title"], body["title_en"]) == ("接口不存在", "No such endpoint")


def test_wrong_method_is_a_bilingual_405(client):
    r = client.delete("/things")
    assert r.status_code == 405
    body = is_problem(r)
    assert body["type"] == "/problems/method-not-allowed"
    assert body["title"] == "不支持该请求方法"


def test_every_503_says_when_to_retry(client):
    """A service or its database away (a gRPC UNAVAILABLE passed on as Unavailable) answers 503 with
    Retry-After, so clients that retry on it — the readings intake's, for one — know when."""
    r = client.get("/away")
    assert r.status_code == 503
    is_problem(r)
    assert int(r.headers["Retry-After"]) == problems.UNAVAILABLE_RETRY_SECONDS
