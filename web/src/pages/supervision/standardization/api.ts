// 安全生产标准化定级: calls and shapes of gateway/standardization/router.py (the JSON is
// services/supervision/standardization/servicer.py `view`; the standards are rules.standards_view).
import { apiGet, apiPost, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'
import type { ClockView } from '@/shared/ClockCell.vue'
import type { Deadline, Step } from '../licensing/api'

export type { ClockView, Deadline, Step }

const opts = { notify: false }

export interface Threshold {
  op: 'gte' | 'gt' | 'lte' | 'lt'
  op_symbol: string
  value: number
}

export interface Element {
  code: string
  name: string
  points: number
  part: string | null
  optional: boolean
}

export interface Family {
  code: string
  name: string
  standard: string
  sectors: string[]
  elements: Element[]
  parts: { code: string; name: string; points?: number }[]
  bands: { grade: string; grade_name: string; total: Threshold; parts: Record<string, Threshold> }[]
  review_levels: { grade: string; level: string; level_name: string }[]
  review_working_days: number
  notice_working_days: number
  source: string
}

export interface Standards {
  effective_from: string
  source: string
  families: Family[]
  grades: { grade: string; name: string; roman: string }[]
  common: {
    validity_months: number
    renewal_window_months: number
    min_system_run_months: number
    min_experts: number
    platform_review_levels: string[]
  }
}

export interface Score {
  code: string
  name: string
  points: number
  part: string | null
  optional: boolean
  scored: boolean
  score: number | null
  not_applicable: boolean
  note: string
  entered_by: string | null
}

export interface Clock {
  received_on: string
  review_due: Deadline
  review_overdue: boolean
  working_days_left: number | null
  notice: { starts_on: string; ends: Deadline; open: boolean; over: boolean } | null
  certificate: { valid_until: string; state: string; renewal_opens: string; renewal_open: boolean; days_to_expiry: number } | null
}

export interface Considered {
  grade: string
  grade_name: string
  unmet: string[]
  preconditions: { code: string; reason: string; accident_ids: (string | null)[] }[]
}

export interface Objection {
  content: string
  objector: string
  received_on: string
  by: string
}

export interface Certificate {
  number: string
  issued_grade: string
  issued_grade_name: string
  grade: string
  grade_name: string
  issued_on: string
  valid_until: string
  state: string
  state_name: string
  actions: { action: string; from_grade?: string; to_grade?: string; reasons: string; accident_id: string | null; on: string; by?: string }[]
}

/** An action code of rules.ACTIONS. */
export type ActionCode = 'accept' | 'return' | 'score' | 'review' | 'notice' | 'object' | 'certify' | 'renew' | 'downgrade' | 'revoke'

export interface Application {
  id: string
  kind: 'new' | 'renewal'
  kind_name: string
  parent_id: string | null
  uscc: string
  enterprise_name: string
  region_code: string
  sector: string | null
  sector_name: string | null
  family: string
  family_name: string
  standard: string
  agency_code: string
  reviewing_authority: string
  applied_grade: string
  applied_grade_name: string
  self_score: number
  self_assessment: string
  system_running_since: string
  note: string
  status: string
  status_name: string
  submitted_at: string
  submitted_by: string
  accepted_on: string | null
  return_reasons: string | null
  experts: string[]
  total_score: number | null
  part_scores: { code: string; name: string; score: number | null }[]
  awarded_grade: string | null
  awarded_grade_name: string | null
  review: { considered: Considered[] } | null
  reviewed_on: string | null
  reviewed_by: string | null
  objections: Objection[]
  objections_handled: string | null
  certified_on: string | null
  certificate: Certificate | null
  clock: Clock
  version: number
  /** On a single read or a write: every element of the standard with its score. */
  scores?: Score[]
  steps?: Step[]
  /** On a single read or a write: the steps the caller may take now (the server's own answer). */
  actions?: ActionCode[]
}

/** The statuses (rules.STATUSES), in the order of the procedure. */
export const STATUSES: [string, string][] = [
  ['submitted', '已申请'],
  ['accepted', '已受理'],
  ['under_review', '评审中'],
  ['reviewed', '评审通过'],
  ['not_passed', '未通过'],
  ['in_notice', '公示中'],
  ['certified', '已发证'],
  ['returned', '已退回'],
]
/** The review clock runs (rules.UNDER_WAY). */
export const UNDER_WAY = ['submitted', 'accepted', 'under_review']

const BASE = '/api/v1/standardization'

export const getStandards = () => apiGet<Standards>(`${BASE}/standards`, undefined, opts)
export const listApplications = (
  q: { status?: string; family?: string; applied_grade?: string; kind?: string; overdue?: string; uscc?: string; page_size?: number },
  pageToken = '',
) => apiGet<PageAnswer<Application>>(`${BASE}/applications`, { ...q, page_token: pageToken }, opts)
export const getApplication = (id: string) => apiGet<Application>(`${BASE}/applications/${encodeURIComponent(id)}`, undefined, opts)
/** A new grading application (an enterprise for itself; staff with `uscc`): applied_grade, self_score,
 *  system_running_since, self_assessment (the report's reference), note; checked field by field (422). */
export const submitApplication = (body: Record<string, unknown>, options: RequestOptions = {}) =>
  apiPost<Application>(`${BASE}/applications`, body, options)
/** The sector (监管行业) the data centre holds for an enterprise: the server grades it by the family
 *  of the standards that lists this sector. */
export const getEnterpriseSector = (uscc: string) =>
  apiGet<{ sector: string | null }>(`/api/v1/enterprises/${encodeURIComponent(uscc)}`, undefined, opts).then((r) => r.sector ?? null)

/** The family whose standard grades enterprises of `sector` (none: the sector is not graded). */
export function familyOfSector(s: Standards | null | undefined, sector: string | null | undefined): Family | undefined {
  return sector ? s?.families.find((f) => f.sectors.includes(sector)) : undefined
}

/** The grades of `family` the platform grades (its review level is the city's or a county's), best first. */
export function familyGrades(s: Standards | null | undefined, family: Family | undefined): { grade: string; name: string; level_name: string }[] {
  if (!s || !family) return []
  const levels = s.common.platform_review_levels
  return s.grades.flatMap((g) => {
    const r = family.review_levels.find((x) => x.grade === g.grade)
    return r && levels.includes(r.level) ? [{ grade: g.grade, name: g.name, level_name: r.level_name }] : []
  })
}
export const act = (id: string, path: string, body: Record<string, unknown>, options: RequestOptions = {}) =>
  apiPost<Application>(`${BASE}/applications/${encodeURIComponent(id)}/${path}`, body, options)

/** The grades the platform grades (二级 by the city, 三级 by the county), best first. */
export function platformGrades(s: Standards | null | undefined): { grade: string; name: string }[] {
  if (!s) return []
  const levels = s.common.platform_review_levels
  const graded = new Set(s.families.flatMap((f) => f.review_levels.filter((r) => levels.includes(r.level)).map((r) => r.grade)))
  return s.grades.filter((g) => graded.has(g.grade))
}

// --- the actions a step offers ----------------------------------------------------------------

export interface FieldSpec {
  name: string
  label: string
  type: 'text' | 'textarea' | 'date' | 'select' | 'number'
  required?: boolean
  /** [code, name]; for to_grade and applied_grade filled in by the view. */
  options?: [string, string][]
  placeholder?: string
  /** For text: how long it may be (100 otherwise). */
  maxlength?: number
}

export interface ActionSpec {
  code: ActionCode
  label: string
  path: string
  fields: FieldSpec[]
  danger?: boolean
  primary?: boolean
  /** The answer is a new application (renewal). */
  creates?: boolean
  /** Entered in the score sheet, not in a dialog. */
  sheet?: boolean
}

const SANCTION_FIELDS: FieldSpec[] = [
  { name: 'reasons', label: '事实和理由', type: 'textarea', required: true },
  { name: 'accident_id', label: '相关事故编号', type: 'text', placeholder: '因事故降级或撤销时填写' },
]

/** The steps of rules.ACTIONS with the page's labels and fields, in the order of the procedure. */
export const ACTIONS: ActionSpec[] = [
  { code: 'accept', label: '受理', path: 'acceptance', fields: [], primary: true },
  {
    code: 'return', label: '退回', path: 'return', danger: true,
    fields: [{ name: 'reasons', label: '退回理由', type: 'textarea', required: true }],
  },
  { code: 'score', label: '录入得分', path: 'scores', fields: [], primary: true, sheet: true },
  { code: 'review', label: '评审结论', path: 'review', fields: [], primary: true },
  { code: 'notice', label: '发布公示', path: 'notice', fields: [], primary: true },
  {
    code: 'object', label: '登记异议', path: 'objections',
    fields: [
      { name: 'content', label: '异议内容', type: 'textarea', required: true },
      { name: 'objector', label: '异议人', type: 'text', placeholder: '可填“匿名”' },
      { name: 'received_on', label: '收到日期', type: 'date', required: true },
    ],
  },
  {
    code: 'certify', label: '颁发证书', path: 'certificate', primary: true,
    fields: [{ name: 'objections_handled', label: '异议核实处理情况', type: 'textarea' }],
  },
  {
    code: 'renew', label: '申请复评换证', path: 'renewal', creates: true,
    fields: [
      { name: 'applied_grade', label: '申请等级', type: 'select', required: true },
      { name: 'self_score', label: '自评得分', type: 'number', required: true },
      { name: 'system_running_since', label: '体系运行起始日期', type: 'date', required: true },
      { name: 'self_assessment', label: '自评报告（文件编号）', type: 'text', maxlength: 200 },
      { name: 'note', label: '备注', type: 'textarea' },
    ],
  },
  {
    code: 'downgrade', label: '降级', path: 'downgrade', danger: true,
    fields: [{ name: 'to_grade', label: '降为', type: 'select', required: true }, ...SANCTION_FIELDS],
  },
  { code: 'revoke', label: '撤销', path: 'revocation', danger: true, fields: SANCTION_FIELDS },
]

/** The steps the server says the caller may take now (by the status, their role and whether their
 *  region is the reviewing agency's). */
export function actionsFor(app: Application): ActionSpec[] {
  const allowed = new Set(app.actions ?? [])
  return ACTIONS.filter((a) => allowed.has(a.code))
}

// --- what a person reads --------------------------------------------------------------------------

/** A score as read: 80 → `80`, 80.5 → `80.5`; none → `—`. */
export function scoreText(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : String(v)
}

/** Where an application stands on its clock: the review period while it runs, then the notice,
 *  then the certificate's validity; for the applicant (`party`) a notice at its end waits for the
 *  agency's certificate. */
export function clockView(app: Application, today: string, party = false): ClockView {
  const c = app.clock
  if (UNDER_WAY.includes(app.status)) {
    const due = c.review_due
    const left = c.working_days_left ?? 0
    return {
      text: c.review_overdue ? '评审已超期' : left > 0 ? `评审期剩${left}个工作日` : '评审期最后一日',
      label: '评审期限', date: due.date, overdue: c.review_overdue, dueToday: !c.review_overdue && due.date === today, provisional: due.provisional,
    }
  }
  if (app.status === 'in_notice' && c.notice) {
    return {
      text: c.notice.over ? (party ? '公示期满，待颁发证书' : '公示期满，可发证') : '公示中', label: '公示截止', date: c.notice.ends.date,
      overdue: false, dueToday: false, provisional: c.notice.ends.provisional,
    }
  }
  if (c.certificate) {
    return {
      text: `证书${app.certificate?.state_name ?? ''}`, label: '有效期至', date: c.certificate.valid_until,
      overdue: false, dueToday: false, provisional: false,
    }
  }
  const text = app.status === 'reviewed' ? '待发布公示' : app.status === 'not_passed' ? '评审未通过' : app.status === 'returned' ? '已退回' : app.status_name
  return { text, label: '', date: null, overdue: false, dueToday: false, provisional: false }
}
