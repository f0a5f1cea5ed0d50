// A small hash router (no vue-router): `#/points/12?x=1` → segments ['points', '12'].
// Each page's App.vue maps the segments to a view; links are plain `#/…` hrefs or `go()`.
import { onBeforeUnmount, onMounted, ref } from 'vue'

export function hashSegments(hash: string): string[] {
  return hash
    .replace(/^#\/?/, '')
    .split('?')[0]
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s)
      } catch {
        return s
      }
    })
}

/** The current hash's segments, updated on `hashchange` (scrolls to the top on a new view). */
export function useHashSegments() {
  const segments = ref<string[]>(hashSegments(window.location.hash))
  const onChange = () => {
    segments.value = hashSegments(window.location.hash)
    window.scrollTo(0, 0)
  }
  onMounted(() => window.addEventListener('hashchange', onChange))
  onBeforeUnmount(() => window.removeEventListener('hashchange', onChange))
  return segments
}

const enc = (s: string | number) => encodeURIComponent(String(s))

/** Hashes of the monitoring views (the same in the supervision and enterprise pages where both have them). */
export const links = {
  alarm: (id: string | number) => `#/alarms/${enc(id)}`,
  point: (id: string | number) => `#/points/${enc(id)}`,
  enterprise: (uscc: string) => `#/enterprises/${enc(uscc)}`,
  coalMine: (uscc: string) => `#/coal-mines/${enc(uscc)}`,
}

export function go(hash: string): void {
  window.location.hash = hash
}
