// 行政处罚案件: calls and shapes of the penalty-case routes in gateway/inspections/router.py
// (view: services/supervision/enforcement/servicer.py `case_view`; each step's fields:
// services/supervision/enforcement/cases.py `step_fields`).
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
}

/** The chain (cases.STEPS), in order. */
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
export const SERVICE_METHODS = ['直接送达', '留置送达', '邮寄送达', '委托送达', '公告送达', '电子送达']
/** 立案, 处罚决定 and 结案 need a supervisor's approval (负责人审批). */
export const APPROVED_STEPS = new Set(['filing', 'decision', 'closure'])

export interface StepField {
  /** The body's field; `penalty.content` and `penalty.amount_cny` are nested. */
  name: string
  label: string
  type: 'text' | 'textarea' | 'number' | 'date' | 'select' | 'switch'
  required?: boolean
  options?: string[]
  max?: number
  placeholder?: string
}

/** The form of each step, as the route's description and cases.step_fields name them. */
export const STEP_FIELDS: Record<string, StepField[]> = {
  filing: [
    { name: 'summary', label: '案情摘要', type: 'textarea', required: true, max: 2000 },
    { name: 'approver_opinion', label: '负责人审批意见', type: 'textarea', required: true, max: 500, placeholder: '如：同意立案' },
  ],
  investigation: [
    { name: 'facts', label: '违法事实', type: 'textarea', required: true, max: 2000 },
    { name: 'evidence', label: '证据', type: 'textarea', required: true, max: 2000 },
    { name: 'violated', label: '违反的规定', type: 'text', required: true, max: 500, placeholder: '如：《安全生产法》第三十六条' },
  ],
  notice: [
    { name: 'basis', label: '处罚依据', type: 'text', required: true, max: 500, placeholder: '如：《安全生产法》第九十九条' },
    { name: 'penalty.content', label: '拟处罚内容', type: 'text', required: true, max: 500 },
    { name: 'penalty.amount_cny', label: '罚款金额（元）', type: 'number' },
  ],
  statement: [
    { name: 'statement', label: '陈述申辩或听证情况', type: 'textarea', required: true, max: 2000 },
    { name: 'hearing_held', label: '已举行听证', type: 'switch' },
  ],
  decision: [
    { name: 'decision', label: '处罚决定内容', type: 'textarea', required: true, max: 500 },
    { name: 'bank', label: '罚款缴纳银行', type: 'text', max: 100, placeholder: '处以罚款的必填' },
  ],
  service: [
    { name: 'method', label: '送达方式', type: 'select', required: true, options: SERVICE_METHODS },
    { name: 'served_on', label: '送达日期', type: 'date', required: true },
    { name: 'recipient', label: '受送达人', type: 'text', required: true, max: 50 },
  ],
  execution: [
    { name: 'execution', label: '执行情况', type: 'textarea', required: true, max: 2000 },
    { name: 'paid_cny', label: '已缴纳罚款（元）', type: 'number' },
  ],
  closure: [
    { name: 'summary', label: '处理及执行情况', type: 'textarea', required: true, max: 2000 },
    { name: 'approver_opinion', label: '负责人审批意见', type: 'textarea', required: true, max: 500, placeholder: '如：同意结案' },
  ],
}

/** Labels of the fields a done step recorded, for the timeline. */
export const FIELD_LABELS: Record<string, string> = {
  summary: '摘要', approver_opinion: '审批意见', facts: '违法事实', evidence: '证据', violated: '违反的规定', basis: '处罚依据',
  statement: '陈述申辩/听证', hearing_held: '听证', decision: '处罚决定', bank: '缴款银行', method: '送达方式', served_on: '送达日期',
  recipient: '受送达人', execution: '执行情况', paid_cny: '已缴罚款（元）',
}

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
