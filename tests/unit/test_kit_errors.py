"""services.kit.errors: DomainError <-> gRPC status with google.rpc details, both ways."""
import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from services.kit import errors
from services.kit.errors import (Conflict, DomainError, FieldViolation, InvalidArgument, NotFound, PermissionDenied,
                                 Unauthenticated, Unavailable, from_rpc_error, invalid, to_rpc_status)

ALL = [DomainError, InvalidArgument, Unauthenticated, PermissionDenied, NotFound, Conflict, Unavailable]


def round_trip(err: DomainError) -> DomainError:
    code, message, trailers = to_rpc_status(err)
    return from_rpc_error(code, message, trailers)


@pytest.mark.parametrize("cls", ALL)
def test_round_trip_preserves_class_and_both_details(cls):
    back = round_trip(cls("企业不存在：甘肃某公司", "Enterprise missing: Gansu Co."))
    assert type(back) is cls
    assert back.detail_zh == "企业不存在：甘肃某公司"
    assert back.detail_en == "Enterprise missing: Gansu Co."
    assert back.violations == ()


@pytest.mark.parametrize("cls", ALL)
def test_round_trip_of_default_details_keeps_the_titles(cls):
    back = round_trip(cls())
    assert type(back) is cls
    assert back.detail_zh == cls.title_zh
    assert back.detail_en == cls.title_en


def test_round_trip_preserves_field_violations_in_both_languages():
    vs = (FieldViolation("uscc", "uscc.check_digit", "统一社会信用代码校验位错误", "The check character is wrong"),
          FieldViolation("name", "name.length", "单位名称应为2至200个字符", "The name must have 2 to 200 characters"))
    back = round_trip(invalid(*vs))
    assert isinstance(back, InvalidArgument)
    assert back.violations == vs
    assert back.detail_zh == "统一社会信用代码校验位错误；单位名称应为2至200个字符"
    assert back.detail_en == "The check character is wrong; The name must have 2 to 200 characters"


def test_to_rpc_status_uses_the_class_grpc_code_and_english_message():
    code, message, trailers = to_rpc_status(NotFound("未找到", "Not here"))
    assert code is grpc.StatusCode.NOT_FOUND
    assert message == "Not here"
    (key, value), = trailers
    assert key == "grpc-status-details-bin"
    status = status_pb2.Status.FromString(value)
    assert status.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert status.message == "Not here"
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert (info.reason, info.domain) == ("not-found", errors.DOMAIN)
    loc = error_details_pb2.LocalizedMessage()
    assert status.details[1].Unpack(loc)
    assert (loc.locale, loc.message) == ("zh-CN", "未找到")


def test_violation_is_encoded_as_bad_request_with_zh_localized_message():
    _, _, ((_, value),) = to_rpc_status(invalid(FieldViolation("uscc", "uscc.length", "应为18位", "Must have 18")))
    bad = error_details_pb2.BadRequest()
    assert status_pb2.Status.FromString(value).details[2].Unpack(bad)
    v, = bad.field_violations
    assert (v.field, v.reason, v.description) == ("uscc", "uscc.length", "Must have 18")
    assert (v.localized_message.locale, v.localized_message.message) == ("zh-CN", "应为18位")


@pytest.mark.parametrize("code, cls", [
    (grpc.StatusCode.INVALID_ARGUMENT, InvalidArgument),
    (grpc.StatusCode.UNAUTHENTICATED, Unauthenticated),
    (grpc.StatusCode.PERMISSION_DENIED, PermissionDenied),
    (grpc.StatusCode.NOT_FOUND, NotFound),
    (grpc.StatusCode.ABORTED, Conflict),
    (grpc.StatusCode.ALREADY_EXISTS, Conflict),
    (grpc.StatusCode.UNAVAILABLE, Unavailable),
    (grpc.StatusCode.DEADLINE_EXCEEDED, Unavailable),
])
def test_plain_status_without_details_maps_by_code(code, cls):
    err = from_rpc_error(code, "upstream said no", ())
    assert type(err) is cls
    assert err.detail_en == "upstream said no"
    assert err.detail_zh == cls.title_zh
    assert err.violations == ()


@pytest.mark.parametrize("code", [grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.RESOURCE_EXHAUSTED])
def test_plain_unmapped_status_is_an_internal_error_without_leaking_the_message(code):
    err = from_rpc_error(code, "Traceback: secret stack", None)
    assert type(err) is DomainError
    assert err.detail_en == DomainError.title_en
    assert err.http_status == 500


def test_unrelated_trailers_are_ignored():
    err = from_rpc_error(grpc.StatusCode.NOT_FOUND, "gone", (("x-request-id", "abc"), ("retry-after", "1")))
    assert type(err) is NotFound
    assert err.detail_en == "gone"


def test_unknown_error_reason_falls_back_to_the_grpc_code():
    status = status_pb2.Status(code=grpc.StatusCode.NOT_FOUND.value[0], message="gone")
    packed = status.details.add()
    packed.Pack(error_details_pb2.ErrorInfo(reason="something-new", domain="elsewhere"))
    err = from_rpc_error(grpc.StatusCode.NOT_FOUND, "gone", (("grpc-status-details-bin", status.SerializeToString()),))
    assert type(err) is NotFound
    assert err.detail_en == "gone"


def test_http_status_and_kind_per_class():
    assert [(c.http_status, c.kind) for c in ALL] == [
        (500, "internal-error"), (422, "validation-error"), (401, "unauthenticated"), (403, "forbidden"),
        (404, "not-found"), (409, "conflict"), (503, "unavailable"),
    ]


def test_invalid_joins_messages_and_keeps_violations():
    a = FieldViolation("a", "a.x", "甲", "A")
    b = FieldViolation("b", "b.x", "乙", "B")
    err = invalid(a, b)
    assert isinstance(err, InvalidArgument)
    assert (err.detail_zh, err.detail_en, err.violations) == ("甲；乙", "A; B", (a, b))
    assert str(err) == "A; B"
