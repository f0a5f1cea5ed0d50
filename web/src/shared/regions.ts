// Region names for every front end (GB/T 2260 codes → names). The Pingliang county codes are known
// at once; the city, counties and townships come from the public region list, so a township code is
// shown as "崆峒区 · 东关街道" and never as 620802001.
import { reactive } from 'vue'
import { apiGet } from './api'
import { REGION_NAMES } from './format'
import type { Region } from './types'

export const CITY_CODE = '620800'

export const regions = reactive<{ names: Record<string, string>; items: Region[] }>({
  names: { ...REGION_NAMES },
  items: Object.entries(REGION_NAMES).map(([code, name]) => ({ code, name })),
})

let loading: Promise<Region[]> | null = null

/** Loads the region list once per page; resolves with it (the known counties if it fails). */
export function loadRegions(): Promise<Region[]> {
  if (!loading) {
    loading = apiGet<{ items: Region[] }>('/api/v1/onboarding/regions', undefined, { notify: false, loginOn401: false })
      .then((r) => {
        const items = r.items ?? []
        for (const x of items) regions.names[x.code] = x.name
        if (items.length) regions.items = items
        return regions.items
      })
      .catch(() => regions.items)
  }
  return loading
}

/** `620802` → 崆峒区; a township → 崆峒区 · 东关街道 (or 崆峒区 · 620802999 when its name is unknown).
 *  `known` is a name the server sent with the code, used while the list has not loaded. */
export function regionName(code: string | null | undefined, known?: string | null): string {
  if (!code) return known || '—'
  const name = regions.names[code] ?? (known || undefined)
  const county = code.length > 6 ? regions.names[code.slice(0, 6)] : undefined
  if (county) return `${county} · ${name ?? code}`
  return name ?? code
}
