// 行政处罚案件: calls and shapes of the penalty-case routes in gateway/inspections/router.py
// (view: services/supervision/enforcement/servicer.py `case_view`). Each step's form comes with the
// case (`form`, from services/supervision/enforcement/cases.py `FORMS`, which step_fields checks).
import { apiGet, apiPost, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'


const opts = { notify: false }
const BASE = '/api/v1/penalty-cases'

export interface CaseStep {
  step: string
  step_name: string
  done_at: string
  by: string
  fields: Record<string, unknown>
  /** What the step recorded, labelled by its form, in the form's order (empty values left out). */
  entries: { name: string; label: string; kind: FieldKind; value: unknown }[]
  /** The enforcement document the step issued (#/documents/<id>), and its number (a 送达回执 has none). */
  document_id: number | null
  number: string | null
}

export interface PenaltyCase {
  id: number
  case_number: string | null
  uscc: string
  enterprise_name: string
  region_code: string
  county_name: string
  inspection_id: number | null
  recheck_id: number | null
  source: string
  cause: string
  /** The next step to take (`closed` when done). */
  step: string
  step_name: string
  /** 立案, 处罚决定 and 结案 need a supervisor's approval (负责人审批). */
  needs_approval: boolean
  due_on: string | null
  due_provisional: boolean
  due_note: string
  overdue: boolean
  steps: CaseStep[]
  penalty: { content?: string; amount_cny?: number } | null
  opened_at: string
  opened_by: string
  closed_at: string | null
  version: number
  /** The steps still to take, the next one first. */
  remaining: { step: string; step_name: string }[]
  /** The next step's form, on a single read or a write: empty when closed or when the caller may not take it. */
  form?: StepField[]
}

export type FieldKind = 'text' | 'textarea' | 'date' | 'money' | 'choice' | 'flag'

/** One field of a step's form (cases.Field). */
export interface StepField {
  /** The body's field; `penalty.content` and `penalty.amount_cny` are nested. */
  name: string
  label: string
  kind: FieldKind
  required: boolean
  max_length: number | null
  options: string[]
  placeholder: string
  /** The value the form starts from (a date field: today; 处罚决定 starts from the notice's penalty). */
  default: string | number | boolean
}

/** The chain (cases.STEPS), in order: the list's filter (a case's page takes the names from the case). */
export const STEPS: [string, string][] = [
  ['filing', '立案'],
  ['investigation', '调查取证'],
  ['notice', '告知'],
  ['statement', '陈述申辩/听证'],
  ['decision', '处罚决定'],
  ['service', '送达'],
  ['execution', '执行'],
  ['closure', '结案'],
]
export const SOURCES = ['现场检查', '复查不合格', '举报', '其他']

export const listCases = (q: { region_code?: string; step?: string; overdue?: string; page_size?: number }, pageToken = '') =>
  apiGet<PageAnswer<PenaltyCase>>(BASE, { ...q, page_token: pageToken }, opts)

export const getCase = (id: string | number) => apiGet<PenaltyCase>(`${BASE}/${encodeURIComponent(String(id))}`, undefined, opts)

export const openCase = (body: { uscc: string; cause: string; source: string }, options: RequestOptions) =>
  apiPost<PenaltyCase>(BASE, body, options)

export const takeStep = (id: number, body: Record<string, unknown>, options: RequestOptions) =>
  apiPost<PenaltyCase>(`${BASE}/${id}/steps`, body, options)

/** `60000` → `60,000 元`. */
export function yuan(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : `${n.toLocaleString('zh-CN')} 元`
}
