"""Authentication for every API route (a dependency on the parent router) and the permission
objects routes declare beside themselves."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request

from services.kit.auth import Principal, bearer_token, principal_var
from services.kit.errors import PermissionDenied


async def authenticated(request: Request) -> Principal:
    token = bearer_token(request.headers.get("authorization"))
    principal = request.app.state.verifier.verify(token)
    request.state.token = token
    request.state.principal = principal
    principal_var.set(principal)
    return principal


@dataclass(frozen=True)
class Permission:
    """Who may call a route: caller kinds and (for staff) roles. Region and ownership are checked
    by the route against the record, and again by the service."""
    name: str
    kinds: frozenset[str]
    roles: frozenset[str] = frozenset()

    def check(self, p: Principal) -> Principal:
        if p.kind not in self.kinds or (self.roles and not p.roles & self.roles):
            raise PermissionDenied("当前账号无权访问此接口", f"Not allowed: requires {self.name}")
        return p

    def dependency(self):
        async def _check(p: Principal = Depends(authenticated)) -> Principal:
            return self.check(p)
        _check.permission = self  # lets tests enumerate every route's rule
        return Depends(_check)
