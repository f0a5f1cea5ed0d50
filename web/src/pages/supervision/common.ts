// What the supervision views share: who may change what (from `GET /api/v1/me`), the counties,
// the hash's query string, and today in Beijing.
import { computed, onBeforeUnmount, ref } from 'vue'
import { REGION_NAMES } from '@/shared/format'
import { beijingToday } from '@/shared/monitoring/labels'
import { useSession } from '@/shared/session'
import type { Me } from '@/shared/types'

export { beijingToday }

export const PLATFORM_ADMIN = 'platform-admin'
export const SUPERVISOR = 'supervision-supervisor'
export const INSPECTOR = 'supervision-inspector'

/** The seven counties of Pingliang as [code, name]. */
export const COUNTIES: [string, string][] = Object.entries(REGION_NAMES).filter(([code]) => code !== '620800')

export function hasRole(me: Me | null | undefined, ...codes: string[]): boolean {
  return !!me && me.roles.some((r) => codes.includes(r.code))
}

/** Supervisors and platform administrators: grids, classes, plans, licensing decisions. */
export function isManager(me: Me | null | undefined): boolean {
  return hasRole(me, PLATFORM_ADMIN, SUPERVISOR)
}

export function isAdmin(me: Me | null | undefined): boolean {
  return hasRole(me, PLATFORM_ADMIN)
}

export function useMe() {
  const session = useSession()
  return computed(() => session.me as Me | null)
}

/** The counties the user may pick: their own county, or all seven for the city. */
export function countiesOf(me: Me | null | undefined): [string, string][] {
  const region = me?.region?.code ?? ''
  const own = COUNTIES.filter(([code]) => region.startsWith(code))
  return own.length ? own : COUNTIES
}

/** The county a view starts with: the user's own, else the first. */
export function defaultCounty(me: Me | null | undefined): string {
  return countiesOf(me)[0][0]
}

/** `#/inspections/new?plan_item=3` → URLSearchParams of `plan_item=3`. */
export function hashQuery(hash = window.location.hash): URLSearchParams {
  const i = hash.indexOf('?')
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1))
}

export function currentYear(): number {
  return Number(beijingToday().slice(0, 4))
}

/** Years offered by the pickers: two back and one ahead of this year. */
export function yearChoices(): number[] {
  const y = currentYear()
  return [y + 1, y, y - 1, y - 2]
}

/** `2026-12-02T14:07:33+08:00` → `2026-12-02` (Beijing). */
export function dateOf(iso: string | null | undefined): string {
  if (!iso) return '—'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso.slice(0, 10)
  return beijingToday(t)
}

/** The date n days after today (Beijing), as YYYY-MM-DD. */
export function daysFromToday(n: number): string {
  return beijingToday(Date.now() + n * 86_400_000)
}

/** True on a phone-sized screen (≤ 768 px), following the window as it changes. */
export function useNarrow() {
  const media = window.matchMedia('(max-width: 768px)')
  const narrow = ref(media.matches)
  const onChange = (e: MediaQueryListEvent) => (narrow.value = e.matches)
  media.addEventListener('change', onChange)
  onBeforeUnmount(() => media.removeEventListener('change', onChange))
  return narrow
}
