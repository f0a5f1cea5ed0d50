// 值班值守: calls and shapes of gateway/emergency/duty.py (views: services/emergency/duty/servicer.py and
// rules.py `intake_view`), and the few incident calls the intake page needs (gateway/emergency/incidents.py).
import { apiDelete, apiGet, apiPost, apiPut, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'

const opts = { notify: false }

export interface ShiftType {
  code: string
  name: string
  start: string
  end: string
}

export interface Settings {
  today: string
  shifts: ShiftType[]
  officers: { min: number; max: number }
  channels: { code: string; name: string; staff: boolean }[]
  statuses: { code: string; name: string }[]
  spot_check: { seconds: number; op: 'lte' | 'lt' }
  agencies: { region_code: string; name: string }[]
  reporting_agencies: string[]
  sensitive_periods: { name: string; from: string; to: string }[]
  due_next_day_at: string
  reporting_days: { day: string; required: boolean; reasons: string[]; provisional: boolean }[]
  /** The caller's agency (620800 or a county) and the one above it (null for the city). */
  agency: string
  level_above: string | null
}

export interface Person {
  name: string
  phone: string
  post?: string
}

export interface Contact {
  label: string
  phone: string
}

export interface IntakeSummary {
  id: number
  channel: string
  channel_name: string
  received_at: string
  place: string
  summary: string
}

export interface Handover {
  id: number
  from_shift_id: number
  to_shift_id: number
  region_code: string
  handed_by: string
  received_by: string
  notes: string
  open_matters: string[]
  open_intakes: IntakeSummary[]
  handed_at: string
  recorded_by: string
}

export interface Shift {
  id: number
  region_code: string
  agency_name: string
  day: string
  shift: string
  shift_name: string
  starts_at: string
  ends_at: string
  leader: Person
  officers: Person[]
  contacts: Contact[]
  phones_masked: boolean
  note: string
  handed_over: boolean
  handover?: { id: number; received_by: string; handed_at: string } | null
  handovers?: Handover[]
  next_shift?: Shift | null
  open_intakes?: IntakeSummary[]
  created_by: string
  version: number
}

export interface Roster {
  from: string
  to: string
  today: string
  shift_types: ShiftType[]
  items: Shift[]
}

export interface ShiftInput {
  region_code?: string
  day?: string
  shift?: string
  leader: Person
  officers: Person[]
  contacts: Contact[]
  note: string
  version?: number
}

export type SpotState = 'waiting' | 'overdue' | 'answered' | 'late'

export interface SpotCheck {
  id: number
  region_code: string
  agency_name: string
  asked_by_agency: string
  asked_by_agency_name: string
  question: string
  asked_by: string
  asked_at: string
  limit_seconds: number
  answer: string | null
  answered_by: string | null
  answered_at: string | null
  response_seconds: number | null
  version: number
  state: SpotState
  state_name: string
  flagged: boolean
  elapsed_seconds: number
}

export interface SpotChecks extends PageAnswer<SpotCheck> {
  now: string
  flagged: number
  average_response_seconds: number | null
}

export interface DailyReport {
  id: number
  region_code: string
  day: string
  nil: boolean
  content: string
  reasons: string[]
  submitted_by: string
  submitted_at: string
  version: number
}

export interface DailyReportRow {
  region_code: string
  agency_name: string
  state: 'reported' | 'nil' | 'missing'
  state_name: string
  late: boolean
  report: DailyReport | null
}

export interface DailyReports {
  day: string
  required: boolean
  reasons: string[]
  provisional: boolean
  due_at: string
  items: DailyReportRow[]
  counts: Record<'reported' | 'nil' | 'missing', number>
  missing: string[]
}

export type IntakeStatus = 'open' | 'became_incident' | 'joined' | 'closed_no_action'

export interface Intake {
  id: number
  channel: string
  channel_name: string
  received_at: string
  caller_name: string
  caller_phone: string
  caller_unit: string
  content: string
  place: string
  region_code: string
  agency_name: string
  uscc: string | null
  enterprise_name: string | null
  status: IntakeStatus
  status_name: string
  open: boolean
  incident_id: number | null
  closed_reason: string | null
  handled_by: string | null
  handled_at: string | null
  logged_by: string
  logged_by_kind: string
  logged_at: string
  caller_masked: boolean
  version: number
}

export interface IntakeInput {
  channel: string
  received_at: string
  caller_name: string
  caller_phone: string
  caller_unit: string
  content: string
  place: string
  region_code: string
  uscc?: string
  enterprise_name?: string
}

export const INTAKE_STATUS_TAG: Record<IntakeStatus, 'danger' | 'success' | 'info' | 'warning'> = {
  open: 'danger',
  became_incident: 'success',
  joined: 'warning',
  closed_no_action: 'info',
}

export const SPOT_STATE_TAG: Record<SpotState, 'danger' | 'success' | 'info' | 'warning'> = {
  waiting: 'warning',
  overdue: 'danger',
  answered: 'success',
  late: 'danger',
}

export function getSettings(): Promise<Settings> {
  return apiGet<Settings>('/api/v1/duty/settings', undefined, opts)
}

export function listShifts(query: { region_code?: string; from?: string; to?: string }): Promise<Roster> {
  return apiGet<Roster>('/api/v1/duty/shifts', query, opts)
}

export function getShift(id: number | string): Promise<Shift> {
  return apiGet<Shift>(`/api/v1/duty/shifts/${id}`, undefined, opts)
}

export function createShift(body: ShiftInput, options: RequestOptions): Promise<Shift> {
  return apiPost<Shift>('/api/v1/duty/shifts', body, options)
}

export function changeShift(id: number, body: ShiftInput, options: RequestOptions): Promise<Shift> {
  return apiPut<Shift>(`/api/v1/duty/shifts/${id}`, body, options)
}

export function deleteShift(id: number, version: number, options: RequestOptions): Promise<{ id: number; deleted: boolean }> {
  return apiDelete<{ id: number; deleted: boolean }>(`/api/v1/duty/shifts/${id}`, { version }, options)
}

export function recordHandover(
  id: number,
  body: { version: number; to_shift_id?: number; handed_by: string; received_by: string; notes: string; open_matters: string[] },
  options: RequestOptions,
): Promise<Handover & { shift: Shift }> {
  return apiPost<Handover & { shift: Shift }>(`/api/v1/duty/shifts/${id}/handover`, body, options)
}

export function listSpotChecks(query: Record<string, string>, pageToken = ''): Promise<SpotChecks> {
  return apiGet<SpotChecks>('/api/v1/duty/spot-checks', { ...query, page_token: pageToken }, opts)
}

export function startSpotCheck(body: { region_code: string; question: string }, options: RequestOptions): Promise<SpotCheck> {
  return apiPost<SpotCheck>('/api/v1/duty/spot-checks', body, options)
}

export function answerSpotCheck(id: number, body: { version: number; answer: string; answered_by: string }, options: RequestOptions): Promise<SpotCheck> {
  return apiPost<SpotCheck>(`/api/v1/duty/spot-checks/${id}/answer`, body, options)
}

export function listDailyReports(day: string): Promise<DailyReports> {
  return apiGet<DailyReports>('/api/v1/duty/daily-reports', { day }, opts)
}

export function submitDailyReport(
  body: { region_code: string; day: string; nil: boolean; content: string; version?: number },
  options: RequestOptions,
): Promise<DailyReport & { late: boolean }> {
  return apiPost<DailyReport & { late: boolean }>('/api/v1/duty/daily-reports', body, options)
}

export function listIntakes(query: Record<string, string>, pageToken = ''): Promise<PageAnswer<Intake>> {
  return apiGet<PageAnswer<Intake>>('/api/v1/duty/intakes', { ...query, page_token: pageToken }, opts)
}

export function getIntake(id: number | string): Promise<Intake> {
  return apiGet<Intake>(`/api/v1/duty/intakes/${id}`, undefined, opts)
}

export function logIntake(body: IntakeInput, options: RequestOptions): Promise<Intake> {
  return apiPost<Intake>('/api/v1/duty/intakes', body, options)
}

export function linkIntake(
  id: number,
  body: { version: number; incident_id?: number; new_incident?: Record<string, unknown> },
  options: RequestOptions,
): Promise<Intake & { incident: { id: number } }> {
  return apiPost<Intake & { incident: { id: number } }>(`/api/v1/duty/intakes/${id}/link`, body, options)
}

export function closeIntake(id: number, body: { version: number; reason: string }, options: RequestOptions): Promise<Intake> {
  return apiPost<Intake>(`/api/v1/duty/intakes/${id}/close`, body, options)
}

// --- the data centre's enterprises (the intake form's enterprise search) ----------------------------

export interface EnterpriseHit {
  uscc: string
  name: string
  region_code: string
}

export async function searchEnterprises(q: string): Promise<EnterpriseHit[]> {
  const r = await apiGet<{ items: EnterpriseHit[] }>('/api/v1/enterprises', { q, page_size: 10 }, opts)
  return r.items ?? []
}

// --- incidents (gateway/emergency/incidents.py) ------------------------------------------------------

export interface IncidentType {
  code: string
  name: string
  subtype_required: boolean
  subtype_label: string
  makes_accident: boolean
  subtypes: { code: string; name: string }[]
}

export interface IncidentOptions {
  types: IncidentType[]
}

export interface IncidentBrief {
  id: number
  title: string
  status: string
  status_name?: string
  region_code: string
  county_name?: string
  address?: string
  occurred_at: string
  type_name?: string
}

export function incidentOptions(): Promise<IncidentOptions> {
  return apiGet<IncidentOptions>('/api/v1/incidents/options', undefined, opts)
}

export function openIncidents(regionCode?: string): Promise<PageAnswer<IncidentBrief>> {
  return apiGet<PageAnswer<IncidentBrief>>('/api/v1/incidents', { status: 'open', region_code: regionCode, page_size: 50 }, opts)
}

export function incidentPage(id: number | string): string {
  return `#/incidents/${id}`
}
