// Live updates: Server-Sent Events through the gateway (the session cookie authenticates them; the
// gateway sends only what this user may read). EventSource reconnects by itself and sends the id of
// the last event it saw, so nothing is missed.
//
// - `useLive(path, onChange)`: changes of one record kind, GET /api/v1/live/<path>, events `change`
//   (naming the record, never its data) and `reset` (too much was missed: reload; `onChange(null)`).
// - `useLiveEvents(url, handlers)`: any stream with named events, e.g. /api/v1/live/monitoring/alarms
//   with `alarm` and `warning`. Each handler gets the event's parsed JSON data (null when it is not JSON).
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

export interface LiveChange {
  kind: string
  id: string
  operation: 'created' | 'updated' | 'deleted'
  version: number
  changed_at: string
}

export type LiveHandlers = Record<string, (data: unknown) => void>

function parse(e: Event): unknown {
  try {
    return JSON.parse((e as MessageEvent).data)
  } catch {
    return null
  }
}

/** Opens `url()` (re-opened when it changes; an empty url closes it) and calls the handler of each
 *  named event. `connected` is true while the stream is open, false while EventSource retries. */
export function useLiveEvents(url: () => string, handlers: LiveHandlers): { connected: Ref<boolean> } {
  const connected = ref(false)
  let source: EventSource | null = null

  function close() {
    source?.close()
    source = null
    connected.value = false
  }

  function open(u: string) {
    close()
    if (typeof EventSource === 'undefined' || !u) return
    const s = new EventSource(u)
    source = s
    s.onopen = () => (connected.value = true)
    s.onerror = () => (connected.value = s.readyState === EventSource.OPEN) // CONNECTING: retrying by itself
    for (const [name, handler] of Object.entries(handlers)) s.addEventListener(name, (e) => handler(parse(e)))
  }

  watch(url, open, { immediate: true })
  onBeforeUnmount(close)
  return { connected }
}

/** Changes of one record kind: GET /api/v1/live/<path>. */
export function useLive(path: () => string, onChange: (c: LiveChange | null) => void): { connected: Ref<boolean> } {
  return useLiveEvents(
    () => {
      const p = path()
      return p ? `/api/v1/live/${encodeURIComponent(p)}` : ''
    },
    {
      change: (data) => onChange(data && typeof data === 'object' ? (data as LiveChange) : null),
      reset: () => onChange(null),
    },
  )
}
