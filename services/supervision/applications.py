"""What the application workflows share (行政许可 in licensing/, 标准化定级 in standardization/):
who may see and act on an application, the rule table in force when it was submitted, the queue's
filters, and the write machinery — every step runs once per Idempotency-Key, on the row locked and
at the version the caller read, and stores the application, its step, the audit entry and the
CloudEvent in one transaction (ADR 0009).

A workflow's servicer subclasses `Workflow` and says what is its own: its names (`Wording`), its
store and events modules, how its deadlines are stored and how an application is answered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Callable

import psycopg
from psycopg_pool import ConnectionPool

from safety.supervision.v1 import monitoring_pb2 as pb
from services.kit import audit, idempotency, jsonio, regions, roles, ruletables, workdays
from services.kit.auth import Principal, current_principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.workdays import Calendar

DECIDERS = (roles.SUPERVISION_SUPERVISOR, roles.PLATFORM_ADMIN)

# (action, changes to the application row, detail for its step)
Outcome = tuple[str, dict, dict]


class Tables:
    """A workflow's versioned rule tables, each version of `name` checked when loaded."""

    def __init__(self, folder: Path, name: str, check: Callable[[dict], None]):
        self.name = name
        self.all = ruletables.load_dir(folder)
        for t in self.all:
            if t.name == name:
                check(t.body)

    def effective(self, day: date) -> ruletables.RuleTable:
        return ruletables.effective(self.all, self.name, day)

    def on(self, day: date) -> dict:
        return self.effective(day).body

    def of(self, app: dict) -> dict:
        """The table in force when the application was submitted: its limits do not change under it."""
        return self.on(app["submitted_at"].astimezone(jsonio.SHANGHAI).date())


@dataclass(frozen=True)
class Wording:
    """What a workflow calls things in its refusals, Chinese then English."""
    scope: tuple[str, str]      # to whom the workflow is closed
    missing: tuple[str, str]    # an application the caller may not see
    staff_only: tuple[str, str]
    deciders_only: tuple[str, str]


# --- who may do what ------------------------------------------------------------------------------

def scope(p: Principal, wording: Wording) -> tuple[str, str | None]:
    """(region prefix, uscc) the caller may see: staff their region, an enterprise itself."""
    if p.kind == "enterprise" and p.uscc:
        return "", p.uscc
    if p.kind == "staff" and p.region and p.has_any_role(*roles.SUPERVISION_READERS):
        return regions.significant_prefix(p.region), None
    raise PermissionDenied(*wording.scope)


def visible(p: Principal, row: dict | None, wording: Wording) -> dict:
    prefix, uscc = scope(p, wording)
    if row is None or (uscc and row["uscc"] != uscc) or not row["region_code"].startswith(prefix):
        raise NotFound(*wording.missing)
    return row


def require(p: Principal, who: str, wording: Wording) -> None:
    """`who`: "party" (the applicant or staff), "staff" (the agency's), "decider" (its head)."""
    if who == "party":
        return
    if scope(p, wording)[1] is not None:
        raise PermissionDenied(*wording.staff_only)
    if who == "decider" and not p.has_any_role(*DECIDERS):
        raise PermissionDenied(*wording.deciders_only)


def application_id(text: str, wording: Wording) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 2**63 - 1:
        raise NotFound(*wording.missing)
    return int(text)


def expect(app: dict, version: int) -> None:
    if version <= 0:
        raise invalid(FieldViolation("version", "version.required", "请提供读取时的版本号 version", "version (as read) is required"))
    if version != app["version"]:
        raise Conflict(f"申请已被更新（当前版本 {app['version']}），请刷新后重试",
                       f"The application has changed (now version {app['version']}); read it again")


def region_filter(p: Principal, text: str, wording: Wording) -> str:
    """The region prefix a queue is filtered to: the caller's, or a part of it they asked for."""
    prefix, _ = scope(p, wording)
    if not text:
        return prefix
    if not regions.is_well_formed(text):
        raise invalid(FieldViolation("region_code", "region_code.format", "行政区划代码格式错误", "Malformed region code"))
    if p.kind == "staff" and not regions.covers(p.region or "", text):
        raise NotFound("不在您的辖区内", "Outside your region")
    return regions.significant_prefix(text)


