// Display helpers. The platform's wall clock is Beijing time (UTC+08:00): timestamps arrive as
// ISO-8601 with +08:00 and are shown as `YYYY-MM-DD HH:mm:ss` in that zone, whatever the
// browser's own time zone is.
import type { ApplicationStatus, AuditOutcome } from './types'

const CST_OFFSET_MS = 8 * 60 * 60 * 1000
const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** `2026-11-23T10:00:00+08:00` → `2026-11-23 10:00:00`; empty → `—`; unparsable → as given. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  const d = new Date(t + CST_OFFSET_MS)
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

/** A Beijing wall-clock value from a picker (`YYYY-MM-DDTHH:mm:ss`) → ISO-8601 with +08:00. */
export function beijingIso(wallClock: string | null | undefined): string {
  if (!wallClock) return ''
  return `${wallClock.replace(' ', 'T')}+08:00`
}

/** Chinese names of the realm roles (services/kit/roles.py); unknown codes are shown as-is. */
export const ROLE_NAMES: Record<string, string> = {
  'platform-admin': '平台管理员',
  'datacenter-admin': '数据中心管理员',
  'datacenter-viewer': '数据中心查阅员',
  'supervision-inspector': '监管执法检查员',
  'supervision-supervisor': '监管科室负责人',
  'emergency-duty-officer': '应急值班员',
  'emergency-commander': '应急指挥长',
  'govaffairs-editor': '政务信息编辑',
  'govaffairs-reviewer': '政务信息审核',
  'govaffairs-clerk': '公文收发员',
  enterprise: '生产经营单位',
  integrator: '对接系统',
}

export function roleName(code: string): string {
  return ROLE_NAMES[code] ?? code
}

/** Keycloak's own roles (default-roles-<realm>, offline_access, uma_authorization) say nothing here. */
export function isPlatformRole(code: string): boolean {
  return !code.startsWith('default-roles-') && code !== 'offline_access' && code !== 'uma_authorization'
}

/** GB/T 2260 names of Pingliang and its counties; other codes are shown as they are. */
export const REGION_NAMES: Record<string, string> = {
  '620800': '平凉市',
  '620802': '崆峒区',
  '620821': '泾川县',
  '620822': '灵台县',
  '620823': '崇信县',
  '620825': '庄浪县',
  '620826': '静宁县',
  '620881': '华亭市',
}

export const APPLICATION_STATUS: Record<ApplicationStatus, { label: string; tag: 'warning' | 'success' | 'danger' }> = {
  pending: { label: '待审核', tag: 'warning' },
  approved: { label: '已批准', tag: 'success' },
  rejected: { label: '已驳回', tag: 'danger' },
}

export const AUDIT_OUTCOME: Record<AuditOutcome, { label: string; tag: 'success' | 'danger' | 'warning' }> = {
  success: { label: '成功', tag: 'success' },
  refused: { label: '被拒绝', tag: 'danger' },
  failed: { label: '失败', tag: 'warning' },
}

/** Pretty JSON for display; `—` when there is nothing. */
export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return '{}'
  return JSON.stringify(value, null, 2)
}

export function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : value
}

/** A person's name as the server recorded it; the applicant's own system account reads as the applicant. */
export function actorName(name: string | null | undefined): string {
  if (!name) return '—'
  return name.startsWith('service-account-') ? '申请单位（在线提交）' : name
}
