// Names for codes: regions (the known Pingliang codes, completed by the public region list) and the
// shared dictionaries (`GET /api/v1/dictionaries/<name>` where the gateway offers it; without it a
// dictionary field stays a free-text input and shows its code).
import { reactive } from 'vue'
import { apiGet } from '@/shared/api'
import { REGION_NAMES } from '@/shared/format'
import { CITY_CODE, loadRegions as loadSharedRegions, regionName, regions } from '@/shared/regions'
import type { Region } from '@/shared/types'
import type { Option } from './catalogue'

interface LookupState {
  /** Code → name of every region loaded so far (the shared table, web/src/shared/regions.ts). */
  regions: Record<string, string>
  /** County-level codes of the jurisdiction, in order (for filters and charts). */
  counties: string[]
  /** Region options for forms: the city, each county and its townships. */
  regionOptions: Option[]
  /** Dictionary name → options (code → name); absent while unknown, `null` when not offered. */
  dictionaries: Record<string, Option[] | null>
}

export { CITY_CODE, regionName }

export const lookups = reactive<LookupState>({
  regions: regions.names,
  counties: Object.keys(REGION_NAMES).filter((c) => c !== CITY_CODE),
  regionOptions: regionOptionsOf(regions.items),
  dictionaries: {},
})

function regionOptionsOf(items: Region[]): Option[] {
  const codes = [...new Set([CITY_CODE, ...items.map((r) => r.code)])].sort()
  return codes.map((code) => ({ value: code, label: regionName(code) }))
}

export function loadRegions(): Promise<void> {
  return loadSharedRegions().then((items) => {
    const counties = items.filter((x) => x.code.length === 6 && x.code !== CITY_CODE).map((x) => x.code)
    if (counties.length) lookups.counties = counties
    lookups.regionOptions = regionOptionsOf(items)
  })
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
