// 执法检查: plans, inspections, enforcement documents, re-checks and the officers who inspect.
// Calls and shapes of gateway/inspections/router.py (views: services/supervision/inspections/servicer.py).
import { apiGet, apiPost, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'
import { beijingToday } from '../common'

const opts = { notify: false }

// --- officers (the data centre's officer records) ----------------------------------------------

export interface Officer {
  id: number | string
  name: string
  region_code: string
  agency: string | null
  certificate_number: string | null
  valid_from: string | null
  valid_until: string | null
  status: string | null
}

/** Whether the officer's enforcement certificate is valid today (Beijing). */
export function certificateValid(o: Officer, today = beijingToday()): boolean {
  if (!o.valid_until || o.valid_until < today) return false
  if (o.valid_from && o.valid_from > today) return false
  return o.status !== 'expired' && o.status !== 'revoked'
}

/** The officers of a region (every page, at most 1,000). */
export async function getOfficers(regionCode: string): Promise<Officer[]> {
  const out: Officer[] = []
  let token = ''
  for (let i = 0; i < 5; i++) {
    const page = await apiGet<PageAnswer<Officer>>('/api/v1/officers', { region_code: regionCode, page_size: 200, page_token: token }, opts)
    out.push(...(page.items ?? []))
    token = page.next_page_token ?? ''
    if (!token) break
  }
  return out.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
}

// --- plans ---------------------------------------------------------------------------------------

export interface PlanItem {
  id: number
  uscc: string
  enterprise_name: string
  month: number
  key_target: boolean
  officer_ids: string[]
  officer_names: string[]
  reason: string
  inspection_id: number | null
}

export interface Plan {
  id: number
  county_code: string
  county_name: string
  year: number
  status: 'draft' | 'published'
  status_name: string
  seed: string
  digest: string
  summary: Record<string, unknown>
  /** [uscc, name, reason] or similar tuples the draw could not staff. */
  unassigned: unknown[][]
  created_by: string
  created_at: string
  published_by: string | null
  published_at: string | null
  version: number
  per_month: number[]
  officer_loads: { name: string; inspections: number }[]
  items: PlanItem[]
}

export interface PlanVerification {
  id: number
  verified: boolean
  digest: string
  recomputed_digest: string
  items: number
}

export const findPlan = (county_code: string, year: number) =>
  apiGet<Plan>('/api/v1/inspection-plans', { county_code, year }, opts)
export const generatePlan = (body: { county_code: string; year: number; seed?: number }, key?: string) =>
  apiPost<Plan>('/api/v1/inspection-plans', body, { idempotencyKey: key })
export const publishPlan = (plan: Plan, key?: string) =>
  apiPost<Plan>(`/api/v1/inspection-plans/${plan.id}/publication`, { version: plan.version }, { idempotencyKey: key })
export const verifyPlan = (id: number) => apiGet<PlanVerification>(`/api/v1/inspection-plans/${id}/verification`, undefined, opts)

// --- checklists ----------------------------------------------------------------------------------

export interface ChecklistItem {
  code: string
  clause: string
  text: string
  /** A 重大事故隐患判定标准 item. */
  major: boolean
  category: string
  source: string
  verify: boolean
}

export const getChecklist = (uscc: string) =>
  apiGet<{ sector: string; sector_name: string; items: ChecklistItem[] }>('/api/v1/inspection-checklists', { uscc }, opts)

// --- inspections ---------------------------------------------------------------------------------

export type Mode = 'routine' | 'special' | 'unannounced'
export type Handling = 'fixed_on_site' | 'order' | 'measures'

export const MODES: [Mode, string][] = [
  ['routine', '日常检查'],
  ['special', '专项检查'],
  ['unannounced', '四不两直'],
]
export const MODE_NAMES = Object.fromEntries(MODES) as Record<Mode, string>
export const HANDLINGS: [Handling, string][] = [
  ['fixed_on_site', '当场整改'],
  ['order', '责令限期整改'],
  ['measures', '现场处理措施'],
]
export const HANDLING_NAMES = Object.fromEntries(HANDLINGS) as Record<Handling, string>

export interface InspectionOfficer {
  id: string
  name: string
  agency: string
  valid_until: string
  certificate_number: string
}

export interface Finding {
  seq: number
  item_code: string | null
  item_text: string | null
  item_clause: string | null
  description: string
  major: boolean
  level_name: string
  handling: Handling
  handling_name: string
  deadline: string | null
  basis: string
  hazard_id: string | null
}

export interface Inspection {
  id: number
  plan_item_id: number | null
  uscc: string
  enterprise_name: string
  region_code: string
  county_name: string
  sector: string
  sector_name: string
  mode: Mode
  mode_name: string
  status: 'in_progress' | 'completed'
  status_name: string
  place: string
  started_at: string
  ended_at: string | null
  officers: InspectionOfficer[]
  checklist: string[]
  content: string | null
  unit_present: { name: string; post: string } | null
  created_by: string
  completed_at: string | null
  version: number
  findings: Finding[] | null
  documents: DocumentBrief[] | null
  hazards_pending: number
}

export const getInspection = (id: number | string) => apiGet<Inspection>(`/api/v1/inspections/${id}`, undefined, opts)
export const listInspections = (q: { status?: string; uscc?: string; page_size?: number }, pageToken = '') =>
  apiGet<PageAnswer<Inspection>>('/api/v1/inspections', { ...q, page_token: pageToken }, opts)

/** The POST of each step of an inspection, with the key the caller keeps for its retries. */
export function inspectionPath(kind: 'start' | 'finding' | 'remove' | 'complete', id?: number | string): string {
  if (kind === 'start') return '/api/v1/inspections'
  const base = `/api/v1/inspections/${id}`
  return { finding: `${base}/findings`, remove: `${base}/findings/removal`, complete: `${base}/completion` }[kind]
}

export const retryHazards = (id: number, options: RequestOptions = {}) =>
  apiPost<Inspection>(`/api/v1/inspections/${id}/completion`, {}, options)

// --- documents -----------------------------------------------------------------------------------

export const DOCUMENT_TYPES: [string, string][] = [
  ['inspection_record', '现场检查记录'],
  ['rectification_order', '责令限期整改指令书'],
  ['onsite_measures', '现场处理措施决定书'],
  ['recheck_opinion', '整改复查意见书'],
  ['case_filing', '立案审批表'],
  ['penalty_notice', '行政处罚告知书'],
  ['hearing_notice', '听证告知书'],
  ['penalty_decision', '行政处罚决定书'],
  ['service_receipt', '送达回执'],
  ['case_closing', '结案审批表'],
]

export interface DocumentBrief {
  id: number
  type: string
  type_name: string
  number: string | null
  agency_name: string
  uscc: string
  enterprise_name: string
  region_code: string
  county_name: string
  inspection_id: number | null
  parent_id: number | null
  due_on: string | null
  issued_by: string
  issued_at: string
  unit_signed: boolean
  unit_refused: boolean
  /** A rectification order's re-check, as its enterprise sees it. */
  rectification?: Rectification
}

/** The enterprise's 整改情况报告 against an order (the latest one is shown). */
export interface RectificationReport {
  items: { no: number; measures: string; completed_on: string }[]
  summary: string
  principal: string
  reported_on: string
  reported_at: string
  reported_by: string
}

export interface Rectification {
  id: number
  state: RecheckState
  state_name: string
  rectify_by: string
  due_on: string
  done_on: string | null
  result: 'passed' | 'failed' | null
  result_name: string | null
  next_action_name: string | null
  opinion_number: string | null
  reported: boolean
  reported_on: string | null
  report: RectificationReport | null
  report_count: number
  version: number
}

export interface Signature {
  role: string
  name: string
  post?: string
  certificate_number?: string
  refused?: boolean
  note?: string
  signed_at?: string
  recorded_by?: string
}

export interface EnforcementDocument extends DocumentBrief {
  body: { fields?: Record<string, unknown>; items?: { no: number; text: string; deadline: string | null; basis: string }[]; enterprise?: Record<string, string> }
  signatures: Signature[]
}

export const pdfUrl = (id: number) => `/api/v1/enforcement-documents/${id}/pdf`
export const listDocuments = (q: { type?: string; uscc?: string; year?: number | ''; page_size?: number }, pageToken = '') =>
  apiGet<PageAnswer<DocumentBrief>>('/api/v1/enforcement-documents', { ...q, page_token: pageToken }, opts)
export const getDocument = (id: number | string) => apiGet<EnforcementDocument>(`/api/v1/enforcement-documents/${id}`, undefined, opts)
export const reportRectification = (id: number | string, body: Record<string, unknown>, options: RequestOptions = {}) =>
  apiPost<EnforcementDocument>(`/api/v1/enforcement-documents/${id}/rectification-report`, body, options)
export const signDocument = (id: number, body: { role: string; name: string; refused: boolean; note: string }, options: RequestOptions = {}) =>
  apiPost<EnforcementDocument>(`/api/v1/enforcement-documents/${id}/signatures`, body, options)

// --- re-checks -----------------------------------------------------------------------------------

export type RecheckState = 'waiting' | 'due' | 'overdue' | 'done'

export interface Recheck {
  id: number
  order_id: number
  order_number: string
  inspection_id: number
  uscc: string
  enterprise_name: string
  region_code: string
  county_name: string
  rectify_by: string
  due_on: string
  done_on: string | null
  result: 'passed' | 'failed' | null
  result_name: string | null
  opinion: string | null
  next_action: 'new_order' | 'case' | null
  next_action_name: string | null
  opinion_id: number | null
  opinion_number: string | null
  done_by: string | null
  version: number
  state: RecheckState
  state_name: string
  overdue: boolean
  reported: boolean
  reported_on: string | null
  report: RectificationReport | null
  report_count: number
}

export const listRechecks = (q: { state?: string; page_size?: number }, pageToken = '') =>
  apiGet<PageAnswer<Recheck>>('/api/v1/rechecks', { ...q, page_token: pageToken }, opts)
export const recordRecheck = (id: number, body: Record<string, unknown>, options: RequestOptions = {}) =>
  apiPost<Recheck>(`/api/v1/rechecks/${id}`, body, options)
