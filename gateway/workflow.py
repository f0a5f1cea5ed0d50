"""Routes of the workflow RPCs (ADR 0009): the REST request's path id, query and JSON body go to
the service as a JsonRequest unchanged, and the service's JSON comes back as it is. The service
validates the body field by field; the gateway only bounds its size and reads `version`."""
from __future__ import annotations

import orjson
from fastapi import APIRouter, Path, Request, Response

from gateway.auth import Permission
from gateway.clients import call
from gateway.idempotency import IdempotencyKey, mark_replay
from gateway.openapi import PROBLEMS
from gateway.problems import MalformedBody
from safety.supervision.v1 import workflow_pb2 as wpb
from services.kit import roles

JSON_ANSWER = {200: {"content": {"application/json": {"schema": {"type": "object"}}}}}
JSON_BODY = {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}


async def forward(request: Request, method, *, id: str | int = "", idempotency_key: str | None = None, version: int = 0,
                  message=wpb.JsonRequest, status_code: int = 200) -> Response:
    """`message`: the request type of `method` — supervision's JsonRequest, or safety.common.v1's for
    the services built after it (ADR 0010 (a)); the two are wire-identical. `status_code`: 201 for a
    write that creates a record."""
    raw = await request.body() if request.method in ("POST", "PUT", "PATCH", "DELETE") else b""
    if raw and not version:
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise MalformedBody("请求体不是合法的JSON", "The request body is not valid JSON") from None
        if isinstance(parsed, dict) and isinstance(parsed.get("version"), int) and not isinstance(parsed.get("version"), bool):
            version = parsed["version"]
    query = {k: v for k, v in request.query_params.items()}
    result, trailers = await call(method, message(id=str(id), body=raw, version=version, query=query), request,
                                  idempotency_key=idempotency_key)
    out = Response(content=result.json, media_type="application/json", status_code=status_code)
    mark_replay(out, trailers)
    return out


# --- application workflows (行政许可, 标准化定级) ----------------------------------------------------

APPLICATION_ID = Path(ge=1, le=2**63 - 1, description="申请编号")
ANSWER = {**PROBLEMS, **JSON_ANSWER}
CREATED = {**PROBLEMS, 201: JSON_ANSWER[200]}
_PARTIES = frozenset({"staff", "enterprise"})
_READERS = frozenset(roles.SUPERVISION_READERS)


class ApplicationRoutes:
    """The routes every application workflow has: submit, the queue, one application, and a POST per
    step (`action`). Who may knock: READ and SUBMIT (staff of the region or the enterprise itself),
    PARTY (the applicant or its region's staff), HANDLE (the agency's staff), DECIDE (its head); the
    service checks the rest (ADR 0009)."""

    READ = Permission("supervision staff within their region, or the applicant enterprise for its own applications",
                      kinds=_PARTIES, roles=_READERS)
    READ_ONE = Permission("supervision staff within the application's region, or the applicant enterprise",
                          kinds=_PARTIES, roles=_READERS, record="owner-or-region")
    SUBMIT = Permission("an enterprise for itself, or supervision staff on behalf of an enterprise of their region",
                        kinds=_PARTIES, roles=_READERS)
    PARTY = Permission("the applicant enterprise, or supervision staff within the application's region",
                       kinds=_PARTIES, roles=_READERS, record="owner-or-region")

    def __init__(self, router: APIRouter, *, client: str, agency: str, handlers: str = ""):
        """`client`: the attribute of app.state.clients; `agency`: who handles the applications
        ("licensing agency"); `handlers`: which of its staff, if there is more to say."""
        self.router, self.client = router, client
        self.HANDLE = Permission(f"supervision staff within the application's region (the {agency}{handlers})",
                                 kinds=frozenset({"staff"}), roles=_READERS, record="region")
        self.DECIDE = Permission(f"supervisors and platform administrators within the application's region "
                                 f"(the {agency}'s head)", kinds=frozenset({"staff"}),
                                 roles=frozenset({roles.SUPERVISION_SUPERVISOR, roles.PLATFORM_ADMIN}), record="region")

    def stub(self, request: Request):
        return getattr(request.app.state.clients, self.client)

    def standard(self, *, submit_summary: str, submit_doc: str, list_summary: str, list_doc: str, get_summary: str) -> None:
        """POST /applications, GET /applications and GET /applications/{id}."""
        routes = self

        async def submit(request: Request, idempotency_key: IdempotencyKey, principal=self.SUBMIT.dependency()):
            answer = await forward(request, routes.stub(request).SubmitApplication, idempotency_key=idempotency_key)
            answer.status_code = 201
            return answer

        async def list_applications(request: Request, principal=self.READ.dependency()):
            return await forward(request, routes.stub(request).ListApplications)

        async def get_application(request: Request, application_id: int = APPLICATION_ID,
                                  principal=self.READ_ONE.dependency()):
            return await forward(request, routes.stub(request).GetApplication, id=application_id)

        submit.__doc__, list_applications.__doc__ = submit_doc, list_doc
        self.router.add_api_route("/applications", submit, methods=["POST"], status_code=201, responses=CREATED,
                                  openapi_extra=JSON_BODY, summary=submit_summary)
        self.router.add_api_route("/applications", list_applications, methods=["GET"], responses=ANSWER, summary=list_summary)
        self.router.add_api_route("/applications/{application_id}", get_application, methods=["GET"], responses=ANSWER,
                                  summary=get_summary)

    def action(self, path: str, rpc: str, permission: Permission, summary: str, doc: str, *, created: bool = False) -> None:
        """POST /applications/{id}/<path> → <rpc> of the service; the body carries `version` (as read)."""
        routes = self

        async def act(request: Request, idempotency_key: IdempotencyKey, application_id: int = APPLICATION_ID,
                      principal=permission.dependency()):
            answer = await forward(request, getattr(routes.stub(request), rpc), id=application_id,
                                   idempotency_key=idempotency_key)
            if created:
                answer.status_code = 201
            return answer
        act.__name__, act.__doc__ = rpc, doc
        self.router.add_api_route(f"/applications/{{application_id}}/{path}", act, methods=["POST"],
                                  status_code=201 if created else 200, responses=CREATED if created else ANSWER,
                                  openapi_extra=JSON_BODY, summary=summary)
