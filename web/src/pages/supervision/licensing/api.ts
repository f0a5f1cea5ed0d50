// 行政许可 and 工作日历: calls and shapes of gateway/licensing/router.py and gateway/calendar/router.py
// (views: services/supervision/licensing/servicer.py, services/kit/calendar_servicer.py).
import { apiGet, apiPost, apiPut, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'

const opts = { notify: false }

export interface Deadline {
  date: string
  /** Reaches into a year whose holiday notice is not entered yet (待节假日安排确认). */
  provisional: boolean
  note: string
}

export interface Clock {
  day_type: 'working' | 'calendar'
  day_type_name: string
  received_on: string
  notice_due: Deadline
  deemed_accepted: boolean
  accepted_on: string | null
  starts_on: string | null
  decision_due: Deadline | null
  promised_due: Deadline | null
  extended: boolean
  paused: boolean
  paused_days: number
  days_used: number
  days_left: number
  working_days_used: number
  working_days_left: number
  overdue: boolean
  beyond_promise: boolean
  decided_on: string | null
  delivery_due: Deadline | null
  delivery_overdue: boolean
  publication_due: Deadline | null
}

export interface Material {
  code: string
  name: string
  required: boolean
  provided: boolean
  reference: string
}

export interface Step {
  action: string
  action_name: string
  status_from: string | null
  status_from_name: string
  status_to: string
  status_to_name: string
  actor: string
  at: string
  detail: Record<string, unknown>
}

export interface Application {
  id: string
  licence_type: string
  licence_type_name: string
  kind: 'new' | 'renewal' | 'change'
  kind_name: string
  parent_id: string | null
  uscc: string
  enterprise_name: string
  region_code: string
  agency_code: string
  issuing_authority: string
  status: string
  status_name: string
  sector: string | null
  sector_name: string | null
  scope: string
  changes: Record<string, unknown>
  note: string
  materials: Material[]
  missing_materials: { code: string; name: string }[]
  correction: { notified_on: string; missing: { code: string; name: string }[]; note: string; by: string } | null
  submitted_at: string
  submitted_by: string
  accepted_on: string | null
  pauses: { kind: string; kind_name: string; started_on: string; ended_on: string | null; note: string; result: string }[]
  extension: { days: number; day_type: string; approved_by: string; reason: string; on: string; by: string } | null
  decision: 'approved' | 'refused' | null
  decision_name: string | null
  decision_number: string | null
  decided_on: string | null
  decided_by: string | null
  reasons: string
  review_skipped: boolean
  certificate_number: string | null
  issued_on: string | null
  valid_until: string | null
  licence_record_id: string | null
  licence_state: 'valid' | 'suspended' | 'revoked' | null
  licence_state_name: string | null
  licence_actions: { action: string; reasons: string; on: string; until: string | null; by: string }[]
  delivered_on: string | null
  delivery: { method: string; recipient: string; on: string; by: string } | null
  clock: Clock
  version: number
  steps?: Step[]
  /** On a single read or a write's answer: the steps the caller may take now (by status and role). */
  actions?: string[]
}

export interface LicenceType {
  code: string
  name: string
  issuing_level: string
  legal_days: number
  promised_days: number
  extension_days: number
  day_type: string
  day_type_name: string
  counted_from: string
  validity_months: number
  materials: { code: string; name: string; required: boolean }[]
  sectors: { code: string; name: string }[]
  source: string
}

/** The statuses (rules.STATUSES), in the order of the procedure. */
export const STATUSES: [string, string][] = [
  ['submitted', '已申请'],
  ['correction_requested', '待补正'],
  ['accepted', '已受理'],
  ['under_review', '审查中'],
  ['on_site_check', '现场核查'],
  ['expert_review', '专家评审'],
  ['hearing', '听证'],
  ['testing', '检验检测'],
  ['approved', '准予许可'],
  ['refused', '不予许可'],
  ['certificate_issued', '已制证'],
  ['delivered', '已送达'],
  ['withdrawn', '已撤回'],
]
export const PAUSE_KINDS: [string, string][] = [
  ['on_site_check', '现场核查'],
  ['expert_review', '专家评审'],
  ['hearing', '听证'],
  ['testing', '检验检测'],
]
export const DELIVERY_METHODS: [string, string][] = [
  ['in_person', '直接送达'],
  ['mail', '邮寄送达'],
  ['electronic', '电子送达'],
  ['agent', '委托送达'],
]

export const listTypes = () => apiGet<{ effective_from: string; types: LicenceType[] }>('/api/v1/licensing/types', undefined, opts)
export const listApplications = (q: { status?: string; licence_type?: string; overdue?: string; page_size?: number }, pageToken = '') =>
  apiGet<PageAnswer<Application>>('/api/v1/licensing/applications', { ...q, page_token: pageToken }, opts)
export const getApplication = (id: string) => apiGet<Application>(`/api/v1/licensing/applications/${encodeURIComponent(id)}`, undefined, opts)
/** A new application (an enterprise for itself; staff with `uscc`): licence_type, scope, sector,
 *  materials [{code, reference}], note. The server checks it field by field (422 with `errors`). */
export const submitApplication = (body: Record<string, unknown>, options: RequestOptions = {}) =>
  apiPost<Application>('/api/v1/licensing/applications', body, options)
export const act = (id: string, path: string, body: Record<string, unknown>, options: RequestOptions = {}) =>
  apiPost<Application>(`/api/v1/licensing/applications/${encodeURIComponent(id)}/${path}`, body, options)

// --- the actions a step offers ----------------------------------------------------------------

export interface FieldSpec {
  name: string
  label: string
  type: 'text' | 'textarea' | 'date' | 'select' | 'multiselect'
  required?: boolean
  options?: [string, string][]
  placeholder?: string
}

export interface ActionSpec {
  /** data-testid suffix and key. */
  code: string
  label: string
  path: string
  /** The server's name of the step (app.actions), when it is not `code`. */
  action?: string
  /** Fixed body fields (the decision's outcome). */
  fixed?: Record<string, unknown>
  fields: FieldSpec[]
  danger?: boolean
  primary?: boolean
  /** The answer is a new application (renewal, change). */
  creates?: boolean
  /** Shown only when this holds too. */
  when?: (app: Application, type: LicenceType | undefined) => boolean
}

export const ACTIONS: ActionSpec[] = [
  { code: 'accept', label: '受理', path: 'accept', fields: [], primary: true },
  {
    code: 'request_correction', label: '一次性告知补正', path: 'correction',
    when: (app) => !app.correction,
    fields: [
      { name: 'missing', label: '需补正的全部材料', type: 'multiselect', required: true },
      { name: 'note', label: '补正说明', type: 'textarea' },
    ],
  },
  {
    code: 'resubmit', label: '补正材料', path: 'materials',
    fields: [{ name: 'materials', label: '已补正的材料', type: 'multiselect', required: true }],
  },
  {
    code: 'start_pause', label: '中止计时', path: 'pauses',
    fields: [
      { name: 'kind', label: '事由', type: 'select', required: true, options: PAUSE_KINDS },
      { name: 'started_on', label: '开始日期', type: 'date', required: true },
      { name: 'note', label: '说明', type: 'textarea' },
    ],
  },
  {
    code: 'end_pause', label: '恢复计时', path: 'pauses/end',
    fields: [
      { name: 'ended_on', label: '结束日期', type: 'date', required: true },
      { name: 'result', label: '核查/评审/听证/检测结果', type: 'textarea', required: true },
    ],
  },
  {
    code: 'extend', label: '延期', path: 'extension',
    when: (app, type) => !app.extension && (type?.extension_days ?? 0) > 0 && !app.clock.overdue,
    fields: [
      { name: 'approved_by', label: '批准延长的本机关负责人', type: 'text', required: true },
      { name: 'reason', label: '延长理由（将告知申请人）', type: 'textarea', required: true },
    ],
  },
  {
    code: 'decide_approved', action: 'decide', label: '准予许可', path: 'decision', fixed: { decision: 'approved' },
    primary: true,
    fields: [
      { name: 'scope', label: '准予许可的范围', type: 'textarea', required: true },
      { name: 'reasons', label: '理由（可选）', type: 'textarea' },
    ],
  },
  {
    code: 'decide_refused', action: 'decide', label: '不予许可', path: 'decision', fixed: { decision: 'refused' },
    danger: true,
    fields: [{ name: 'reasons', label: '不予许可的理由', type: 'textarea', required: true }],
  },
  { code: 'issue_certificate', label: '发证', path: 'certificate', fields: [], primary: true },
  {
    code: 'deliver', label: '送达', path: 'delivery', primary: true,
    when: (app) => !app.delivered_on,
    fields: [
      { name: 'method', label: '送达方式', type: 'select', required: true, options: DELIVERY_METHODS },
      { name: 'recipient', label: '签收人', type: 'text', required: true },
      { name: 'delivered_on', label: '送达日期', type: 'date', required: true },
    ],
  },
  {
    code: 'renew', label: '申请延续', path: 'renewal', creates: true,
    when: (app) => app.licence_state === 'valid',
    fields: [{ name: 'note', label: '备注', type: 'textarea' }],
  },
  {
    code: 'change', label: '申请变更', path: 'change', creates: true,
    when: (app) => app.licence_state === 'valid',
    fields: [
      { name: 'scope', label: '变更后的许可范围', type: 'textarea', required: true },
      { name: 'reason', label: '变更理由', type: 'textarea', required: true },
    ],
  },
  {
    code: 'suspend', label: '暂扣许可证', path: 'suspension', danger: true,
    when: (app) => app.licence_state === 'valid',
    fields: [
      { name: 'reasons', label: '事实和理由', type: 'textarea', required: true },
      { name: 'until', label: '暂扣截止日期', type: 'date' },
    ],
  },
  {
    code: 'revoke', label: '吊销许可证', path: 'revocation', danger: true,
    when: (app) => !!app.licence_state && app.licence_state !== 'revoked',
    fields: [{ name: 'reasons', label: '事实和理由', type: 'textarea', required: true }],
  },
  {
    code: 'withdraw', label: '撤回申请', path: 'withdrawal', danger: true,
    fields: [{ name: 'reason', label: '撤回理由', type: 'textarea' }],
  },
]

/** The steps the server says the caller may take now (by status and role), where their own
 * condition holds too. */
export function actionsFor(app: Application, type: LicenceType | undefined): ActionSpec[] {
  const allowed = new Set(app.actions ?? [])
  return ACTIONS.filter((a) => allowed.has(a.action ?? a.code) && (!a.when || a.when(app, type)))
}

// --- the calendar ------------------------------------------------------------------------------

export interface CalendarDay {
  date: string
  kind: 'holiday' | 'workday'
  name: string
}

export interface CalendarYear {
  year: number
  published: boolean
  version: number | null
  source: string
  note: string
  working_days: number
  days: CalendarDay[]
  recomputed?: Record<string, number>
}

export const listYears = () =>
  apiGet<{ items: { year: number; version: number; source: string; entered_by: string; entered_at: string }[] }>('/api/v1/calendar/years', undefined, opts)
export const getYear = (year: number) => apiGet<CalendarYear>(`/api/v1/calendar/years/${year}`, undefined, opts)
export const putYear = (year: number, body: { source: string; days: CalendarDay[] }, options: RequestOptions = {}) =>
  apiPut<CalendarYear>(`/api/v1/calendar/years/${year}`, body, options)