@dataclass
class Filters:
    """The WHERE of a queue, the errors found reading its query, and the page asked for."""
    where: list[str]
    params: list
    errors: list[FieldViolation]
    size: int = 0
    after: int | None = None

    def equal(self, q: dict, name: str, allowed) -> None:
        if q.get(name):
            if q[name] not in allowed:
                self.errors.append(FieldViolation(name, f"{name}.enum", "取值不在可选范围内", f"Unknown {name}"))
            self.where.append(f"{name} = %s")
            self.params.append(q[name])

    def overdue(self, q: dict, sql: str, params: list) -> None:
        """overdue=true adds `sql` with `params`; anything but true or false is an error."""
        value = q.get("overdue", "")
        if value not in ("", "true", "false"):
            self.errors.append(FieldViolation("overdue", "overdue.enum", "overdue 应为 true 或 false", "overdue is true or false"))
        if value == "true":
            self.where.append(sql)
            self.params.extend(params)

    def finish(self, q: dict) -> Filters:
        """Reads the page asked for, and refuses the query if anything in it was wrong."""
        self.size, after = jsonio.page(q)
        if after and not after.isdigit():
            self.errors.append(FieldViolation("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token"))
        if self.errors:
            raise invalid(*self.errors)
        self.after = int(after) if after else None
        return self


def queue_filters(p: Principal, q: dict, wording: Wording, *, statuses: dict, open_statuses: tuple[str, ...]) -> Filters:
    """Region (the caller's or part of it), the enterprise (an enterprise sees itself only) and
    status (a code, or `open`); the workflow adds its own and calls `finish`."""
    _, own = scope(p, wording)
    f = Filters(["region_code LIKE %s"], [region_filter(p, q.get("region_code", ""), wording) + "%"], [])
    uscc = own or q.get("uscc", "").strip().upper()
    if uscc:
        f.where.append("uscc = %s")
        f.params.append(uscc)
    status = q.get("status", "")
    if status == "open":
        f.where.append("status = ANY(%s)")
        f.params.append(list(open_statuses))
    elif status:
        if status not in statuses:
            f.errors.append(FieldViolation("status", "status.enum", "状态不在可选范围内（或 open：办理中）", "Unknown status"))
        f.where.append("status = %s")
        f.params.append(status)
    return f


# --- views ----------------------------------------------------------------------------------------

def steps_view(steps: list[dict], *, actions: dict, statuses: dict) -> list[dict]:
    return [{"action": s["action"], "action_name": actions.get(s["action"], s["action"]), "status_from": s["status_from"],
             "status_from_name": statuses.get(s["status_from"] or "", ""), "status_to": s["status_to"],
             "status_to_name": statuses[s["status_to"]], "actor": s["actor"], "at": s["at"], "detail": s["detail"]}
            for s in steps]


def answer(data) -> pb.JsonResponse:
    return pb.JsonResponse(json=jsonio.dumps(data))


# --- the write machinery --------------------------------------------------------------------------

@dataclass
class Step:
    """What a step of an application works with, inside the write's transaction."""
    conn: psycopg.Connection
    p: Principal
    body: dict
    calendar: Calendar
    table: dict
    today: date

    @property
    def actor(self) -> str:
        """The name the step records: the person's, not the account's."""
        return self.p.name


