// What the duty views share: the rule tables in force (loaded once per page), who the user is, the
// agencies by name, Beijing wall-clock helpers.
import { computed } from 'vue'
import { ApiError } from '@/shared/api'
import { formatDateTime } from '@/shared/format'
import { useLatest } from '@/shared/latest'
import { beijingToday } from '@/shared/monitoring/labels'
import { useSession } from '@/shared/session'
import type { Me } from '@/shared/types'
import { getSettings, type Settings } from './api'

export { beijingToday }

const settings = useLatest<Settings>(getSettings, '值班规则暂时无法加载')
let requested = false

/** The duty rule tables in force (GET /api/v1/duty/settings), loaded once per page. */
export function useSettings() {
  if (!requested) {
    requested = true
    settings.load()
  }
  return settings
}

export function useMe() {
  const session = useSession()
  return computed(() => session.me as Me | null)
}

/** The agency code of the signed-in user: their county's bureau, or the city's (620800). */
export function agencyOf(me: Me | null | undefined): string {
  const code = me?.region?.code ?? ''
  if (code.length > 6) return code.slice(0, 6)
  return code.endsWith('00') ? code.slice(0, 6) : code
}

export function isCity(me: Me | null | undefined): boolean {
  const a = agencyOf(me)
  return !!a && a.endsWith('00')
}

export function agencyName(s: Settings | null, code: string | null | undefined): string {
  if (!code) return '—'
  return s?.agencies.find((a) => a.region_code === code)?.name ?? code
}

/** The server's Chinese messages of a refusal: its field errors, else its title and detail. */
export function refusal(err: unknown): string {
  if (!(err instanceof ApiError) || err.redirecting) return ''
  const fields = Object.values(err.fieldErrors)
  return fields.length ? fields.join('；') : err.message
}

/** Now in Beijing as the date-time picker's value (`YYYY-MM-DD HH:mm:ss`). */
export function beijingNowWallClock(now = Date.now()): string {
  return formatDateTime(new Date(now).toISOString())
}

/** `2026-12-02T08:30:00+08:00` → `08:30`. */
export function clockOf(iso: string): string {
  return formatDateTime(iso).slice(11, 16)
}

/** The 7 days from `monday` (YYYY-MM-DD). */
export function weekDays(monday: string): string[] {
  const out: string[] = []
  const t = Date.parse(`${monday}T00:00:00Z`)
  for (let i = 0; i < 7; i += 1) out.push(new Date(t + i * 86_400_000).toISOString().slice(0, 10))
  return out
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六']

export function weekdayName(day: string): string {
  return WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]
}

/** The Monday of the week of `day`. */
export function mondayOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay()
  return addDays(day, -((d + 6) % 7))
}

/** 47 → `47秒`; 305 → `5分5秒`. */
export function secondsText(s: number | null | undefined): string {
  if (s === null || s === undefined) return '—'
  const m = Math.floor(s / 60)
  return m ? `${m}分${s % 60}秒` : `${s}秒`
}
