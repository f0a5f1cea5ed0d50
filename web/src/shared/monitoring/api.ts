// 远程监控监测预警: every call of the monitoring REST contract (issue 11) and the shapes it answers,
// in one place, so a field renamed by the backend is changed here only. Used by the supervision
// platform (src/pages/supervision) and the enterprise page (src/pages/enterprise).
//
// Times are ISO 8601 with +08:00; errors are problem+json (shown by src/shared/api.ts). Staff see
// their region, enterprise users only their own enterprise: the server filters, the pages don't.
import { ApiError, apiGet, apiPost, type QueryValue } from '@/shared/api'
import type { Me } from '@/shared/types'

const BASE = '/api/v1/monitoring'
/** SSE stream of alarm and warning changes (events `alarm` and `warning`). */
export const LIVE_ALARMS_URL = '/api/v1/live/monitoring/alarms'

export type Id = number | string

/** `GET /api/v1/me` also answers `uscc` for enterprise users (gateway/me.py); shared/types.ts predates it. */
export type MonitoringMe = Me & { uscc?: string | null }

export function ownUscc(me: Me | null | undefined): string {
  return (me as MonitoringMe | null | undefined)?.uscc ?? ''
}

/** Lists page with an opaque token; `null` (or empty) means the last page. */
export interface MonitoringPage<T> {
  items: T[]
  next_page_token: string | null
  total?: number
}

// ---- points ---------------------------------------------------------------------------------------

export type SiteType = 'major_hazard' | 'coal_mine'

export interface Point {
  id: Id
  point_code: string
  uscc: string
  enterprise_name: string
  region_code: string
  county_name: string
  site_type: SiteType
  site_type_name: string
  source_id: Id | null
  source_name: string | null
  location: string | null
  quantity: string
  quantity_name: string
  unit: string | null
  low_low: number | null
  low: number | null
  high: number | null
  high_high: number | null
  interval_s: number | null
  coal_location: string | null
  coal_location_name: string | null
  zone: string | null
  switch_kind: string | null
  switch_kind_name: string | null
  calibration_due: string | null
  calibration_overdue: boolean
  status: string
  last_value: number | null
  last_state: number | null
  last_time: string | null
  online: boolean
  open_alarms: number
}

export interface PointDetail extends Point {
  /** Its open alarms. */
  alarms: Alarm[]
}

export interface PointQuery {
  uscc?: string
  source_id?: Id
  site_type?: SiteType
}

export interface SeriesItem {
  t: string
  min: number
  max: number
  avg: number
  count: number
}

export interface Series {
  point_id: Id
  /** ≤ 6 h raw, ≤ 3 days 1m, else 1h (chosen by the server from the range). */
  resolution: 'raw' | '1m' | '1h'
  items: SeriesItem[]
}

// ---- alarms ---------------------------------------------------------------------------------------

export type AlarmCondition =
  | 'high'
  | 'low'
  | 'gas'
  | 'oxygen_high'
  | 'oxygen_low'
  | 'methane'
  | 'power_cut_failure'
  | 'offline'
  | 'switch'
export type AlarmLevel = 'warning' | 'critical'
export type AlarmStatus = 'raised' | 'acknowledged' | 'disposed' | 'closed'
export type Escalation = 'enterprise' | 'county' | 'city'

export interface Alarm {
  id: Id
  point_id: Id
  point_code: string
  uscc: string
  enterprise_name: string
  region_code: string
  county_name: string
  source_id: Id | null
  source_name: string | null
  condition: AlarmCondition
  condition_name: string
  level: AlarmLevel
  level_name: string
  status: AlarmStatus
  status_name: string
  /** The condition still holds. */
  active: boolean
  raised_at: string
  cleared_at: string | null
  peak_value: number | null
  last_value: number | null
  threshold: number | null
  unit: string | null
  duration_s: number | null
  escalation: Escalation
  escalation_name: string
  next_escalation_at: string | null
  acknowledged_at: string | null
  acknowledged_by: string | null
  disposed_at: string | null
  disposed_by: string | null
  cause: string | null
  measures: string | null
  result: string | null
  closed_at: string | null
}

export interface AlarmHistoryEntry {
  at: string
  action: string
  action_name: string
  actor: string | null
  note: string | null
}

export interface AlarmDetail extends Alarm {
  history: AlarmHistoryEntry[]
}

export type AlarmStatusFilter = 'open' | 'closed' | 'all'

export interface AlarmQuery {
  status?: AlarmStatusFilter
  uscc?: string
  region_code?: string
  condition?: AlarmCondition | ''
}

