// 隐患挂牌督办: calls and shapes of gateway/hazard_supervision/router.py
// (views: services/supervision/hazard_supervision/servicer.py `listing_view`, `GetBoard`).
import { apiGet, apiPost, type RequestOptions } from '@/shared/api'
import type { PageAnswer } from '@/shared/latest'

const opts = { notify: false }

export type ListingLevel = 'county' | 'city' | 'province'

export interface Extension {
  id: number
  requested_on: string
  new_deadline: string
  reason: string
  status: 'pending' | 'approved' | 'refused'
  status_name: string
  decided_by?: string | null
  decided_at?: string | null
  decision_note?: string | null
  requested_by?: string | null
}

export interface Listing {
  id: number
  hazard_id: number
  uscc: string
  enterprise_name: string
  region_code: string
  county_name: string
  level: ListingLevel
  level_name: string
  document_number: string
  listed_on: string
  deadline: string
  requirements: string
  status: 'listed' | 'closed'
  status_name: string
  overdue: boolean
  days_left: number
  escalated_to: ListingLevel | null
  escalated_to_name: string | null
  escalated_at: string | null
  closed_on: string | null
  closed_by: string | null
  closure_note: string | null
  hazard_status: string | null
  description: string | null
  version: number
  extensions?: Extension[]
}

export interface BoardCount {
  county_code: string
  county_name: string
  level: string
  found: number
  closed: number
  overdue: number
}

export interface Board {
  from: string
  to: string
  by_county: BoardCount[]
  by_sector: { sector: string; sector_name: string; level: string; found: number; closed: number }[]
  by_month: { month: string; level: string; found: number; closed: number }[]
  listed: Listing[]
  listed_total: number
}

/** The data centre's hazard statuses and levels (services/datacenter/hazards/rules.py). */
export const HAZARD_STATUS_ZH: Record<string, string> = {
  registered: '已登记',
  rectifying: '整改中',
  awaiting_verification: '待验收',
  closed: '已销号',
}
export const HAZARD_LEVEL_ZH: Record<string, string> = { major: '重大隐患', general: '一般隐患' }

export function hazardPage(hazardId: number): string {
  return `/app/datacenter/#/records/hazards/view/${hazardId}`
}

export function getBoard(query: { region_code?: string; from?: string; to?: string } = {}): Promise<Board> {
  return apiGet<Board>('/api/v1/hazard-supervision/board', query, opts)
}

export function listListings(query: Record<string, string | number>, pageToken = ''): Promise<PageAnswer<Listing>> {
  return apiGet<PageAnswer<Listing>>('/api/v1/hazard-supervision/listings', { ...query, page_token: pageToken }, opts)
}

export function getListing(id: number | string): Promise<Listing> {
  return apiGet<Listing>(`/api/v1/hazard-supervision/listings/${id}`, undefined, opts)
}

export function listHazard(body: { hazard_id: number; deadline: string; requirements: string; level?: ListingLevel }, options: RequestOptions): Promise<Listing> {
  return apiPost<Listing>('/api/v1/hazard-supervision/listings', body, options)
}

export function decideExtension(id: number, body: { approved: boolean; note: string }, options: RequestOptions): Promise<Listing> {
  return apiPost<Listing>(`/api/v1/hazard-supervision/listings/${id}/extension-decision`, body, options)
}

export function closeListing(id: number, body: { note: string }, options: RequestOptions): Promise<Listing> {
  return apiPost<Listing>(`/api/v1/hazard-supervision/listings/${id}/closure`, body, options)
}
