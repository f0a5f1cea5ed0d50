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
    INTEGRATOR: "对接系统",
}

# Agency staff who may read the data centre's master data within their region.
DATACENTER_READERS = (PLATFORM_ADMIN, DATACENTER_ADMIN, DATACENTER_VIEWER, SUPERVISION_INSPECTOR,
                      SUPERVISION_SUPERVISOR, EMERGENCY_DUTY_OFFICER, EMERGENCY_COMMANDER)
SUPERVISION_READERS = (PLATFORM_ADMIN, SUPERVISION_INSPECTOR, SUPERVISION_SUPERVISOR)
