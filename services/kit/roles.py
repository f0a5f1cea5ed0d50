"""Realm roles of the platform (Keycloak realm `safety`), with their Chinese names for the UI.
infra/keycloak/realm.py creates exactly these; code refers to them only through these names."""

PLATFORM_ADMIN = "platform-admin"
DATACENTER_ADMIN = "datacenter-admin"
DATACENTER_VIEWER = "datacenter-viewer"
SUPERVISION_INSPECTOR = "supervision-inspector"
SUPERVISION_SUPERVISOR = "supervision-supervisor"
EMERGENCY_DUTY_OFFICER = "emergency-duty-officer"
EMERGENCY_COMMANDER = "emergency-commander"
GOVAFFAIRS_EDITOR = "govaffairs-editor"
GOVAFFAIRS_REVIEWER = "govaffairs-reviewer"
GOVAFFAIRS_CLERK = "govaffairs-clerk"
ENTERPRISE = "enterprise"
ENTERPRISE_ADMIN = "enterprise-admin"   # a person: the enterprise's administrator of its staff accounts
ENTERPRISE_STAFF = "enterprise-staff"   # a person: the enterprise's safety manager
INTEGRATOR = "integrator"

NAMES_ZH = {
    PLATFORM_ADMIN: "平台管理员",
    DATACENTER_ADMIN: "数据中心管理员",
    DATACENTER_VIEWER: "数据中心查阅员",
    SUPERVISION_INSPECTOR: "监管执法检查员",
    SUPERVISION_SUPERVISOR: "监管科室负责人",
    EMERGENCY_DUTY_OFFICER: "应急值班员",
    EMERGENCY_COMMANDER: "应急指挥长",
    GOVAFFAIRS_EDITOR: "政务信息编辑",
    GOVAFFAIRS_REVIEWER: "政务信息审核",
    GOVAFFAIRS_CLERK: "公文收发员",
    ENTERPRISE: "生产经营单位",
    ENTERPRISE_ADMIN: "企业管理员",
    ENTERPRISE_STAFF: "企业安全管理人员",
    INTEGRATOR: "对接系统",
}

# Agency staff who may read the data centre's master data within their region.
DATACENTER_READERS = (PLATFORM_ADMIN, DATACENTER_ADMIN, DATACENTER_VIEWER, SUPERVISION_INSPECTOR,
                      SUPERVISION_SUPERVISOR, EMERGENCY_DUTY_OFFICER, EMERGENCY_COMMANDER)
SUPERVISION_READERS = (PLATFORM_ADMIN, SUPERVISION_INSPECTOR, SUPERVISION_SUPERVISOR)
EMERGENCY_STAFF = (PLATFORM_ADMIN, EMERGENCY_DUTY_OFFICER, EMERGENCY_COMMANDER)   # read and log on the emergency platform
EMERGENCY_COMMANDERS = (PLATFORM_ADMIN, EMERGENCY_COMMANDER)                      # decide levels, command, close incidents
ONBOARDING_REVIEWERS = (PLATFORM_ADMIN, DATACENTER_ADMIN)  # approve applications, manage enterprise clients
AUDIT_READERS = (PLATFORM_ADMIN, DATACENTER_ADMIN)         # search the audit trail of their region

# The web front ends: which roles open which platform (the launcher offers exactly these).
PLATFORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "datacenter": ("安全生产信息数据中心", (PLATFORM_ADMIN, DATACENTER_ADMIN, DATACENTER_VIEWER)),
    "supervision": ("监管综合平台", (PLATFORM_ADMIN, SUPERVISION_INSPECTOR, SUPERVISION_SUPERVISOR)),
    "emergency": ("应急管理平台", (PLATFORM_ADMIN, EMERGENCY_DUTY_OFFICER, EMERGENCY_COMMANDER)),
    "govaffairs": ("政务管理平台", (PLATFORM_ADMIN, GOVAFFAIRS_EDITOR, GOVAFFAIRS_REVIEWER, GOVAFFAIRS_CLERK)),
}

# Enterprise staff accounts: people bound to one enterprise's credit code (user attribute `uscc`).
# Each also holds ENTERPRISE, so they pass the same checks as their enterprise's machine client.
ENTERPRISE_USER_ROLES = (ENTERPRISE_ADMIN, ENTERPRISE_STAFF)
ENTERPRISE_USER_MANAGERS = (PLATFORM_ADMIN, DATACENTER_ADMIN)  # agency staff who manage them, within their region

# Agency staff roles only: not the enterprise's (machine client or people) nor the integrators'.
STAFF_ROLES = tuple(r for r in NAMES_ZH if r not in (ENTERPRISE, *ENTERPRISE_USER_ROLES, INTEGRATOR))

# Read-only OAuth scopes an administrator may grant an integrator client (Keycloak client scopes).
INTEGRATOR_SCOPES = {
    "datacenter.read": "读取数据中心基础数据",
    "supervision.read": "读取监管登记信息",
}