export interface DisposeInput {
  cause: string
  measures: string
  result: string
}

/** SSE `alarm` event. */
export interface LiveAlarmEvent {
  id: Id
  status: AlarmStatus
  level: AlarmLevel
  escalation: Escalation
  uscc: string
  region_code: string
  changed_at: string
}

/** SSE `warning` event. */
export interface LiveWarningEvent {
  uscc: string
  source_id: Id
  colour: WarningColour
  changed_at: string
}

// ---- warnings -------------------------------------------------------------------------------------

export type WarningColour = 'red' | 'orange' | 'yellow' | 'blue' | 'none'

export interface WarningSource {
  id: Id
  name: string
  grade: number | string | null
  grade_name: string | null
  colour: WarningColour
  colour_name: string
}

export interface WarningEnterprise {
  uscc: string
  name: string
  region_code: string
  county_name: string
  lon: number | null
  lat: number | null
  colour: WarningColour
  colour_name: string
  open_alarms: number
  offline_points: number
  sources: WarningSource[]
}

export interface Warnings {
  enterprises: WarningEnterprise[]
  counts: Record<WarningColour, number>
}

// ---- safety commitments ---------------------------------------------------------------------------

export type CommitmentStatus = 'on_time' | 'late' | 'missing' | 'pending'
export type SourceState = 'normal' | 'stopped' | 'maintenance' | 'special_work'
export type SpecialWork =
  | 'hot_work'
  | 'confined_space'
  | 'work_at_height'
  | 'lifting'
  | 'temporary_power'
  | 'blinding'
  | 'excavation'
  | 'road_closure'

export interface CommitmentSource {
  source_id: Id
  source_name: string
  state: SourceState
  state_name: string
  special_work: SpecialWork[]
  note: string | null
}

export interface Commitment {
  uscc: string
  name: string
  county_name: string
  status: CommitmentStatus
  status_name: string
  filed_at: string | null
  filed_by: string | null
  sources: CommitmentSource[]
  /** Only on /commitments/today and the answer to filing: */
  day?: string
  deadline?: string
  filed?: boolean
  /** Every major hazard source of the enterprise: what the form must report. */
  expected_sources?: { source_id: Id; source_name: string; grade_name?: string | null }[]
}

export interface CommitmentBoard {
  day: string
  /** Beijing wall clock, e.g. `10:00`. */
  deadline: string
  items: Commitment[]
  counts: Record<CommitmentStatus, number>
}

export interface CommitmentInput {
  sources: { source_id: Id; state: SourceState; special_work: SpecialWork[]; note: string }[]
}

/** The daily deadline when the server does not name one (the board answers `deadline`). */
export const DEFAULT_DEADLINE = '10:00'

// ---- data quality ---------------------------------------------------------------------------------

export type QualityLevel = 'enterprise' | 'county'

export interface QualityItem {
  rank: number
  uscc?: string
  county_code: string
  name: string
  points: number
  /** Rates as fractions 0…1 (assumption: the contract does not say; see RATES_ARE_FRACTIONS). */
  online_rate: number | null
  completeness: number | null
  timeliness: number | null
  score: number | null
}

export interface Quality {
  day: string
  items: QualityItem[]
}

/** The contract does not say whether rates are 0…1 or 0…100. Assumed 0…1; flip if the server sends percentages. */
export const RATES_ARE_FRACTIONS = true

// ---- coal mines -----------------------------------------------------------------------------------

export type PowerState = 'on' | 'cut'

export interface CoalSensor extends Point {
  alarm_value: number | null
  cut_value: number | null
  restore_value: number | null
  power_state: PowerState | null
}

export interface CoalZone {
  zone: string
  power_state: PowerState | null
  cut_required: boolean
  /** 断电失效: power should be cut but is not. */
  failure: boolean
}

export interface CoalMine {
  uscc: string
  name: string
  sensors: CoalSensor[]
  zones: CoalZone[]
}

// ---- calls ----------------------------------------------------------------------------------------

const enc = (id: Id) => encodeURIComponent(String(id))
const quiet = { notify: false } as const

/** Follows `next_page_token` up to `maxPages` pages; `truncated` when more were left. */
async function collect<T>(path: string, query: Record<string, QueryValue>, pageSize: number, maxPages: number) {
  const items: T[] = []
  let token = ''
  for (let i = 0; i < maxPages; i++) {
    const page = await apiGet<MonitoringPage<T>>(path, { ...query, page_size: pageSize, page_token: token }, quiet)
    items.push(...(page.items ?? []))
    token = page.next_page_token ?? ''
    if (!token) return { items, truncated: false }
  }
  return { items, truncated: true }
}

