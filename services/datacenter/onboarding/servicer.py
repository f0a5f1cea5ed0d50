"""gRPC OnboardingService: enterprises apply (public); administrators of their region approve or
reject, and manage the resulting Keycloak clients; administrators of their region, or the
enterprise's own administrator, manage the enterprise's staff accounts (Keycloak users). Parse,
authorise, rules, store, audit."""
from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from psycopg_pool import ConnectionPool

from safety.datacenter.v1 import onboarding_pb2 as pb
from safety.datacenter.v1 import onboarding_pb2_grpc
from services.datacenter.onboarding import rules, store
from services.datacenter.onboarding.keycloak_clients import EnterpriseClients, enterprise_client_id
from services.datacenter.onboarding.keycloak_users import EnterpriseUsers, UserInfo, UsernameTaken, initial_password
from services.kit import audit, idempotency, paging, regions
from services.kit.auth import Principal, current_principal
from services.kit.codes import mask_phone
from services.kit.errors import Conflict, DomainError, FieldViolation, NotFound, Unavailable, invalid
from services.kit.grpc_server import AuditedWrite

SERVICE = "/safety.datacenter.v1.OnboardingService/"


def _ts(value) -> Timestamp | None:
    if value is None:
        return None
    t = Timestamp()
    t.FromDatetime(value)
    return t


def application_proto(row: dict, *, mask: bool = True) -> pb.Application:
    return pb.Application(
        id=row["id"], uscc=row["uscc"], name=row["name"], region_code=row["region_code"], region_name=row["region_name"],
        contact_name=row["contact_name"], contact_phone=mask_phone(row["contact_phone"]) if mask else row["contact_phone"],
        email=row["email"], note=row["note"], status=row["status"], submitted_at=_ts(row["submitted_at"]),
        decided_at=_ts(row["decided_at"]), decided_by=row["decided_by"] or "", reject_reason=row["reject_reason"] or "",
        client_id=row["client_id"] or "")


def client_proto(row: dict) -> pb.EnterpriseClient:
    return pb.EnterpriseClient(client_id=row["client_id"], uscc=row["uscc"], name=row["name"], region_code=row["region_code"],
                               region_name=row["region_name"], enabled=row["enabled"], created_at=_ts(row["created_at"]),
                               secret_rotated_at=_ts(row["secret_rotated_at"]))


def user_proto(u: UserInfo) -> pb.EnterpriseUser:
    """Phones are always masked: the platform shows a person's number to no one through this API."""
    return pb.EnterpriseUser(username=u.username, uscc=u.uscc, region_code=u.region, display_name=u.display_name,
                             phone=mask_phone(u.phone), email=u.email, role=u.role, enabled=u.enabled,
                             created_at=_ts(u.created_at), password_change_required=u.password_change_required)


def _password_withheld(response):
    """What an idempotent replay returns: everything but the one-time password."""
    copy = type(response)()
    copy.CopyFrom(response)
    copy.initial_password = ""
    copy.password_withheld = True
    return copy


def _uscc(value: str) -> str:
    return (value or "").strip().upper()


def _withheld(response):
    """What an idempotent replay returns: everything but the secret, which is shown only once."""
    copy = type(response)()
    copy.CopyFrom(response)
    copy.client_secret = ""
    copy.secret_withheld = True
    return copy


