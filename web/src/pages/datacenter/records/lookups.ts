// Names for codes: regions (the known Pingliang codes, completed by the public region list) and the
// shared dictionaries (`GET /api/v1/dictionaries/<name>` where the gateway offers it; without it a
// dictionary field stays a free-text input and shows its code).
import { reactive } from 'vue'
import { apiGet } from '@/shared/api'
import { REGION_NAMES } from '@/shared/format'
import type { Region } from '@/shared/types'
import type { Option } from './catalogue'

interface LookupState {
  regions: Record<string, string>
  /** County-level codes of the jurisdiction, in order (for filters and charts). */
  counties: string[]
  /** Region options for forms: the city, each county and its townships. */
  regionOptions: Option[]
  /** Dictionary name → options (code → name); absent while unknown, `null` when not offered. */
  dictionaries: Record<string, Option[] | null>
}

export const CITY_CODE = '620800'

export const lookups = reactive<LookupState>({
  regions: { ...REGION_NAMES },
  counties: Object.keys(REGION_NAMES).filter((c) => c !== CITY_CODE),
  regionOptions: regionOptionsOf(Object.entries(REGION_NAMES).map(([code, name]) => ({ code, name }))),
  dictionaries: {},
})

function regionOptionsOf(items: Region[]): Option[] {
  const names: Record<string, string> = { ...REGION_NAMES }
  for (const r of items) names[r.code] = r.name
  const codes = [...new Set([CITY_CODE, ...items.map((r) => r.code)])].sort()
  return codes.map((code) => {
    const county = code.length > 6 ? names[code.slice(0, 6)] : ''
    return { value: code, label: county ? `${county} · ${names[code] ?? code}` : (names[code] ?? code) }
  })
}

let regionsLoading: Promise<void> | null = null

export function loadRegions(): Promise<void> {
  if (!regionsLoading) {
    regionsLoading = apiGet<{ items: Region[] }>('/api/v1/onboarding/regions', undefined, { notify: false, loginOn401: false })
      .then((r) => {
        const items = r.items ?? []
        for (const x of items) lookups.regions[x.code] = x.name
        const counties = items.filter((x) => x.code.length === 6 && x.code !== CITY_CODE).map((x) => x.code)
        if (counties.length) lookups.counties = counties
        lookups.regionOptions = regionOptionsOf(items)
      })
      .catch(() => undefined)
  }
  return regionsLoading
}

/** `620802` → 崆峒区; a township → 崆峒区 · 东关街道; unknown codes as they are. */
export function regionName(code: string | null | undefined): string {
  if (!code) return '—'
  const name = lookups.regions[code]
  if (!name) return code
  if (code.length > 6 && lookups.regions[code.slice(0, 6)]) return `${lookups.regions[code.slice(0, 6)]} · ${name}`
  return name
}

const dictionaryLoading: Record<string, Promise<Option[] | null>> = {}

/** The entries of a shared dictionary as options, or null when the gateway does not offer it. */
export function loadDictionary(name: string): Promise<Option[] | null> {
  if (name === 'region') return loadRegions().then(() => lookups.regionOptions)
  if (!(name in dictionaryLoading)) {
    dictionaryLoading[name] = apiGet<{ items: Record<string, unknown>[] }>(
      `/api/v1/dictionaries/${encodeURIComponent(name)}`,
      undefined,
      { notify: false, loginOn401: false },
    )
      .then((r) => {
        const options = (r.items ?? [])
          .map((e) => {
            const code = String(e.code ?? e.cas ?? '')
            return { value: code, label: String(e.name ?? code) }
          })
          .filter((o) => o.value)
        lookups.dictionaries[name] = options
        return options
      })
      .catch(() => {
        lookups.dictionaries[name] = null
        return null
      })
  }
  return dictionaryLoading[name]
}

/** The name of a dictionary code once its dictionary has loaded, else the code. */
export function dictionaryLabel(name: string, code: string): string {
  if (name === 'region') return regionName(code)
  const found = lookups.dictionaries[name]?.find((o) => o.value === code)
  return found ? found.label : code
}
