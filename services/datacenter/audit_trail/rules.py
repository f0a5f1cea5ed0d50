"""Who may search the audit trail and what they see. Pure functions."""
from __future__ import annotations

from dataclasses import dataclass

from services.kit import regions, roles
from services.kit.auth import Principal
from services.kit.errors import FieldViolation, PermissionDenied

OUTCOMES = ("success", "refused", "failed")


@dataclass(frozen=True)
class Scope:
    """`prefix` limits entries to those whose actor or target lies in a region; None sees all."""
    prefix: str | None


def scope_for(p: Principal, jurisdiction: str) -> Scope:
    if p.kind != "staff" or not p.has_any_role(*roles.AUDIT_READERS) or not p.region:
        raise PermissionDenied("仅平台管理员与数据中心管理员可检索审计日志", "Only administrators may search the audit trail")
    # The jurisdiction's own administrators also see entries that belong to no region (for
    # example anonymous refused attempts at the gateway); a county sees only its own.
    if regions.covers(p.region, jurisdiction):
        return Scope(None)
    return Scope(regions.significant_prefix(p.region))


def filter_violations(*, outcome: str, since, until) -> list[FieldViolation]:
    out = []
    if outcome and outcome not in OUTCOMES:
        out.append(FieldViolation("outcome", "outcome.unknown", "结果应为 success、refused 或 failed",
                                  "outcome must be success, refused or failed"))
    if since and until and since > until:
        out.append(FieldViolation("since", "time_range.inverted", "开始时间晚于结束时间", "since is after until"))
    return out