class OnboardingServicer(onboarding_pb2_grpc.OnboardingServiceServicer):
    PUBLIC = ("ListRegions", "Apply")
    WRITES = {
        "Apply": AuditedWrite("onboarding.apply", "application", "uscc"),
        "Approve": AuditedWrite("onboarding.approve", "application", "id"),
        "Reject": AuditedWrite("onboarding.reject", "application", "id"),
        "RotateSecret": AuditedWrite("enterprise_client.rotate_secret", "enterprise_client", "client_id"),
        "SetClientEnabled": AuditedWrite("enterprise_client.set_enabled", "enterprise_client", "client_id"),
        "CreateEnterpriseUser": AuditedWrite("enterprise_user.create", "enterprise_user", "username"),
        "SetEnterpriseUserEnabled": AuditedWrite("enterprise_user.set_enabled", "enterprise_user", "username"),
        "ResetEnterpriseUserPassword": AuditedWrite("enterprise_user.reset_password", "enterprise_user", "username"),
    }

    def __init__(self, pool: ConnectionPool, *, jurisdiction: str, clients: EnterpriseClients,
                 users: EnterpriseUsers | None = None):
        self.pool, self.jurisdiction, self.clients = pool, jurisdiction, clients
        # The same Keycloak admin session as the clients' (the platform's service account), opened on first use.
        self.users = users or EnterpriseUsers(admin_factory=lambda: clients.admin)

    # --- public -------------------------------------------------------------------------------
    def ListRegions(self, request, context) -> pb.ListRegionsResponse:
        with self.pool.connection() as conn:
            dictionary = store.regions(conn)
        if request.all_levels:
            allowed = [(code, name) for code, name, _ in dictionary if regions.covers(self.jurisdiction, code)]
        else:
            allowed = rules.allowed_regions(dictionary, self.jurisdiction)
        return pb.ListRegionsResponse(items=[pb.Region(code=c, name=n) for c, n in allowed])

    def Apply(self, request: pb.ApplyRequest, context: grpc.ServicerContext) -> pb.Application:
        form = rules.ApplicationForm.normalised(uscc=request.uscc, name=request.name, region_code=request.region_code,
                                                contact_name=request.contact_name, contact_phone=request.contact_phone,
                                                email=request.email, note=request.note)
        with self.pool.connection() as conn, conn.transaction():
            rules.validate(form, allowed_regions={c for c, _ in rules.allowed_regions(store.regions(conn), self.jurisdiction)})
            response, replayed = idempotency.run(conn, method=SERVICE + "Apply", request=request, response_type=pb.Application,
                                                 work=lambda: self._apply(conn, form))
        idempotency.mark_replay(context, replayed)
        return response

    def _apply(self, conn, form: rules.ApplicationForm) -> pb.Application:
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 1))", (form.uscc,))  # one application at a time per enterprise
        rules.refuse_duplicate(has_pending=store.has_pending(conn, form.uscc), has_enabled_client=store.has_enabled_client(conn, form.uscc))
        row = store.insert_application(conn, form)
        audit.record(conn, action="onboarding.apply", target_type="application", target_id=row["id"],
                     target_region=row["region_code"], uscc=row["uscc"], summary={"name": row["name"]})
        return application_proto(row)

    # --- administrators ------------------------------------------------------------------------
    def ListApplications(self, request: pb.ListApplicationsRequest, context) -> pb.ListApplicationsResponse:
        p = current_principal()
        rules.require_reviewer(p)
        if request.status and request.status not in rules.STATUSES:
            raise invalid(FieldViolation("status", "status.unknown", "状态应为 pending、approved 或 rejected",
                                                "status must be pending, approved or rejected"))
        size, after = paging.parse(request)
        with self.pool.connection() as conn:
            rows = store.list_applications(conn, region_prefix=regions.significant_prefix(p.region), status=request.status,
                                           size=size, after=after)
        return pb.ListApplicationsResponse(items=[application_proto(r) for r in rows[:size]],
                                           next_page_token=paging.next_token(rows, size, key="page_key"))

    def Approve(self, request: pb.ApproveRequest, context: grpc.ServicerContext) -> pb.ApproveResponse:
        p = current_principal()
        rules.require_reviewer(p)
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method=SERVICE + "Approve", request=request, response_type=pb.ApproveResponse,
                                                 work=lambda: self._approve(conn, p, request.id), stored=_withheld)
        idempotency.mark_replay(context, replayed)
        return response

    def _approve(self, conn, p, application_id: str) -> pb.ApproveResponse:
        row = store.get_application(conn, application_id, for_update=True)
        rules.require_in_scope(p, row and row["region_code"])
        rules.require_pending(row["status"])
        # Keycloak first, then the commit: if the commit fails the client exists but the application
        # is still pending, and approving again is harmless (ensure is idempotent, the secret is new).
        client_id = enterprise_client_id(row["uscc"])
        secret = self._keycloak(lambda: self.clients.provision(uscc=row["uscc"], region=row["region_code"], name=row["name"]))
        store.upsert_client(conn, client_id=client_id, uscc=row["uscc"], name=row["name"], region_code=row["region_code"],
                            enabled=True, rotated=True)
        decided = store.decide(conn, row["id"], status=rules.APPROVED, by=p.label, client_id=client_id)
        audit.record(conn, action="onboarding.approve", target_type="application", target_id=row["id"],
                     target_region=row["region_code"], uscc=row["uscc"], summary={"client_id": client_id})
        return pb.ApproveResponse(application=application_proto(decided), client_id=client_id, client_secret=secret)

    def Reject(self, request: pb.RejectRequest, context: grpc.ServicerContext) -> pb.Application:
        p = current_principal()
        rules.require_reviewer(p)
        if found := rules.reject_reason_violations(request.reason):
            raise invalid(*found)
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method=SERVICE + "Reject", request=request, response_type=pb.Application,
                                                 work=lambda: self._reject(conn, p, request.id, request.reason.strip()))
        idempotency.mark_replay(context, replayed)
        return response

    def _reject(self, conn, p, application_id: str, reason: str) -> pb.Application:
        row = store.get_application(conn, application_id, for_update=True)
        rules.require_in_scope(p, row and row["region_code"])
        rules.require_pending(row["status"])
        decided = store.decide(conn, row["id"], status=rules.REJECTED, by=p.label, reason=reason)
        audit.record(conn, action="onboarding.reject", target_type="application", target_id=row["id"],
                     target_region=row["region_code"], uscc=row["uscc"], summary={"reason": reason})
        return application_proto(decided)

    def ListClients(self, request: pb.ListClientsRequest, context) -> pb.ListClientsResponse:
        p = current_principal()
        rules.require_reviewer(p)
        size, after = paging.parse(request)
        with self.pool.connection() as conn:
            rows = store.list_clients(conn, region_prefix=regions.significant_prefix(p.region), size=size, after=after)
        return pb.ListClientsResponse(items=[client_proto(r) for r in rows[:size]],
                                      next_page_token=paging.next_token(rows, size, key="client_id"))

    def RotateSecret(self, request: pb.RotateSecretRequest, context: grpc.ServicerContext) -> pb.RotateSecretResponse:
        p = current_principal()
        rules.require_reviewer(p)
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method=SERVICE + "RotateSecret", request=request,
                                                 response_type=pb.RotateSecretResponse, stored=_withheld,
                                                 work=lambda: self._rotate(conn, p, request.client_id))
        idempotency.mark_replay(context, replayed)
        return response

    def _rotate(self, conn, p, client_id: str) -> pb.RotateSecretResponse:
        row = store.get_client(conn, client_id, for_update=True)
        rules.require_in_scope(p, row and row["region_code"], "企业客户端")
        secret = self._keycloak(lambda: self.clients.new_secret(client_id))
        store.mark_rotated(conn, client_id)
        audit.record(conn, action="enterprise_client.rotate_secret", target_type="enterprise_client", target_id=client_id,
                     target_region=row["region_code"], uscc=row["uscc"])
        return pb.RotateSecretResponse(client_id=client_id, client_secret=secret)

    def SetClientEnabled(self, request: pb.SetClientEnabledRequest, context: grpc.ServicerContext) -> pb.EnterpriseClient:
        p = current_principal()
        rules.require_reviewer(p)
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method=SERVICE + "SetClientEnabled", request=request,
                                                 response_type=pb.EnterpriseClient,
                                                 work=lambda: self._set_enabled(conn, p, request.client_id, request.enabled))
        idempotency.mark_replay(context, replayed)
        return response

    def _set_enabled(self, conn, p, client_id: str, enabled: bool) -> pb.EnterpriseClient:
        row = store.get_client(conn, client_id, for_update=True)
        rules.require_in_scope(p, row and row["region_code"], "企业客户端")
        self._keycloak(lambda: self.clients.set_enabled(client_id, enabled))
        store.set_client_enabled(conn, client_id, enabled)
        audit.record(conn, action="enterprise_client.enable" if enabled else "enterprise_client.disable",
                     target_type="enterprise_client", target_id=client_id, target_region=row["region_code"],
                     uscc=row["uscc"], summary={"enabled": enabled})
        return client_proto(store.get_client(conn, client_id))

    # --- enterprise staff accounts ---------------------------------------------------------------
    def _enterprise_in_reach(self, conn, p: Principal, uscc: str) -> str:
        """The enterprise's region, once the caller may manage its accounts (404 otherwise)."""
        region = store.enterprise_region(conn, uscc) if uscc else None
        rules.require_manages_enterprise(p, uscc=uscc, region_code=region)
        return region

    def _user_of(self, uscc: str, username: str) -> UserInfo:
        """One of the enterprise's people; anyone else, as an absent one, is NotFound."""
        user = None if rules.username_violations(username) else self._identity(lambda: self.users.find(username))
        rules.require_user_of(uscc, user_uscc=user and user.uscc, user_role=user and user.role)
        return user

    def ListEnterpriseUsers(self, request: pb.ListEnterpriseUsersRequest, context) -> pb.ListEnterpriseUsersResponse:
        p = current_principal()
        rules.require_user_manager(p)
        uscc = _uscc(request.uscc)
        size, after = paging.parse(request)
        with self.pool.connection() as conn:
            self._enterprise_in_reach(conn, p, uscc)
        found = [u for u in self._identity(lambda: self.users.of_enterprise(uscc)) if u.username > after]
        return pb.ListEnterpriseUsersResponse(
            items=[user_proto(u) for u in found[:size]],
            next_page_token=paging.next_token([{"username": u.username} for u in found], size, key="username"))

    def CreateEnterpriseUser(self, request: pb.CreateEnterpriseUserRequest, context: grpc.ServicerContext) -> pb.CreateEnterpriseUserResponse:
        p = current_principal()
        rules.require_user_manager(p)
        uscc = _uscc(request.uscc)
        form = rules.UserForm.normalised(username=request.username, display_name=request.display_name, phone=request.phone,
                                         email=request.email, role=request.role)
        with self.pool.connection() as conn, conn.transaction():
            region = self._enterprise_in_reach(conn, p, uscc)
            rules.validate_user(form)
            response, replayed = idempotency.run(conn, method=SERVICE + "CreateEnterpriseUser", request=request,
                                                 response_type=pb.CreateEnterpriseUserResponse, stored=_password_withheld,
                                                 work=lambda: self._create_user(conn, uscc, region, form))
        idempotency.mark_replay(context, replayed)
        return response

    def _create_user(self, conn, uscc: str, region: str, form: rules.UserForm) -> pb.CreateEnterpriseUserResponse:
        # Audited first, Keycloak last: if Keycloak refuses or fails, the entry rolls back with the
        # rest and the interceptor records the refusal instead.
        audit.record(conn, action="enterprise_user.create", target_type="enterprise_user", target_id=form.username,
                     target_region=region, uscc=uscc, summary={"role": form.role})
        password = initial_password()

        def create() -> UserInfo:
            try:
                return self.users.create(username=form.username, uscc=uscc, region=region, display_name=form.display_name,
                                         phone=form.phone, email=form.email, role=form.role, password=password, temporary=True)
            except UsernameTaken as taken:
                if taken.field == "email":
                    raise Conflict("该电子邮箱已被其他账号使用", "Another account already uses this e-mail address",
                                   [FieldViolation("email", "email.taken", "该电子邮箱已被其他账号使用",
                                                   "Another account already uses this e-mail address")]) from None
                raise Conflict("该用户名已被占用，请换一个", "This username is taken; choose another",
                               [FieldViolation("username", "username.taken", "该用户名已被占用", "This username is taken")]) from None
        user = self._identity(create)
        return pb.CreateEnterpriseUserResponse(user=user_proto(user), initial_password=password)

    def SetEnterpriseUserEnabled(self, request: pb.SetEnterpriseUserEnabledRequest, context: grpc.ServicerContext) -> pb.EnterpriseUser:
        p = current_principal()
        rules.require_user_manager(p)
        uscc, username = _uscc(request.uscc), rules.normalised_username(request.username)
        with self.pool.connection() as conn, conn.transaction():
            region = self._enterprise_in_reach(conn, p, uscc)
            response, replayed = idempotency.run(conn, method=SERVICE + "SetEnterpriseUserEnabled", request=request,
                                                 response_type=pb.EnterpriseUser,
                                                 work=lambda: self._set_user_enabled(conn, p, uscc, region, username, request.enabled))
        idempotency.mark_replay(context, replayed)
        return response

    def _set_user_enabled(self, conn, p: Principal, uscc: str, region: str, username: str, enabled: bool) -> pb.EnterpriseUser:
        user = self._user_of(uscc, username)
        rules.refuse_self_disable(p, user_id=user.id, enabled=enabled)
        audit.record(conn, action="enterprise_user.enable" if enabled else "enterprise_user.disable", target_type="enterprise_user",
                     target_id=username, target_region=region, uscc=uscc, summary={"enabled": enabled})
        return user_proto(self._identity(lambda: self.users.set_enabled(user, enabled)))

    def ResetEnterpriseUserPassword(self, request: pb.ResetEnterpriseUserPasswordRequest,
                                    context: grpc.ServicerContext) -> pb.ResetEnterpriseUserPasswordResponse:
        p = current_principal()
        rules.require_user_manager(p)
        uscc, username = _uscc(request.uscc), rules.normalised_username(request.username)
        with self.pool.connection() as conn, conn.transaction():
            region = self._enterprise_in_reach(conn, p, uscc)
            response, replayed = idempotency.run(conn, method=SERVICE + "ResetEnterpriseUserPassword", request=request,
                                                 response_type=pb.ResetEnterpriseUserPasswordResponse, stored=_password_withheld,
                                                 work=lambda: self._reset_password(conn, uscc, region, username))
        idempotency.mark_replay(context, replayed)
        return response

    def _reset_password(self, conn, uscc: str, region: str, username: str) -> pb.ResetEnterpriseUserPasswordResponse:
        user = self._user_of(uscc, username)
        audit.record(conn, action="enterprise_user.reset_password", target_type="enterprise_user", target_id=username,
                     target_region=region, uscc=uscc)
        password = initial_password()
        self._identity(lambda: self.users.reset_password(user, password, temporary=True))
        return pb.ResetEnterpriseUserPasswordResponse(username=username, initial_password=password)

    @staticmethod
    def _identity(action):
        """A call to Keycloak's admin API for accounts: the service's own refusals pass through;
        Keycloak away or failing is the platform's trouble (503, retry later; nothing committed)."""
        try:
            return action()
        except DomainError:
            raise
        except Exception as exc:
            raise Unavailable("身份认证服务暂时不可用，请稍后重试", f"Keycloak admin API failed: {type(exc).__name__}") from exc

    @staticmethod
    def _keycloak(action):
        try:
            return action()
        except LookupError:
            raise NotFound("Keycloak 中未找到该企业客户端", "The enterprise client is missing in Keycloak") from None
        except Exception as exc:  # Keycloak away or refusing: the platform's trouble, retry later; nothing committed
            raise Unavailable("身份认证服务暂时不可用，请稍后重试", f"Keycloak admin API failed: {type(exc).__name__}") from exc