export function listPoints(query: PointQuery & { page_size?: number; page_token?: string }) {
  return apiGet<MonitoringPage<Point>>(`${BASE}/points`, { ...query }, quiet)
}

/** Every point matching `query` (at most 2,000). */
export function allPoints(query: PointQuery) {
  return collect<Point>(`${BASE}/points`, { ...query }, 200, 10)
}

export function getPoint(id: Id) {
  return apiGet<PointDetail>(`${BASE}/points/${enc(id)}`, undefined, quiet)
}

export function getSeries(id: Id, from: string, to: string) {
  return apiGet<Series>(`${BASE}/points/${enc(id)}/series`, { from, to }, quiet)
}

export function listAlarms(query: AlarmQuery & { page_size?: number; page_token?: string }) {
  return apiGet<MonitoringPage<Alarm>>(`${BASE}/alarms`, { ...query }, quiet)
}

/** Every alarm matching `query` (at most 1,000): the live queue. */
export function allAlarms(query: AlarmQuery) {
  return collect<Alarm>(`${BASE}/alarms`, { ...query }, 200, 5)
}

export function getAlarm(id: Id) {
  return apiGet<AlarmDetail>(`${BASE}/alarms/${enc(id)}`, undefined, quiet)
}

/** POST …/acknowledge; `key` is the action's Idempotency-Key (see IdempotencyKeys). */
export function acknowledgeAlarm(id: Id, note: string, key: string) {
  return apiPost<unknown>(`${BASE}/alarms/${enc(id)}/acknowledge`, { note }, { idempotencyKey: key, notify: false })
}

export function disposeAlarm(id: Id, input: DisposeInput, key: string) {
  return apiPost<unknown>(`${BASE}/alarms/${enc(id)}/dispose`, input, { idempotencyKey: key, notify: false })
}

export function getWarnings(regionCode?: string) {
  return apiGet<Warnings>(`${BASE}/warnings`, { region_code: regionCode }, quiet)
}

export function getCommitments(day: string, regionCode?: string) {
  return apiGet<CommitmentBoard>(`${BASE}/commitments`, { day, region_code: regionCode }, quiet)
}

/** The enterprise's own commitment for today, or null when it has not filed one (404). */
export async function getTodayCommitment(): Promise<Commitment | null> {
  try {
    return await apiGet<Commitment>(`${BASE}/commitments/today`, undefined, quiet)
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null
    throw err
  }
}

export function fileCommitment(input: CommitmentInput, key: string) {
  return apiPost<Commitment>(`${BASE}/commitments`, input, { idempotencyKey: key, notify: false })
}

/** The major hazard sources an enterprise files its commitment for (all of its own, with or without points). */
export async function commitmentSources(_uscc: string): Promise<{ source_id: Id; source_name: string }[]> {
  const today = await getTodayCommitment()
  return (today?.expected_sources ?? []).map((s) => ({ source_id: s.source_id, source_name: s.source_name }))
}

export function getQuality(day: string, level: QualityLevel) {
  return apiGet<Quality>(`${BASE}/quality`, { day, level }, quiet)
}

export function getCoalMine(uscc: string) {
  return apiGet<CoalMine>(`${BASE}/coal-mines/${encodeURIComponent(uscc)}`, undefined, quiet)
}

/** Coal-mine enterprises: the contract has no list endpoint, so they are the owners of coal-mine points. */
export async function coalMineEnterprises() {
  const { items, truncated } = await allPoints({ site_type: 'coal_mine' })
  const byUscc = new Map<string, { uscc: string; name: string; region_code: string; county_name: string; sensors: number; online: number; open_alarms: number }>()
  for (const p of items) {
    const e =
      byUscc.get(p.uscc) ??
      { uscc: p.uscc, name: p.enterprise_name, region_code: p.region_code, county_name: p.county_name, sensors: 0, online: 0, open_alarms: 0 }
    e.sensors += 1
    e.online += p.online ? 1 : 0
    e.open_alarms += p.open_alarms ?? 0
    byUscc.set(p.uscc, e)
  }
  return { items: [...byUscc.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')), truncated }
}

/** The message of a failed call for an in-page notice ('' when the browser is going to the login page). */
export function failure(err: unknown, fallback = '加载失败'): string {
  if (err instanceof ApiError) return err.redirecting ? '' : err.message
  return fallback
}