class Workflow:
    """The write machinery of an application workflow's servicer. A subclass sets SERVICE (its
    gRPC name), AUDIT (the audit action prefix), TARGET (the audit target type), WORDING, TABLES,
    WRITES (method → AuditedWrite, whose action names the rules' FROM and WHO), rules, store and
    events, and says how deadlines are stored (`_deadlines`), what the audit entry
    summarises (`_summary`) and how an application is answered (`_answer`)."""
    SERVICE: str
    AUDIT: str
    TARGET: str
    WORDING: Wording
    TABLES: Tables
    STEP: type[Step] = Step
    WRITES: dict
    rules: ModuleType
    store: ModuleType
    events: ModuleType

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    # --- what a workflow says itself
    def _deadlines(self, s: Step, values: dict) -> dict:
        raise NotImplementedError

    def _summary(self, app: dict) -> dict:
        raise NotImplementedError

    def _answer(self, s: Step, app: dict) -> pb.JsonResponse:
        raise NotImplementedError

    def _require(self, p: Principal, who: str, app: dict) -> None:
        require(p, who, self.WORDING)

    # --- the machinery
    def _step(self, conn: psycopg.Connection, p: Principal, body: bytes, table: dict) -> Step:
        return self.STEP(conn, p, jsonio.body(body), workdays.load(conn), table, jsonio.today())

    def _get(self, p: Principal, conn: psycopg.Connection, text: str, *, for_update: bool = False) -> dict:
        """The application `text` names, if the caller may see it (else answered like an absent one)."""
        return visible(p, self.store.get(conn, application_id(text, self.WORDING), for_update=for_update), self.WORDING)

    def _once(self, request, context, method: str, work: Callable[[psycopg.Connection], pb.JsonResponse]) -> pb.JsonResponse:
        with self.pool.connection() as conn, conn.transaction():
            return idempotency.once(conn, context, method=f"/{self.SERVICE}/{method}", request=request,
                                    response_type=pb.JsonResponse, work=lambda: work(conn))

    def _actions(self, p: Principal, app: dict) -> list[str]:
        """The steps the caller may take on the application now, by its status and their role (the
        step's own rule may still refuse, e.g. a second correction notice): what a page offers."""
        out = []
        for action, statuses in self.rules.FROM.items():
            if app["status"] in statuses:
                try:
                    self._require(p, self.rules.WHO[action], app)
                except PermissionDenied:
                    continue
                out.append(action)
        return out

    def _act(self, request, context, method: str, step: Callable[[Step, dict], Outcome],
             after: Callable[[Step, dict], None] | None = None) -> pb.JsonResponse:
        """One step on an existing application: lock it, check who (rules.WHO of the method's
        action, then the version they read), apply the rule, and store the result with its step,
        audit entry and event (and what `after` adds in the same transaction)."""
        p = current_principal()
        who = self.rules.WHO[self.WRITES[method].action.split(".", 1)[1]]

        def work(conn):
            app = self._get(p, conn, request.id, for_update=True)
            self._require(p, who, app)
            expect(app, request.version)
            s = self._step(conn, p, request.body, self.TABLES.of(app))
            action, changes, detail = step(s, app)
            fresh = self._save(s, app, action=action, changes=changes, detail=detail)
            if after:
                after(s, fresh)
            return self._answer(s, fresh)
        return self._once(request, context, method, work)

    def _record(self, s: Step, app: dict, *, action: str, status_from: str | None, detail: dict) -> None:
        self.store.step(s.conn, app["id"], action=action, status_from=status_from, status_to=app["status"], actor=s.actor,
                        account=s.p.label, detail=detail)
        audit.record(s.conn, action=f"{self.AUDIT}.{action}", target_type=self.TARGET, target_id=str(app["id"]),
                     target_region=app["region_code"], uscc=app["uscc"], summary=self._summary(app))
        self.events.application_changed(s.conn, app, action=action, actor=s.p.label)

    def _save(self, s: Step, app: dict, *, action: str, changes: dict, detail: dict) -> dict:
        changes = changes | self._deadlines(s, app | changes)
        fresh = self.store.update(s.conn, app["id"], version=app["version"], changes=changes)
        if fresh is None:  # the row is locked and its version checked: only a bug elsewhere gets here
            raise Conflict("申请已被更新，请刷新后重试", "The application has changed; read it again")
        self._record(s, fresh, action=action, status_from=app["status"], detail=detail)
        return fresh

    def _insert(self, s: Step, values: dict, *, action: str, detail: dict) -> dict:
        values = values | self._deadlines(s, values)
        fresh = self.store.insert(s.conn, values)
        self._record(s, fresh, action=action, status_from=None, detail=detail)
        return fresh
