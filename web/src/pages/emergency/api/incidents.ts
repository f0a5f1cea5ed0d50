// 突发事件: calls and shapes of gateway/emergency/incidents.py (views: services/emergency/incidents/views.py
// `incident_view`, `list_view`, `timeline_view`; options: servicer.py `GetOptions`).
import { apiGet, apiPatch, apiPost, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'

const opts = { notify: false }
const BASE = '/api/v1/incidents'

export type IncidentStatus = 'reported' | 'responding' | 'stabilised' | 'closed' | 'merged'
export type TaskStatus = 'assigned' | 'accepted' | 'in_progress' | 'done' | 'cancelled'
export type ReportKind = 'first' | 'follow_up' | 'final'
export type FlagStatus = 'on_time' | 'late' | 'missing' | 'pending'

export interface Casualties {
  deaths: number
  missing: number
  injured: number
  serious_injuries: number
  trapped: number
  affected: number
  to_relocate: number
}

export interface Coded {
  code: string
  name: string
}

export interface IncidentType extends Coded {
  class: string
  subtype_label: string
  subtype_required: boolean
  makes_accident: boolean
  subtypes: Coded[]
}

export interface Options {
  types: IncidentType[]
  sources: Coded[]
  statuses: Coded[]
  status_moves: Record<IncidentStatus, IncidentStatus[]>
  levels: { level: number; name: string }[]
  groups: Coded[]
  max_members: number
  report_kinds: Coded[]
  task_statuses: Coded[]
  casualties: Coded[]
  report_fields: { code: string; name: string; max_length: number }[]
  grades: Coded[]
  table_sources: Record<string, string>
}

export interface IncidentBrief {
  id: number
  title: string
  type: string
  type_name: string
  subtype: string | null
  subtype_name: string | null
  region_code: string
  county_name: string
  address: string
  status: IncidentStatus
  status_name: string
  level: number | null
  level_name: string | null
  casualties: Casualties
  occurred_at: string
  reported_at: string
  source: string
  source_name: string
  uscc: string | null
  enterprise_name: string | null
  accident_id: number | null
  version: number
}

export interface Person {
  name: string
  phone: string | null
  duty: string | null
}

export interface CommandGroup {
  code: string
  name: string
  leader: Person
  members: Person[]
}

export interface Command {
  commander: Person
  groups: CommandGroup[]
}

export interface Report {
  id: number
  kind: ReportKind
  kind_name: string
  number: number
  label: string
  reported_at: string
  phoned_at: string | null
  grade: string
  grade_name: string
  course: string
  cause: string | null
  impact: string | null
  trend: string | null
  actions: string | null
  requests: string | null
  on_site_commander: string | null
  casualties: Casualties
  direct_loss_cny: number | null
  reporter: string
  due: string | null
  status: FlagStatus | null
  status_name: string | null
  late: boolean
  phone_due: string | null
  phone_status: FlagStatus | null
  phone_status_name: string | null
}

export interface ExpectedReport {
  kind: ReportKind
  label: string
  number: number
  due: string
  phone_due?: string | null
  phone_status?: FlagStatus | null
  status: FlagStatus
  status_name: string
  late: boolean
}

export interface Task {
  id: number
  title: string
  group: string | null
  group_name: string | null
  team_id: number | null
  team_name: string | null
  assignee_name: string | null
  due_at: string | null
  note: string | null
  status: TaskStatus
  status_name: string
  overdue: boolean
  next_statuses: { status: TaskStatus; status_name: string }[]
  created_by: string
  created_at: string
  updated_by: string
  updated_at: string
  version: number
}

/** The data centre's accident as it computes it (services/datacenter/accidents/kind.py). */
export interface Accident {
  id: number
  version: number
  grade: string | null
  grade_name: string | null
  status: string | null
  deaths: number | null
  missing: number | null
  serious_injuries: number | null
  minor_injuries: number | null
  report_deadlines: { level: string; level_zh: string; due: string }[]
  late_reports: { level: string; level_zh: string; due: string; status: FlagStatus; status_zh: string; reported_at: string | null }[]
  casualty_updates: { at: string; by: string; grade_from: string | null; grade_to: string; changes: Record<string, { from: number; to: number }> }[]
  investigating_level: string | null
  investigation_due: string | null
}

export interface Suggestion {
  level: number
  level_name: string
  basis: string[]
}

export interface Incident extends IncidentBrief {
  type_class: string
  subtype_label: string
  lon: number | null
  lat: number | null
  description: string
  direct_loss_cny: number | null
  stabilised_at: string | null
  merged_into: number | null
  level_suggested: number | null
  level_reason: string | null
  plan_name: string | null
  level_decided_by: string | null
  level_decided_at: string | null
  suggestion: Suggestion | null
  command: Command | null
  accident: Accident | null
  accident_error: string | null
  makes_accident: boolean
  report_clock: { grade: string; grade_name: string; next: ExpectedReport | null; late_count: number }
  reports: Report[]
  tasks: Task[]
  closure: { summary: string; evaluation: string; lessons: string | null; plan_changes: string | null } | null
  closed_at: string | null
  closed_by: string | null
  created_by: string
  created_at: string
  updated_at: string
  timeline_count: number
  finished: boolean
}

export interface TimelineEntry {
  seq: number
  at: string
  kind: string
  text: string
  actor_name: string
  actor: string
  detail: Record<string, unknown>
}

export const CASUALTY_LABELS: [keyof Casualties, string][] = [
  ['deaths', '死亡'],
  ['missing', '失踪'],
  ['injured', '受伤'],
  ['serious_injuries', '其中重伤'],
  ['trapped', '被困'],
  ['affected', '受影响'],
  ['to_relocate', '需转移安置'],
]

export const STATUS_TAG: Record<IncidentStatus, 'danger' | 'warning' | 'success' | 'info' | 'primary'> = {
  reported: 'danger',
  responding: 'warning',
  stabilised: 'primary',
  closed: 'success',
  merged: 'info',
}

/** `死亡 3 · 受伤 5（重伤 2）· 被困 1`; `无人员伤亡` when all are zero. */
export function casualtyText(c: Casualties | null | undefined): string {
  if (!c) return '—'
  const parts: string[] = []
  if (c.deaths) parts.push(`死亡 ${c.deaths}`)
  if (c.missing) parts.push(`失踪 ${c.missing}`)
  if (c.injured) parts.push(`受伤 ${c.injured}${c.serious_injuries ? `（重伤 ${c.serious_injuries}）` : ''}`)
  if (c.trapped) parts.push(`被困 ${c.trapped}`)
  if (c.to_relocate) parts.push(`需转移 ${c.to_relocate}`)
  if (c.affected) parts.push(`受影响 ${c.affected}`)
  return parts.length ? parts.join(' · ') : '无人员伤亡'
}

export function getOptions(): Promise<Options> {
  return apiGet<Options>(`${BASE}/options`, undefined, opts)
}

export function listIncidents(query: Record<string, string | number>, pageToken = ''): Promise<PageAnswer<IncidentBrief>> {
  return apiGet<PageAnswer<IncidentBrief>>(BASE, { ...query, page_token: pageToken }, opts)
}

export function getIncident(id: number | string): Promise<Incident> {
  return apiGet<Incident>(`${BASE}/${id}`, undefined, opts)
}

export function createIncident(body: Record<string, unknown>, options: RequestOptions): Promise<Incident> {
  return apiPost<Incident>(BASE, body, options)
}

export function updateIncident(id: number, body: Record<string, unknown>, options: RequestOptions): Promise<Incident> {
  return apiPatch<Incident>(`${BASE}/${id}`, body, options)
}

export function addReport(id: number, body: Record<string, unknown>, options: RequestOptions): Promise<Incident & { report: Report }> {
  return apiPost<Incident & { report: Report }>(`${BASE}/${id}/reports`, body, options)
}

export function decideLevel(id: number, body: Record<string, unknown>, options: RequestOptions): Promise<Incident> {
  return apiPost<Incident>(`${BASE}/${id}/level`, body, options)
}

export function setCommand(id: number, body: Record<string, unknown>, options: RequestOptions): Promise<Incident> {
  return apiPost<Incident>(`${BASE}/${id}/command`, body, options)
}

export function addTask(id: number, body: Record<string, unknown>, options: RequestOptions): Promise<Incident & { task: Task }> {
  return apiPost<Incident & { task: Task }>(`${BASE}/${id}/tasks`, body, options)
}

export function moveTask(id: number, taskId: number, body: Record<string, unknown>, options: RequestOptions): Promise<Incident & { task: Task }> {
  return apiPost<Incident & { task: Task }>(`${BASE}/${id}/tasks/${taskId}`, body, options)
}

export function addNote(id: number, body: { text: string }, options: RequestOptions): Promise<{ incident_id: number; entry: TimelineEntry }> {
  return apiPost<{ incident_id: number; entry: TimelineEntry }>(`${BASE}/${id}/notes`, body, options)
}

export function getTimeline(id: number | string, pageToken = ''): Promise<PageAnswer<TimelineEntry>> {
  return apiGet<PageAnswer<TimelineEntry>>(`${BASE}/${id}/timeline`, { page_size: 50, page_token: pageToken }, opts)
}

export function closeIncident(id: number, body: Record<string, unknown>, options: RequestOptions): Promise<Incident> {
  return apiPost<Incident>(`${BASE}/${id}/closure`, body, options)
}

/** The data centre's page of the accident record. */
export function accidentPage(id: number): string {
  return `/app/datacenter/#/records/accidents/view/${id}`
}
