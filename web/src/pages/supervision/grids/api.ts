// 网格化监管 and 企业分类分级: calls and shapes of /api/v1/grids (services/supervision/grids/servicer.py).
import { apiGet, apiPost, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'

export type GridLevel = 'city' | 'county' | 'township' | 'village'
export type EnterpriseClass = 'A' | 'B' | 'C' | 'D'

export interface Grid {
  code: string
  name: string
  region_code: string
  county_name: string
  parent_code: string | null
  level: GridLevel
  level_name: string
  responsibilities: string
  version: number
  enterprises?: number
  members?: number
  children?: Grid[]
}

export interface GridMember {
  username: string
  display_name: string
  duty: string
  /** Masked by the server (139****5678). */
  phone: string | null
  officer_id: string | null
  added_at: string
}

export interface GridDetail extends Grid {
  member_list: GridMember[]
  children: Grid[]
}

export interface GridEnterprise {
  uscc: string
  name: string
  region_code: string
  county_name: string
  grid_code: string
  grid_name: string
  sector: string | null
  sector_name: string
  standardization_grade: string | null
  risk_colour: string | null
  grid_assigned_manually: boolean
  class: EnterpriseClass | null
  class_name: string | null
  score: number | null
  key_target: boolean | null
}

export interface GridHistoryEntry {
  grid_code: string
  grid_name: string
  assigned_at: string
  ended_at: string | null
  reason: string | null
  assigned_by: string | null
}

export interface EnterpriseGrid extends GridEnterprise {
  history: GridHistoryEntry[]
  classes: { year: number; class: EnterpriseClass; class_name: string; score: number; key_target: boolean }[]
}

export interface ClassCount {
  county_code: string
  county_name: string
  class: EnterpriseClass
  class_name: string
  n: number
  key_targets: number
}

export interface ClassifyResult {
  county_code: string
  county_name: string
  year: number
  classified: number
  counts: Record<EnterpriseClass, number>
  key_targets: number
  table_version: string
}

export const CLASSES: EnterpriseClass[] = ['A', 'B', 'C', 'D']
export const CLASS_NAMES: Record<EnterpriseClass, string> = {
  A: 'A类（低风险）',
  B: 'B类（一般风险）',
  C: 'C类（较大风险）',
  D: 'D类（高风险）',
}
export const CLASS_COLOURS: Record<EnterpriseClass, string> = { A: '#2e7d32', B: '#1565c0', C: '#ef6c00', D: '#c62828' }
export const CLASS_TAGS: Record<EnterpriseClass, 'success' | 'primary' | 'warning' | 'danger'> = {
  A: 'success',
  B: 'primary',
  C: 'warning',
  D: 'danger',
}
export const DUTIES = ['网格长', '网格监管员', '网格员', '市级值班'] as const

const opts = { notify: false }

export const getGrids = (regionCode = '') =>
  apiGet<{ items: Grid[]; total: number }>('/api/v1/grids', { region_code: regionCode }, opts)
export const getGrid = (code: string) => apiGet<GridDetail>(`/api/v1/grids/${encodeURIComponent(code)}`, undefined, opts)
export const createGrid = (body: { parent_code: string; name: string; region_code: string; responsibilities: string }, key?: string) =>
  apiPost<Grid>('/api/v1/grids', body, { idempotencyKey: key })
export const addMember = (code: string, body: Record<string, string>, key?: string) =>
  apiPost<{ grid_code: string; member_list: GridMember[] }>(`/api/v1/grids/${encodeURIComponent(code)}/members`, body, { idempotencyKey: key })
export const removeMember = (code: string, username: string) =>
  apiPost<{ grid_code: string; member_list: GridMember[] }>(`/api/v1/grids/${encodeURIComponent(code)}/members/removal`, { username })

export interface EnterpriseQuery {
  grid_code?: string
  region_code?: string
  class?: EnterpriseClass | ''
  year?: number
  page_size?: number
}

export const getEnterprises = (q: EnterpriseQuery, pageToken = '') =>
  apiGet<PageAnswer<GridEnterprise> & { year: number }>('/api/v1/grids/enterprises', { ...q, page_token: pageToken }, opts)
export const getEnterpriseGrid = (uscc: string) =>
  apiGet<EnterpriseGrid>(`/api/v1/grids/enterprises/${encodeURIComponent(uscc)}`, undefined, opts)
export const assignEnterprise = (uscc: string, body: { grid_code: string; reason: string }, key?: string) =>
  apiPost<EnterpriseGrid>(`/api/v1/grids/enterprises/${encodeURIComponent(uscc)}/assignment`, body, { idempotencyKey: key })

export const getClasses = (year: number) => apiGet<{ year: number; items: ClassCount[] }>('/api/v1/grids/classes', { year }, opts)
export const classify = (county_code: string, year: number, options: RequestOptions = {}) =>
  apiPost<ClassifyResult>('/api/v1/grids/classes', { county_code, year }, options)

/** Every grid of the tree, depth first, with its depth. */
export function flatten(tree: Grid[], depth = 0, out: { grid: Grid; depth: number }[] = []) {
  for (const g of tree) {
    out.push({ grid: g, depth })
    if (g.children?.length) flatten(g.children, depth + 1, out)
  }
  return out
}
