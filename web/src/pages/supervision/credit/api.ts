// 安全生产诚信 and 严重失信主体名单: calls and shapes of gateway/credit/router.py
// (views: services/supervision/credit/servicer.py `standing_view`, `entry_view`, `listing_view`).
import { apiGet, apiPost, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'

const opts = { notify: false }
const BASE = '/api/v1/credit'

export interface EventType {
  code: string
  name: string
  /** `event`: written by the consumers; `staff`: entered by staff with POST /events. */
  recorded_from: 'event' | 'staff' | null
  points: number | null
  /** [lowest, highest] where staff choose the points (other_finding). */
  points_range: [number, number] | null
  valid_months: number
  decay: { after_months: number; factor: string }[] | null
  /** `document`: a penalty decision's number; `text`: any reference. */
  reference: 'document' | 'text' | null
}

export interface GradeBand {
  grade: string
  name: string
  lower: { op: string; value: number } | null
  upper: { op: string; value: number } | null
}

export interface Situation {
  code: string
  name: string
  source: string
}

export interface Condition {
  code: string
  name: string
}

export interface Consequence {
  applies_to: string
  consequence_zh: string
  /** A precise plans measure (dishonesty_list from 2026-12-01): what the yearly plan does with a listed enterprise. */
  effect?: string
  extra_inspections?: number
  within_cap?: boolean
  reason_zh?: string
}

export interface CreditTypes {
  as_of: string
  event_types: EventType[]
  grades: GradeBand[]
  starting_score: number
  situations: Situation[]
  repair_conditions: Condition[]
  consequences: Consequence[]
}

export interface EnterpriseRow {
  uscc: string
  name: string
  region_code: string
  county_name: string
  score: number
  grade: string
  grade_name: string
  listed: boolean
  entries_counted: number
}

export interface Entry {
  id: string | null
  source: string
  source_name: string
  type: string
  type_name: string
  points: number
  /** What the entry counts on the day asked (0 when outside its window or counted by a worse one). */
  counted: number
  counts_until: string | null
  reason: string
  reference: string
  occurred_on: string
  recorded_by: string
  recorded_at: string | null
  /** An open major hazard past its deadline, counted at read time. */
  derived: boolean
}

export interface Repair {
  applied_on: string
  statement: string
  conditions: string[]
  state: 'pending' | 'approved' | 'refused'
  state_name: string
  by?: string
  opinion?: string
  decided_on?: string
  decided_by?: string
}

export interface DishonestyListing {
  id: string
  uscc: string
  enterprise_name: string
  region_code: string
  county_name: string
  agency_name: string
  situation: string
  situation_name: string
  situation_source: string
  penalty_number: string
  decision_number: string
  listed_on: string
  expires_on: string
  repair_opens_on: string
  /** Masked (王**) in lists, in full on the single read. */
  principal_name: string
  status: 'listed' | 'removed'
  status_name: string
  state: 'listed' | 'expired' | 'removed'
  state_name: string
  active: boolean
  removal_reason: 'expired' | 'repaired' | null
  removal_reason_name: string | null
  removed_on: string | null
  repair_state: 'pending' | 'approved' | 'refused' | null
  version: number
  // the single read only
  facts?: string
  decided_by?: string
  removed_by?: string | null
  removal_note?: string | null
  repairs?: Repair[]
  repair_conditions?: Condition[]
}

/** A point of the score over time (ledger.trend): the score, grade and listing from that day on. */
export interface TrendPoint {
  on: string
  score: number
  grade: string
  grade_name: string
  listed: boolean
}

export interface CreditPage {
  uscc: string
  name: string
  region_code: string
  county_name: string
  as_of: string
  score: number
  grade: string
  grade_name: string
  listed: boolean
  starting_score: number
  grades: GradeBand[]
  entries: Entry[]
  listings: DishonestyListing[]
  consequences: Consequence[]
  /** The score over time, at least a year back, through `as_of`. */
  trend: TrendPoint[]
}

/** The repair application's states (dishonesty.REPAIR_STATES). */
export const REPAIR_STATE_NAMES: Record<string, string> = { pending: '修复待审核', approved: '准予信用修复', refused: '不予信用修复' }
/** The list's states (dishonesty.STATES), for the filter. */
export const LISTING_STATES: [string, string][] = [
  ['listed', '列入中'],
  ['expired', '管理期满待移出'],
  ['removed', '已移出'],
]
/** What a consequence applies to (dishonesty.APPLIES_TO). */
export const APPLIES_TO_NAMES: Record<string, string> = { licensing: '行政许可', standardization: '安全生产标准化', plans: '执法检查计划' }

export const getTypes = () => apiGet<CreditTypes>(`${BASE}/types`, undefined, opts)

export const listEnterprises = (q: { region_code?: string; grade?: string; listed?: string; q?: string; page_size?: number }, pageToken = '') =>
  apiGet<PageAnswer<EnterpriseRow>>(`${BASE}/enterprises`, { ...q, page_token: pageToken }, opts)

export const getEnterprise = (uscc: string) => apiGet<CreditPage>(`${BASE}/enterprises/${encodeURIComponent(uscc)}`, undefined, opts)

export interface EventBody {
  uscc: string
  type: string
  points?: number
  reason: string
  reference: string
  occurred_on: string
}

/** A staff entry; answers the enterprise's credit page (201). */
export const recordEvent = (body: EventBody, options: RequestOptions) => apiPost<CreditPage>(`${BASE}/events`, body, options)

export interface ListingBody {
  uscc: string
  situation: string
  facts: string
  penalty_number: string
  principal_name?: string
}

export const decideListing = (body: ListingBody, options: RequestOptions) =>
  apiPost<DishonestyListing>(`${BASE}/dishonesty-listings`, body, options)

export const listListings = (q: { state?: string; region_code?: string; uscc?: string; page_size?: number }, pageToken = '') =>
  apiGet<PageAnswer<DishonestyListing>>(`${BASE}/dishonesty-listings`, { ...q, page_token: pageToken }, opts)

export const getListing = (id: string) => apiGet<DishonestyListing>(`${BASE}/dishonesty-listings/${encodeURIComponent(id)}`, undefined, opts)

/** A step on a listing: `repair` {statement, conditions}, `repair-decision` {decision, opinion}, `removal` {note}; with `version`. */
export const listingStep = (id: string, path: 'repair' | 'repair-decision' | 'removal', body: Record<string, unknown>, options: RequestOptions) =>
  apiPost<DishonestyListing>(`${BASE}/dishonesty-listings/${encodeURIComponent(id)}/${path}`, body, options)

/** Element Plus tag types of the grades. */
export function gradeTag(grade: string): 'success' | 'primary' | 'warning' | 'danger' | 'info' {
  return ({ A: 'success', B: 'primary', C: 'warning', D: 'danger' } as const)[grade as 'A'] ?? 'info'
}

/** The tag of a listing's state. */
export function stateTag(state: string): 'danger' | 'warning' | 'info' {
  return state === 'listed' ? 'danger' : state === 'expired' ? 'warning' : 'info'
}
