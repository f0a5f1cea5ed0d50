// What the incident views share: who may do what (from `GET /api/v1/me`), the counties the user may
// pick, the rule tables behind the forms (loaded once per page), Beijing wall-clock helpers.
import { computed } from 'vue'
import { ApiError, notifyError, problemOf } from '@/shared/api'
import { formatDateTime, REGION_NAMES } from '@/shared/format'
import { useLatest, type Latest } from '@/shared/latest'
import { useSession } from '@/shared/session'
import type { Me } from '@/shared/types'
import { getOptions, type Options } from '../../api/incidents'

export const STAFF_ROLES = ['platform-admin', 'emergency-duty-officer', 'emergency-commander']
export const COMMANDER_ROLES = ['platform-admin', 'emergency-commander']

export function useMe() {
  const session = useSession()
  return computed(() => session.me as Me | null)
}

function hasRole(me: Me | null | undefined, codes: string[]): boolean {
  return !!me && me.roles.some((r) => codes.includes(r.code))
}

export const isStaff = (me: Me | null | undefined) => hasRole(me, STAFF_ROLES)
export const isCommander = (me: Me | null | undefined) => hasRole(me, COMMANDER_ROLES)

/** The counties the user may pick as [code, name]: their own, or all seven for the city. */
export function countiesOf(me: Me | null | undefined): [string, string][] {
  const all = Object.entries(REGION_NAMES).filter(([code]) => code !== '620800')
  const region = me?.region?.code ?? ''
  const own = all.filter(([code]) => region.startsWith(code))
  return own.length ? own : all
}

let shared: Latest<Options> | null = null

/** The incident types, sources, levels, groups… (GET /api/v1/incidents/options), once per page. */
export function useOptions() {
  if (!shared) {
    shared = useLatest(getOptions, '事件类型等选项暂时无法加载')
    shared.load()
  }
  return shared
}

/** Now as a Beijing wall-clock value for the pickers (`YYYY-MM-DD HH:mm:ss`). */
export function nowWallClock(): string {
  return formatDateTime(new Date().toISOString())
}

/** `2026-12-02T09:10:00+08:00` → `12-02 09:10` (short, for boards). */
export function shortTime(iso: string | null | undefined): string {
  const full = formatDateTime(iso)
  return full === '—' ? full : full.slice(5, 16)
}

/** A refused write for a panel: the server's field errors for the fields it shows, and one line with
 *  the rest (or the problem's title and detail: a 409 names the conflict). Null: already notified. */
export function refusalOf(err: unknown, shown: string[]): { fields: Record<string, string>; other: string } | null {
  const p = problemOf(err, shown)
  if (!p) {
    notifyError(err)
    return null
  }
  if (!p.other && !Object.keys(p.fields).length && err instanceof ApiError) p.other = err.message
  return p
}
